import { isGradEnabled } from "../../autograd/grad_mode.js";
import { activeKernels } from "../../backend/backend.js";
import { type RowMatrix, wasmLstmGates } from "../../backend/wasm/lstm.js";
import { record } from "../../autograd/node.js";
import { empty } from "../../tensor/convert.js";
import type { FloatArray } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add, mul, sub } from "../../ops/arithmetic.js";
import { cat } from "../../ops/join.js";
import { narrow } from "../../ops/shape.js";
import { sigmoid, tanh } from "../../ops/unary.js";

/**
 * The elementwise half of an LSTM step as one op. From the pre-activations `gates` = W_ih x + b_ih
 * + W_hh h + b_hh, laid out (i, f, g, o) along the last dimension, and the cell state c:
 *
 *   i = σ(gᵢ), f = σ(g_f), g = tanh(g_g), o = σ(g_o);  c' = f·c + i·g,  h' = o·tanh(c')
 *
 * The op returns h' and c' as views of one [batch, 2·hidden] tensor. Its forward pass (a SIMD
 * kernel for float32 on the wasm backend) and, when no graph is recorded, its backward pass are
 * single loops. The composed ops would allocate a tensor per step of the formula. With
 * createGraph the gradient is written in differentiable ops, so higher-order gradients work as
 * for the composed cell.
 */
export function lstmGates(gates: Tensor, c: Tensor, hidden: number): [Tensor, Tensor] {
  const rows = gates.numel() / (4 * hidden);
  const dtype = gates.dtype;
  const out = empty(gates.ndim === 1 ? [2 * hidden] : [rows, 2 * hidden], dtype);
  // i, f, g, o and tanh(c') per element, read again by the backward loop.
  const activations = empty([rows, 5 * hidden], dtype);
  gateForward(matrix(gates, 4 * hidden), matrix(c, hidden), out.storage.data as FloatArray, activations.storage.data as FloatArray, rows, hidden);

  record(out, "lstmGates", [gates, c], (grad, [savedGates, savedC, savedActivations], needs) => {
    if (isGradEnabled()) return composedBackward(grad, savedGates, savedC, hidden, needs);
    return loopBackward(grad, savedGates, savedC, savedActivations, hidden, needs);
  }, [gates, c, activations]);
  return [narrow(out, -1, 0, hidden), narrow(out, -1, hidden, hidden)];
}

/**
 * Computes out = [h' | c'] ([rows, 2·hidden]) and activations = [i | f | g | o | tanh(c')]
 * ([rows, 5·hidden]) from the pre-activations and the cell state: on the float32 SIMD kernel
 * when it can run, else in a loop.
 */
export function gateForward(gates: Matrix, c: Matrix, out: FloatArray, activations: FloatArray, rows: number, hidden: number): void {
  if (!wasmForward(gates, c, out, activations, rows, hidden)) forwardLoop(rows, hidden, gates, c, out, activations);
}

/** A 2-D strided view of flat data: element (r, j) is at offset + r·rowStride + j·colStride. */
export interface Matrix {
  data: FloatArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** Views `t` ([width] or [rows, width]) as a matrix. */
function matrix(t: Tensor, width: number): Matrix {
  const data = t.storage.data as FloatArray;
  if (t.ndim === 1) return { data, offset: t.offset, rowStride: width * t.strides[0], colStride: t.strides[0] };
  return { data, offset: t.offset, rowStride: t.strides[0], colStride: t.strides[1] };
}

/**
 * Runs the forward pass on the float32 WebAssembly kernel when the wasm backend is active and both
 * inputs have unit column stride. Returns false to leave it to forwardLoop.
 */
function wasmForward(gates: Matrix, c: Matrix, out: FloatArray, activations: FloatArray, rows: number, hidden: number): boolean {
  const kernels = activeKernels();
  if (kernels === null || !(gates.data instanceof Float32Array) || !(c.data instanceof Float32Array)) return false;
  if (gates.colStride !== 1 || c.colStride !== 1) return false;
  return wasmLstmGates(kernels, gates as RowMatrix, c as RowMatrix, out as Float32Array, activations as Float32Array, rows, hidden);
}

function sigmoidOf(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function forwardLoop(rows: number, hidden: number, gates: Matrix, c: Matrix, out: FloatArray, activations: FloatArray): void {
  const { data: gd, colStride: gs } = gates;
  const { data: cd, colStride: cs } = c;
  for (let r = 0; r < rows; r++) {
    const gRow = gates.offset + r * gates.rowStride;
    const cRow = c.offset + r * c.rowStride;
    const a = r * 5 * hidden;
    const o = r * 2 * hidden;
    for (let j = 0; j < hidden; j++) {
      const i = sigmoidOf(gd[gRow + j * gs]);
      const f = sigmoidOf(gd[gRow + (hidden + j) * gs]);
      const g = Math.tanh(gd[gRow + (2 * hidden + j) * gs]);
      const og = sigmoidOf(gd[gRow + (3 * hidden + j) * gs]);
      const cNext = f * cd[cRow + j * cs] + i * g;
      const tc = Math.tanh(cNext);
      activations[a + j] = i;
      activations[a + hidden + j] = f;
      activations[a + 2 * hidden + j] = g;
      activations[a + 3 * hidden + j] = og;
      activations[a + 4 * hidden + j] = tc;
      out[o + j] = og * tc;
      out[o + hidden + j] = cNext;
    }
  }
}

/** Computes the gradients of gates and c in one loop, from the activations the forward pass kept. */
function loopBackward(grad: Tensor, gates: Tensor, c: Tensor, activations: Tensor, hidden: number, needs: readonly boolean[]): (Tensor | null)[] {
  const rows = gates.numel() / (4 * hidden);
  const g = matrix(grad, 2 * hidden);
  const cm = matrix(c, hidden);
  const act = activations.storage.data as FloatArray;
  const gradGates = empty(gates.shape, gates.dtype);
  const gradC = needs[1] ? empty(c.shape, c.dtype) : null;
  const dg = gradGates.storage.data as FloatArray;
  const dc = gradC ? (gradC.storage.data as FloatArray) : null;
  for (let r = 0; r < rows; r++) {
    const gRow = g.offset + r * g.rowStride;
    const cRow = cm.offset + r * cm.rowStride;
    const a = r * 5 * hidden;
    const d = r * 4 * hidden;
    for (let j = 0; j < hidden; j++) {
      const i = act[a + j];
      const f = act[a + hidden + j];
      const gg = act[a + 2 * hidden + j];
      const o = act[a + 3 * hidden + j];
      const tc = act[a + 4 * hidden + j];
      const dh = g.data[gRow + j * g.colStride];
      const dcTotal = g.data[gRow + (hidden + j) * g.colStride] + dh * o * (1 - tc * tc);
      dg[d + j] = dcTotal * gg * i * (1 - i);
      dg[d + hidden + j] = dcTotal * cm.data[cRow + j * cm.colStride] * f * (1 - f);
      dg[d + 2 * hidden + j] = dcTotal * i * (1 - gg * gg);
      dg[d + 3 * hidden + j] = dh * tc * o * (1 - o);
      if (dc) dc[r * hidden + j] = dcTotal * f;
    }
  }
  return [needs[0] ? gradGates : null, gradC];
}

/** Computes the same gradients in differentiable ops, recomputing the activations from the saved inputs. */
function composedBackward(grad: Tensor, gates: Tensor, c: Tensor, hidden: number, needs: readonly boolean[]): (Tensor | null)[] {
  const part = (t: Tensor, index: number): Tensor => narrow(t, -1, index * hidden, hidden);
  const [i, f, o] = [0, 1, 3].map((k) => sigmoid(part(gates, k)));
  const g = tanh(part(gates, 2));
  const tc = tanh(add(mul(f, c), mul(i, g)));
  const dh = narrow(grad, -1, 0, hidden);
  const dcTotal = add(narrow(grad, -1, hidden, hidden), mul(mul(dh, o), sub(1, mul(tc, tc))));
  const sigmoidGrad = (s: Tensor): Tensor => mul(s, sub(1, s));
  const gradGates = cat([
    mul(mul(dcTotal, g), sigmoidGrad(i)),
    mul(mul(dcTotal, c), sigmoidGrad(f)),
    mul(mul(dcTotal, i), sub(1, mul(g, g))),
    mul(mul(dh, tc), sigmoidGrad(o)),
  ], -1);
  return [needs[0] ? gradGates : null, needs[1] ? mul(dcTotal, f) : null];
}
