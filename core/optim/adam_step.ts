import { isGradEnabled } from "../autograd/index.js";
import { activeKernels } from "../backend/backend.js";
import { wasmAdam } from "../backend/wasm/optim.js";
import type { FloatArray, Tensor } from "../tensor/index.js";
import type { AdamOptions } from "./adam.js";
import type { ParamState } from "./transform.js";

/**
 * Adam and AdamW as one in-place pass over the parameter and its moment buffers. The optimizer
 * takes this path when nothing needs a graph and every tensor is a contiguous array of one
 * floating dtype. Otherwise it runs the chain of update transforms, which allocates a new tensor
 * per stage. On the wasm backend the pass runs on a SIMD kernel, which computes float32 in float32
 * as PyTorch does (within relative 1e-5 of the chain, as the tests check). The TypeScript loop, and the kernel for
 * float64, compute in float64 and round float32 values where the chain does: the moments and the
 * bias-corrected direction once each, then every later stage (weight decay, −lr, the sum).
 */

/** The place the weight decay enters: the gradient (Adam) or Adam's direction (AdamW). */
export type DecayMode = "l2" | "decoupled";

/**
 * Updates `param`, `state.expAvg`, `state.expAvgSq` (and `state.maxExpAvgSq` with amsgrad) in
 * place, bumps the parameter's version and returns the new state. Returns null, changing
 * nothing, when the fused pass cannot stand in for the transforms.
 */
export function adamStepInPlace(options: AdamOptions, decay: DecayMode, param: Tensor, grad: Tensor, state: ParamState): ParamState | null {
  const buffers = [state.expAvg, state.expAvgSq, ...(options.amsgrad ? [state.maxExpAvgSq] : [])];
  if (typeof state.step !== "number" || !buffers.every((b): b is Tensor => b !== null && typeof b === "object")) return null;
  const arrays = flatArrays([param, grad, ...buffers]);
  if (arrays === null) return null;
  const [p, g, m, v, vmax] = arrays;

  const step = state.step + 1;
  const [beta1, beta2] = options.betas;
  const single = p instanceof Float32Array;
  const round = single ? Math.fround : (x: number) => x;
  const constants: LoopConstants = {
    beta1, beta2, eps: options.eps, single,
    sign: options.maximize ? -1 : 1,
    decay: round(options.weightDecay),
    decoupled: decay === "decoupled",
    amsgrad: options.amsgrad,
    minusLr: round(-options.lr),
    biasCorrection1: 1 - beta1 ** step,
    sqrtBiasCorrection2: Math.sqrt(1 - beta2 ** step),
  };
  const kernels = activeKernels();
  if (kernels === null || !wasmAdam(kernels, p, g, m, v, vmax ?? null, constants)) {
    adamLoop(p, g, m, v, vmax ?? null, constants);
  }
  param.storage.bumpVersion();
  return { ...state, step };
}

interface LoopConstants {
  beta1: number;
  beta2: number;
  eps: number;
  single: boolean;
  sign: number;
  decay: number;
  decoupled: boolean;
  amsgrad: boolean;
  minusLr: number;
  biasCorrection1: number;
  sqrtBiasCorrection2: number;
}

/**
 * Returns the flat arrays of `tensors`, or null unless all are contiguous, of one floating dtype
 * and one shape, and none needs a graph.
 */
function flatArrays(tensors: readonly Tensor[]): FloatArray[] | null {
  const [first] = tensors;
  const dtype = first.dtype;
  if (dtype !== "float32" && dtype !== "float64") return null;
  if (isGradEnabled() && tensors.some((t) => t.requiresGrad)) return null;
  const size = first.numel();
  const arrays: FloatArray[] = [];
  for (const t of tensors) {
    if (t.dtype !== dtype || t.ndim !== first.ndim || !t.isContiguous() || t.shape.some((s, i) => s !== first.shape[i])) return null;
    arrays.push((t.storage.data as FloatArray).subarray(t.offset, t.offset + size));
  }
  return arrays;
}

/**
 * Runs one pass of Adam over flat arrays of one class; see adamStepInPlace. `single` selects
 * float32 rounding, spelled out as Math.fround so that V8 inlines it.
 */
function adamLoop(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, c: LoopConstants): void {
  const { beta1, beta2, eps, single, sign, decay, decoupled, minusLr, biasCorrection1, sqrtBiasCorrection2 } = c;
  const decay1 = 1 - beta1;
  const decay2 = 1 - beta2;
  const l2 = !decoupled && decay !== 0;
  const decoupledDecay = decoupled && decay !== 0;
  for (let i = 0; i < p.length; i++) {
    const theta = p[i];
    let gradient = sign * g[i];
    if (l2) gradient = single ? Math.fround(gradient + Math.fround(theta * decay)) : gradient + theta * decay;
    // Each moment is stored, and so rounded, before it is read again.
    m[i] = m[i] * beta1 + gradient * decay1;
    v[i] = v[i] * beta2 + gradient * gradient * decay2;
    let second = v[i];
    if (vmax !== null) second = vmax[i] = vmax[i] > second ? vmax[i] : second;
    let direction = m[i] / biasCorrection1 / (Math.sqrt(second) / sqrtBiasCorrection2 + eps);
    if (single) direction = Math.fround(direction);
    if (decoupledDecay) direction = single ? Math.fround(direction + Math.fround(theta * decay)) : direction + theta * decay;
    p[i] = theta + (single ? Math.fround(direction * minusLr) : direction * minusLr);
  }
}
