/**
 * Runs one GEMM on the WebAssembly kernels: copies the operands into linear memory, multiplies
 * there, and copies C back. The arguments follow gemm() in ../gemm.ts and are already checked.
 */
import type { FloatArray } from "../gemm.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/** Where one call's operands sit in linear memory, as element indices of the dtype's view. */
interface Placement {
  a: number;
  b: number;
  c: number;
}

/**
 * Computes C = op(A)·op(B) (or C += when `accumulate`) with the SIMD kernels. Returns false, doing
 * nothing, when A, B and C do not share one dtype or the operands do not fit in linear memory;
 * the caller then runs the TypeScript kernel.
 */
export function wasmGemm(
  kernels: WasmKernels,
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: FloatArray, aOffset: number, lda: number,
  b: FloatArray, bOffset: number, ldb: number,
  c: FloatArray, cOffset: number, ldc: number,
  accumulate: boolean,
): boolean {
  if (a.constructor !== c.constructor || b.constructor !== c.constructor) return false;
  const size = c.BYTES_PER_ELEMENT;
  const aLength = (transA ? k - 1 : m - 1) * lda + (transA ? m : k);
  const bLength = (transB ? n - 1 : k - 1) * ldb + (transB ? k : n);
  const cLength = (m - 1) * ldc + n;
  const start = workspaceAddress(kernels, 1);
  const place: Placement = {
    a: start / size,
    b: (start + alignUp(aLength * size, 64)) / size,
    c: (start + alignUp(aLength * size, 64) + alignUp(bLength * size, 64)) / size,
  };
  if (!ensureMemory(kernels.memory, (place.c + cLength) * size)) return false;

  const view = size === 4 ? new Float32Array(kernels.memory.buffer) : new Float64Array(kernels.memory.buffer);
  view.set(a.subarray(aOffset, aOffset + aLength), place.a);
  view.set(b.subarray(bOffset, bOffset + bLength), place.b);
  if (accumulate) copyRows(c, cOffset, view, place.c, ldc, m, n);
  const kernel = size === 4 ? kernels.sgemm : kernels.dgemm;
  kernel(
    transA ? 1 : 0, transB ? 1 : 0, m, n, k,
    place.a * size, lda, place.b * size, ldb, place.c * size, ldc,
    accumulate ? 1 : 0, workspaceAddress(kernels, 0),
  );
  copyRows(view, place.c, c, cOffset, ldc, m, n);
  return true;
}

/** Copies an m×n matrix with leading dimension ld between arrays, leaving the row padding alone. */
function copyRows(from: FloatArray, fromStart: number, to: FloatArray, toStart: number, ld: number, m: number, n: number): void {
  if (ld === n) {
    to.set(from.subarray(fromStart, fromStart + m * n), toStart);
    return;
  }
  for (let i = 0; i < m; i++) {
    const row = i * ld;
    to.set(from.subarray(fromStart + row, fromStart + row + n), toStart + row);
  }
}
