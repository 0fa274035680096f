/**
 * Runs one GEMM on the WebAssembly kernels: copies the operands into linear memory, multiplies
 * there, and copies C back. The arguments follow gemm() in ../gemm.ts and are already checked.
 */
import type { FloatArray } from "../gemm.js";
import { MAX_THREADS, runParallel, threadCount, type KernelJob } from "./pool.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/**
 * From this many multiply-adds on, a GEMM is split over the worker threads. On an idle 2-core
 * x86-64 machine two threads ran 32×512×128 (2.1M) 0.96 times as fast as one, 64×512×128 (4.2M)
 * 1.25 times and 128×256×784 (26M) 1.67 times.
 */
export const THREAD_MIN_FLOPS = 256 * 128 * 128;

/** Element indices of one call's operands in linear memory, in the view of their dtype. */
interface Placement {
  a: number;
  b: number;
  c: number;
}

/**
 * Computes C = op(A)·op(B) (or C += when `accumulate`) with the SIMD kernels and returns true.
 * Returns false without touching C when A, B and C differ in dtype or do not fit in linear
 * memory, so that the caller runs the TypeScript kernel instead.
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
  const start = workspaceAddress(kernels, MAX_THREADS);
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
  runGemmInMemory(kernels, size === 8, [
    transA ? 1 : 0, transB ? 1 : 0, m, n, k,
    place.a * size, lda, place.b * size, ldb, place.c * size, ldc, accumulate ? 1 : 0,
  ]);
  copyRows(view, place.c, c, cOffset, ldc, m, n);
  return true;
}

/** Arguments of sgemm and dgemm up to `accumulate`, without the workspace address. */
export type GemmArguments = [number, number, number, number, number, number, number, number, number, number, number, number];

/**
 * Runs sgemm (or dgemm when `double`) on operands already in linear memory, split over the worker
 * threads when the product has at least THREAD_MIN_FLOPS multiply-adds and threads are on.
 */
export function runGemmInMemory(kernels: WasmKernels, double: boolean, args: GemmArguments): void {
  const [, , m, n, k] = args;
  const job: KernelJob = { double, args: [...args, workspaceAddress(kernels, 0)] };
  const threads = m * n * k >= THREAD_MIN_FLOPS ? threadCount() : 1;
  if (threads > 1) {
    runParallel(kernels, splitJob(kernels, job, threads, double ? 8 : 4));
  } else {
    (double ? kernels.dgemm : kernels.sgemm)(...job.args);
  }
}

/**
 * Splits a job into up to `threads` jobs over disjoint column blocks of C (or row blocks when C
 * has more rows than columns), each a whole number of micro-tiles wide, with its own workspace.
 */
function splitJob(kernels: WasmKernels, job: KernelJob, threads: number, size: number): KernelJob[] {
  const [transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate] = job.args;
  const byColumns = n >= m;
  const extent = byColumns ? n : m;
  const unit = byColumns ? 8 : 4;
  const chunk = Math.ceil(extent / threads / unit) * unit;
  const jobs: KernelJob[] = [];
  for (let start = 0; start < extent; start += chunk) {
    const width = Math.min(chunk, extent - start);
    const work = workspaceAddress(kernels, jobs.length);
    if (byColumns) {
      const bStart = b + start * (transB ? ldb : 1) * size;
      jobs.push({ double: job.double, args: [transA, transB, m, width, k, a, lda, bStart, ldb, c + start * size, ldc, accumulate, work] });
    } else {
      const aStart = a + start * (transA ? 1 : lda) * size;
      jobs.push({ double: job.double, args: [transA, transB, width, n, k, aStart, lda, b, ldb, c + start * ldc * size, ldc, accumulate, work] });
    }
  }
  return jobs;
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
