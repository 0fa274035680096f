/**
 * Runs the float32 LSTM gate step on the WebAssembly kernel: copies the gates and the cell state
 * into linear memory, runs lstmGatesF32 there, and copies the outputs and activations back.
 */
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
