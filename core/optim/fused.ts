import { isGradEnabled } from "../autograd/index.js";
import type { FloatArray, Tensor } from "../tensor/index.js";

/**
 * Support for fused update loops. A transform may compute its outputs in one pass over flat
 * arrays instead of a chain of tensor ops, when nothing needs a graph and the operands are
 * contiguous arrays of one floating dtype. Otherwise it uses the tensor ops, which record the
 * graph, so an update taken with createGraph gradients stays differentiable.
 */

/**
 * Returns the elements of each tensor as a flat array view, or null when a fused loop cannot
 * replace the tensor ops: a tensor needs a graph, is not contiguous, or has another dtype or shape.
 */
export function fusedOperands(tensors: readonly Tensor[]): FloatArray[] | null {
  const first = tensors[0];
  const size = first.numel();
  const dtype = first.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  if (isGradEnabled() && tensors.some((t) => t.requiresGrad)) return null;
  const arrays: FloatArray[] = [];
  for (const t of tensors) {
    if (t.dtype !== dtype || t.numel() !== size || t.ndim !== first.ndim || !t.isContiguous()) return null;
    if (t.shape.some((s, i) => s !== first.shape[i])) return null;
    arrays.push((t.storage.data as FloatArray).subarray(t.offset, t.offset + size));
  }
  return arrays;
}

/** Returns the flat data of a contiguous tensor just allocated by the caller. */
export function dataOf(t: Tensor): FloatArray {
  return t.storage.data as FloatArray;
}
