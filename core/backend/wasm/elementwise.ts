/**
 * Runs elementwise loops on the WebAssembly SIMD kernels of elementwise.as.ts: copies the
 * operands into linear memory, computes there, and copies the result back.
 *
 * Only the expressions in UNARY_ROUTES and BINARY_ROUTES have a kernel. Each operand must be a
 * contiguous row repeated along the output. That covers an operand of the output's shape, a
 * broadcast bias row (strides 0 on leading dimensions) and a scalar. Every other layout returns
 * false, so that the caller runs its JavaScript loop.
 */
import type { StridedOperand } from "../elementwise.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { MAX_THREADS } from "./pool.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/** A kernel that computes one expression, and the smallest output size sent to it. */
export interface ElementwiseRoute {
  /** Op code of unaryF32/unaryF64 or binaryF32/binaryF64 in elementwise.as.ts. */
  readonly op: number;
  /** Whether a float64 kernel exists. Every route has a float32 kernel. */
  readonly float64: boolean;
  /** Smallest output size, in elements, that the loops send to the kernel. */
  readonly minSize: number;
}

/**
 * Output sizes from which the kernels run, from bench/elementwise.mjs under Node 20 on a 2-core
 * x86-64 machine. The kernels beat the JavaScript loop down to 8 elements there, because the
 * loop's per-call dispatch costs about as much as the copies. These thresholds sit where the
 * kernel was at least 1.3 times faster: 128 elements for plain arithmetic (~2 ns per element in
 * JavaScript), 32 for selects such as relu, and 16 for exp, sigmoid and tanh (~10 ns per element).
 */
const MIN_SIZE = { arithmetic: 128, select: 32, transcendental: 16 } as const;

const arithmetic = (op: number): ElementwiseRoute => ({ op, float64: true, minSize: MIN_SIZE.arithmetic });
const select = (op: number): ElementwiseRoute => ({ op, float64: true, minSize: MIN_SIZE.select });
const transcendental = (op: number): ElementwiseRoute => ({ op, float64: false, minSize: MIN_SIZE.transcendental });

/**
 * The expressions that core/ops passes to unaryLoop and binaryLoop and that have a kernel, keyed
 * by the exact expression string. The op codes match the constants in elementwise.as.ts.
 */
const UNARY_ROUTES: ReadonlyMap<string, ElementwiseRoute> = new Map([
  ["-x", arithmetic(0)],
  ["Math.abs(x)", arithmetic(1)],
  ["Math.sqrt(x)", arithmetic(2)],
  // relu, which keeps NaN as PyTorch does.
  ["x > 0 || x !== x ? x : 0", select(3)],
  ["(x > 0) ? 1 : 0", select(4)],
  ["Math.exp(x)", transcendental(5)],
  ["x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))", transcendental(6)],
  ["Math.tanh(x)", transcendental(7)],
]);

const BINARY_ROUTES: ReadonlyMap<string, ElementwiseRoute> = new Map([
  ["x + y", arithmetic(0)],
  ["x - y", arithmetic(1)],
  ["x * y", arithmetic(2)],
  ["x / y", arithmetic(3)],
  ["x > y ? x : y", select(4)],
  ["x < y ? x : y", select(5)],
  ["Math.max(x, y)", select(6)],
  ["Math.min(x, y)", select(7)],
]);

/** Returns the kernel for a unary expression, or undefined when it has none. */
export function unaryRoute(expression: string): ElementwiseRoute | undefined {
  return UNARY_ROUTES.get(expression);
}

/** Returns the kernel for a binary expression, or undefined when it has none. */
export function binaryRoute(expression: string): ElementwiseRoute | undefined {
  return BINARY_ROUTES.get(expression);
}

type UnaryKernel = (op: number, out: number, x: number, period: number, n: number) => number;
type BinaryKernel = (op: number, out: number, a: number, aPeriod: number, b: number, bPeriod: number, n: number) => number;

/**
 * Output elements per kernel call, at most. Large outputs run in chunks, so a chunk's copies stay
 * in cache and the operand area needs at most ~3 MiB (float32) or ~6 MiB (float64) for these
 * kernels. In bench/elementwise.mjs at 1.6M float32 elements, chunks of 2^18 ran relu ~1.4 times
 * faster than one call over the whole output, and chunks of 2^14 or 2^16 were no faster.
 */
export const CHUNK_SIZE = 1 << 18;

/**
 * Computes `out = f(x)` with the route's kernel and returns true, or returns false without
 * touching `out` when the dtypes or the layout do not fit a kernel.
 */
export function runUnary(
  kernels: WasmKernels, route: ElementwiseRoute, out: TypedArray, x: StridedOperand,
  shape: readonly number[], size: number,
): boolean {
  const float64 = kernelDtype(route, out, [x.data]);
  if (float64 === undefined) return false;
  const period = rowPeriod(x, shape, size);
  if (period < 0) return false;

  // A broadcast row is copied once. An operand of the output's size is copied chunk by chunk.
  const xRow = period < size;
  const chunk = chunkLength(size, xRow ? period : 1);
  const bytes = out.BYTES_PER_ELEMENT;
  const outAddress = workspaceAddress(kernels, MAX_THREADS);
  const xAddress = outAddress + paddedBytes(chunk, bytes);
  if (!ensureMemory(kernels.memory, xAddress + paddedBytes(xRow ? period : chunk, bytes))) return false;

  const view = memoryView(kernels, bytes);
  const kernel = kernels.exports[float64 ? "unaryF64" : "unaryF32"] as UnaryKernel;
  if (xRow) view.set(x.data.subarray(x.offset, x.offset + period), xAddress / bytes);
  for (let start = 0; start < size; start += chunk) {
    const length = Math.min(chunk, size - start);
    if (!xRow) view.set(x.data.subarray(x.offset + start, x.offset + start + length), xAddress / bytes);
    // The status is the same for every chunk, so only the first can fail, before `out` changes.
    if (kernel(route.op, outAddress, xAddress, xRow ? period : length, length) !== 1) return false;
    out.set(view.subarray(outAddress / bytes, outAddress / bytes + length), start);
  }
  return true;
}

/**
 * Computes `out = f(a, b)` with the route's kernel and returns true, or returns false without
 * touching `out` when the dtypes or the layouts do not fit a kernel.
 */
export function runBinary(
  kernels: WasmKernels, route: ElementwiseRoute, out: TypedArray, a: StridedOperand, b: StridedOperand,
  shape: readonly number[], size: number,
): boolean {
  const float64 = kernelDtype(route, out, [a.data, b.data]);
  if (float64 === undefined) return false;
  const aPeriod = rowPeriod(a, shape, size);
  const bPeriod = rowPeriod(b, shape, size);
  if (aPeriod < 0 || bPeriod < 0) return false;
  // Two broadcast scalars make every output element the same, so the JavaScript loop handles that.
  if (aPeriod === 1 && bPeriod === 1) return false;

  const aRow = aPeriod < size;
  const bRow = bPeriod < size;
  const chunk = chunkLength(size, Math.max(aRow ? aPeriod : 1, bRow ? bPeriod : 1));
  const bytes = out.BYTES_PER_ELEMENT;
  const outAddress = workspaceAddress(kernels, MAX_THREADS);
  const aAddress = outAddress + paddedBytes(chunk, bytes);
  const bAddress = aAddress + paddedBytes(aRow ? aPeriod : chunk, bytes);
  if (!ensureMemory(kernels.memory, bAddress + paddedBytes(bRow ? bPeriod : chunk, bytes))) return false;

  const view = memoryView(kernels, bytes);
  const kernel = kernels.exports[float64 ? "binaryF64" : "binaryF32"] as BinaryKernel;
  if (aRow) view.set(a.data.subarray(a.offset, a.offset + aPeriod), aAddress / bytes);
  if (bRow) view.set(b.data.subarray(b.offset, b.offset + bPeriod), bAddress / bytes);
  for (let start = 0; start < size; start += chunk) {
    const length = Math.min(chunk, size - start);
    if (!aRow) view.set(a.data.subarray(a.offset + start, a.offset + start + length), aAddress / bytes);
    if (!bRow) view.set(b.data.subarray(b.offset + start, b.offset + start + length), bAddress / bytes);
    const status = kernel(route.op, outAddress, aAddress, aRow ? aPeriod : length, bAddress, bRow ? bPeriod : length, length);
    if (status !== 1) return false;
    out.set(view.subarray(outAddress / bytes, outAddress / bytes + length), start);
  }
  return true;
}

/**
 * Returns the output elements per kernel call: at most CHUNK_SIZE, or one row when a row is
 * longer, and a whole number of rows of length `rowLength`. Every shorter broadcast row divides
 * `rowLength`, because row lengths are products of the same trailing dimensions.
 */
function chunkLength(size: number, rowLength: number): number {
  return Math.min(size, Math.max(1, Math.floor(CHUNK_SIZE / rowLength)) * rowLength);
}

/**
 * Returns true for float64 kernels, false for float32 ones, or undefined when the output and
 * the operands do not share one dtype that the route has a kernel for.
 */
function kernelDtype(route: ElementwiseRoute, out: TypedArray, operands: readonly TypedArray[]): boolean | undefined {
  const type = out.constructor;
  if (type !== Float32Array && !(type === Float64Array && route.float64)) return undefined;
  for (const data of operands) {
    if (data.constructor !== type) return undefined;
  }
  return type === Float64Array;
}

/**
 * Returns the length of the contiguous row that `operand` repeats along an output of `shape`:
 * `size` when it is contiguous with the output, the trailing-dimension product for a bias row
 * whose leading strides are 0, and 1 for a scalar. Returns -1 for any other layout.
 */
export function rowPeriod(operand: StridedOperand, shape: readonly number[], size: number): number {
  const strides = operand.strides;
  let period = 1;
  let d = shape.length - 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== period) break;
    period *= shape[d];
  }
  for (; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== 0) return -1;
  }
  return size % period === 0 ? period : -1;
}

/**
 * Bytes a region of `count` elements takes in linear memory: one spare 16-byte vector for the
 * kernels' whole-vector overrun, rounded up to a cache line.
 */
function paddedBytes(count: number, bytes: number): number {
  return alignUp(count * bytes + 16, 64);
}

function memoryView(kernels: WasmKernels, bytes: number): Float32Array | Float64Array {
  return bytes === 4 ? new Float32Array(kernels.memory.buffer) : new Float64Array(kernels.memory.buffer);
}
