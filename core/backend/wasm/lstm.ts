/**
 * Runs float32 LSTM kernels on WebAssembly: the gate step (lstmGatesF32), and a whole direction
 * over a sequence forward and backward (lstmForwardF32, lstmBackwardF32). Each copies its
 * operands into linear memory once, runs there, and copies the results back.
 */
import { runGemmInMemory } from "./gemm.js";
import { MAX_THREADS } from "./pool.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/** A float32 matrix of `rows` rows in flat data: row r starts at offset + r·rowStride, with unit column stride. */
export interface RowMatrix {
  data: Float32Array;
  offset: number;
  rowStride: number;
}

type GatesKernel = (gates: number, c: number, out: number, activations: number, rows: number, hidden: number) => void;

/**
 * Computes out = [h' | c'] and activations = [i | f | g | o | tanh(c')] for `rows` rows and
 * returns true. Returns false, writing nothing, when `hidden` is not a multiple of 4 or the
 * operands do not fit in linear memory.
 */
export function wasmLstmGates(kernels: WasmKernels, gates: RowMatrix, c: RowMatrix, out: Float32Array, activations: Float32Array, rows: number, hidden: number): boolean {
  if (hidden % 4 !== 0) return false;
  const start = workspaceAddress(kernels, MAX_THREADS);
  const sizes = [4, 1, 2, 5].map((width) => alignUp(rows * width * hidden * 4, 64));
  const [gatesAt, cAt, outAt, activationsAt] = sizes.map((_, k) => start + sizes.slice(0, k).reduce((a, b) => a + b, 0));
  if (!ensureMemory(kernels.memory, activationsAt + sizes[3])) return false;

  const view = new Float32Array(kernels.memory.buffer);
  copyRowsIn(gates, rows, 4 * hidden, view, gatesAt / 4);
  copyRowsIn(c, rows, hidden, view, cAt / 4);
  (kernels.exports.lstmGatesF32 as GatesKernel)(gatesAt, cAt, outAt, activationsAt, rows, hidden);
  out.set(view.subarray(outAt / 4, outAt / 4 + rows * 2 * hidden));
  activations.set(view.subarray(activationsAt / 4, activationsAt / 4 + rows * 5 * hidden));
  return true;
}

/** Copies `rows` rows of `width` elements into consecutive rows of `view` from element `at`. */
function copyRowsIn(matrix: RowMatrix, rows: number, width: number, view: Float32Array, at: number): void {
  if (matrix.rowStride === width) {
    view.set(matrix.data.subarray(matrix.offset, matrix.offset + rows * width), at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const from = matrix.offset + r * matrix.rowStride;
    view.set(matrix.data.subarray(from, from + width), at + r * width);
  }
}

/** Float32 operands of one LSTM direction over a sequence, as lstmSequence keeps them. */
export interface LstmSequenceArrays {
  /** W_ih x_t + b per step: [steps, batch, 4·hidden]. */
  projected: Float32Array;
  /** W_hh: [4·hidden, hidden]. */
  weight: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  /** Filled: h_t per step, then the last c: [steps + 1, batch, hidden]. */
  out: Float32Array;
  /** Filled: [i | f | g | o | tanh(c')] per step and row: [steps, batch, 5·hidden]. */
  activations: Float32Array;
  /** Filled: the h and c each step started from: [steps, batch, hidden]. */
  hPrevious: Float32Array;
  cPrevious: Float32Array;
}

/**
 * Places consecutive 64-byte-aligned blocks of `counts` float32 elements in the operand area,
 * then one block for a k×n op(B) packed by packAllB32, and returns their byte addresses. Returns
 * null when they do not fit in linear memory.
 */
function placeBlocks(kernels: WasmKernels, counts: readonly number[], [k, n]: [number, number]): number[] | null {
  const packed = (kernels.exports.packedBytesB32 as (k: number, n: number) => number)(k, n);
  let at = workspaceAddress(kernels, MAX_THREADS);
  const addresses = [...counts.map((count) => count * 4), packed].map((bytes) => {
    const address = at;
    at += alignUp(bytes, 64);
    return address;
  });
  return ensureMemory(kernels.memory, at) ? addresses : null;
}

/**
 * Runs one float32 LSTM direction over a whole sequence inside linear memory (lstmForwardF32) and
 * returns true. Returns false, writing nothing, when `hidden` is not a multiple of 4 or the
 * operands do not fit.
 */
export function wasmLstmSequence(kernels: WasmKernels, arrays: LstmSequenceArrays, steps: number, batch: number, hidden: number, reverse: boolean): boolean {
  if (hidden % 4 !== 0) return false;
  const state = batch * hidden;
  const counts = [steps * 4 * state, 4 * hidden * hidden, state, state, 4 * state, (steps + 1) * state, steps * 5 * state, steps * state, steps * state];
  const addresses = placeBlocks(kernels, counts, [hidden, 4 * hidden]);
  if (addresses === null) return false;
  const [projectedAt, weightAt, hAt, cAt, gatesAt, outAt, activationsAt, hPreviousAt, cPreviousAt, packedAt] = addresses;

  const view = new Float32Array(kernels.memory.buffer);
  view.set(arrays.projected, projectedAt / 4);
  view.set(arrays.weight, weightAt / 4);
  view.set(arrays.h0, hAt / 4);
  view.set(arrays.c0, cAt / 4);
  (kernels.exports.lstmForwardF32 as (...args: number[]) => void)(
    steps, batch, hidden, reverse ? 1 : 0,
    projectedAt, weightAt, hAt, cAt, gatesAt, outAt, activationsAt, hPreviousAt, cPreviousAt, packedAt, workspaceAddress(kernels, 0),
  );
  arrays.out.set(view.subarray(outAt / 4, outAt / 4 + arrays.out.length));
  arrays.activations.set(view.subarray(activationsAt / 4, activationsAt / 4 + arrays.activations.length));
  arrays.hPrevious.set(view.subarray(hPreviousAt / 4, hPreviousAt / 4 + arrays.hPrevious.length));
  arrays.cPrevious.set(view.subarray(cPreviousAt / 4, cPreviousAt / 4 + arrays.cPrevious.length));
  return true;
}

/** Float32 operands of the backward pass of wasmLstmSequence. */
export interface LstmBackwardArrays {
  /** The gradient of `out`: [steps + 1, batch, hidden]. */
  grad: Float32Array;
  weight: Float32Array;
  activations: Float32Array;
  hPrevious: Float32Array;
  cPrevious: Float32Array;
  /** Filled: the gradient of each step's pre-activations, [steps, batch, 4·hidden]. */
  gradGates: Float32Array;
  /** Filled: the gradients of h0 and c0. */
  dh: Float32Array;
  dc: Float32Array;
  /** Filled when given: the gradient of W_hh, Σ_t dgates_tᵀ · h_{t−1}. */
  gradWeight: Float32Array | null;
}

/**
 * Backpropagates through a sequence run by wasmLstmSequence inside linear memory
 * (lstmBackwardF32, then one product for the gradient of W_hh, split over the threads) and returns
 * true. Returns false, writing nothing, when `hidden` is not a multiple of 4 or the operands do
 * not fit.
 */
export function wasmLstmBackward(kernels: WasmKernels, arrays: LstmBackwardArrays, steps: number, batch: number, hidden: number, reverse: boolean): boolean {
  if (hidden % 4 !== 0) return false;
  const state = batch * hidden;
  const fourHidden = 4 * hidden;
  const counts = [(steps + 1) * state, fourHidden * hidden, steps * 5 * state, steps * state, steps * state, steps * 4 * state, state, state, fourHidden * hidden];
  const addresses = placeBlocks(kernels, counts, [fourHidden, hidden]);
  if (addresses === null) return false;
  const [gradAt, weightAt, activationsAt, hPreviousAt, cPreviousAt, gradGatesAt, dhAt, dcAt, gradWeightAt, packedAt] = addresses;

  const view = new Float32Array(kernels.memory.buffer);
  view.set(arrays.grad, gradAt / 4);
  view.set(arrays.weight, weightAt / 4);
  view.set(arrays.activations, activationsAt / 4);
  view.set(arrays.cPrevious, cPreviousAt / 4);
  (kernels.exports.lstmBackwardF32 as (...args: number[]) => void)(
    steps, batch, hidden, reverse ? 1 : 0,
    gradAt, weightAt, activationsAt, cPreviousAt, gradGatesAt, dhAt, dcAt, packedAt, workspaceAddress(kernels, 0),
  );
  if (arrays.gradWeight !== null) {
    view.set(arrays.hPrevious, hPreviousAt / 4);
    // dW_hh = Σ_t dgates_tᵀ · h_{t−1}, one product over every step and batch row.
    runGemmInMemory(kernels, false, [1, 0, fourHidden, hidden, steps * batch, gradGatesAt, fourHidden, hPreviousAt, hidden, gradWeightAt, hidden, 0]);
    arrays.gradWeight.set(view.subarray(gradWeightAt / 4, gradWeightAt / 4 + fourHidden * hidden));
  }
  arrays.gradGates.set(view.subarray(gradGatesAt / 4, gradGatesAt / 4 + arrays.gradGates.length));
  arrays.dh.set(view.subarray(dhAt / 4, dhAt / 4 + state));
  arrays.dc.set(view.subarray(dcAt / 4, dcAt / 4 + state));
  return true;
}
