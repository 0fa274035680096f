import { record } from "../autograd/node.js";
import { gemm } from "../backend/gemm.js";
import { type FloatArray, promoteTypes } from "../tensor/dtype.js";
import { DTypeError, ShapeError, formatShape } from "../tensor/errors.js";
import { broadcastShapes, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cast } from "./arithmetic.js";
import { contiguous, expand, reshape, squeeze, sumToShape, transpose, unsqueeze } from "./shape.js";
import { type TensorLike, empty, toTensor } from "./util.js";

/** How a matrix's last two dimensions map onto gemm: transposed or not, and the leading dimension. */
interface MatrixLayout {
  tensor: Tensor;
  transposed: boolean;
  leading: number;
}

function layoutOf(t: Tensor): MatrixLayout {
  const rank = t.ndim;
  const [rows, cols] = [t.shape[rank - 2], t.shape[rank - 1]];
  const [rowStride, colStride] = [t.strides[rank - 2], t.strides[rank - 1]];
  if (colStride === 1 && (rowStride >= cols || rows === 1)) return { tensor: t, transposed: false, leading: Math.max(rowStride, cols) };
  if (rowStride === 1 && (colStride >= rows || cols === 1)) return { tensor: t, transposed: true, leading: Math.max(colStride, rows) };
  const copy = contiguous(t);
  return { tensor: copy, transposed: false, leading: cols };
}

/** Offsets of each batch matrix of `t` (already expanded to `batch`) in its storage. */
function batchOffsets(t: Tensor, batch: readonly number[]): Int32Array {
  const count = numel(batch);
  const offsets = new Int32Array(count);
  const index = new Array<number>(batch.length).fill(0);
  for (let b = 0; b < count; b++) {
    let offset = t.offset;
    for (let d = 0; d < batch.length; d++) offset += index[d] * t.strides[d];
    offsets[b] = offset;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++index[d] < batch[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

/** Batched product of tensors of rank ≥ 2 whose batch dimensions already broadcast. */
function batchedProduct(a: Tensor, b: Tensor): Tensor {
  const n = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const m = b.shape[b.ndim - 1];
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const left = layoutOf(expand(a, [...batch, n, k]));
  const right = layoutOf(expand(b, [...batch, k, m]));
  const out = empty([...batch, n, m], a.dtype);
  const outData = out.storage.data as FloatArray;
  const leftOffsets = batchOffsets(left.tensor, batch);
  const rightOffsets = batchOffsets(right.tensor, batch);
  for (let i = 0; i < leftOffsets.length; i++) {
    gemm(
      left.transposed, right.transposed, n, m, k,
      left.tensor.storage.data as FloatArray, leftOffsets[i], left.leading,
      right.tensor.storage.data as FloatArray, rightOffsets[i], right.leading,
      outData, i * n * m, m, false,
    );
  }
  return out;
}

/**
 * Matrix product with NumPy semantics: 1-D operands are treated as a row (left) or column
 * (right) vector and that dimension is removed afterwards; dimensions before the last two
 * broadcast as batch dimensions. Shapes: [..., n, k] @ [..., k, m] → [..., n, m].
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  let x = toTensor("matmul", a);
  let y = toTensor("matmul", b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ShapeError(`matmul: both operands need at least one dimension, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}. Use mul() for scalars.`);
  }
  const dtype = promoteTypes(x.dtype, y.dtype);
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`matmul: operands have dtypes ${x.dtype} and ${y.dtype}; matmul needs float32 or float64. Convert with .float().`);
  }
  x = cast(x, dtype);
  y = cast(y, dtype);

  const vectorLeft = x.ndim === 1;
  const vectorRight = y.ndim === 1;
  const left = vectorLeft ? unsqueeze(x, 0) : x;
  const right = vectorRight ? unsqueeze(y, 1) : y;
  const k = left.shape[left.ndim - 1];
  if (right.shape[right.ndim - 2] !== k) {
    throw new ShapeError(
      `matmul: cannot multiply ${formatShape(x.shape)} by ${formatShape(y.shape)}: inner dimensions ${k} and ${right.shape[right.ndim - 2]} differ. ` +
        `The last dimension of the first operand must equal the ${vectorRight ? "length" : "second-to-last dimension"} of the second.`,
    );
  }

  const product = record(
    batchedProduct(left, right),
    "matmul",
    [left, right],
    (g, [l, r], needs) => [
      needs[0] ? sumToShape(matmul(g, transpose(r, -1, -2)), l.shape) : null,
      needs[1] ? sumToShape(matmul(transpose(l, -1, -2), g), r.shape) : null,
    ],
    [left, right],
  );
  let result = product;
  if (vectorLeft) result = squeeze(result, -2);
  if (vectorRight) result = squeeze(result, -1);
  return result;
}

/** The inner product of two 1-D tensors. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor("dot", a);
  const y = toTensor("dot", b);
  if (x.ndim !== 1 || y.ndim !== 1) throw new ShapeError(`dot: expects two 1-D tensors, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}; use matmul for matrices.`);
  return matmul(x, y);
}

/** The outer product of two 1-D tensors: [n] ⊗ [m] → [n, m]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor("outer", a);
  const y = toTensor("outer", b);
  return matmul(reshape(x, [-1, 1]), reshape(y, [1, -1]));
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    matmul(other: TensorLike): Tensor;
    dot(other: TensorLike): Tensor;
  }
}

Tensor.prototype.matmul = function (other) {
  return matmul(this, other);
};
Tensor.prototype.dot = function (other) {
  return dot(this, other);
};
