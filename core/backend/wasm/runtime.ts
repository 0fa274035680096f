/**
 * Loads the compiled WebAssembly kernels (GEMM and the families that kernels.as.ts re-exports)
 * and manages their linear memory.
 *
 * The module imports one shared WebAssembly.Memory, so worker threads can run kernels on the same
 * operands. The memory contains, in order: a first page for the thread pool's control block, one
 * scratch workspace per thread, then an operand area that grows to the largest call so far and
 * is reused by later calls.
 *
 * NOTE: Linear memory never shrinks, so it keeps the size of the largest GEMM so far (three
 * 4096×4096 float32 operands keep 192 MiB) until the process ends.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Signature shared by the exported sgemm and dgemm kernels (pointers are byte addresses). */
export type KernelFunction = (
  transA: number, transB: number, m: number, n: number, k: number,
  a: number, lda: number, b: number, ldb: number, c: number, ldc: number,
  accumulate: number, work: number,
) => void;

/** The instantiated kernels with their memory. */
export interface WasmKernels {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly sgemm: KernelFunction;
  readonly dgemm: KernelFunction;
  /** Bytes of scratch space one kernel call needs. */
  readonly workspaceBytes: number;
  /** Path of the .wasm file the kernels came from. */
  readonly file: string;
  /** Every export of the module, for kernel families beyond GEMM to look up their functions. */
  readonly exports: WebAssembly.Exports;
}

const PAGE = 65536;
/** Largest memory the module declares: 65536 pages, 4 GiB. */
const MAX_PAGES = 65536;

/** Places the .wasm file is looked for: beside this file in dist/, then dist/ seen from the sources. */
export function defaultWasmFiles(): string[] {
  return [
    fileURLToPath(new URL("./kernels.wasm", import.meta.url)),
    fileURLToPath(new URL("../../../dist/core/backend/wasm/kernels.wasm", import.meta.url)),
  ];
}

/**
 * Compiles and instantiates the kernels from the first existing file of `files`.
 * @throws Error naming what is missing: WebAssembly, SIMD, shared memory or the file.
 */
export function loadKernels(files: readonly string[] = defaultWasmFiles()): WasmKernels {
  if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available in this runtime");
  if (typeof SharedArrayBuffer !== "function") throw new Error("SharedArrayBuffer is not available");
  const file = files.find((path) => existsSync(path));
  if (file === undefined) {
    throw new Error(`${files[0]} not found (run \`npm run build\` to compile it)`);
  }
  const bytes = readFileSync(file);
  if (!WebAssembly.validate(bytes)) {
    throw new Error(`${file} does not validate: the file may be damaged or stale (run \`npm run build\`), or this runtime lacks WebAssembly SIMD or threads`);
  }
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  return {
    module,
    memory,
    sgemm: exports.sgemm as KernelFunction,
    dgemm: exports.dgemm as KernelFunction,
    workspaceBytes: (exports.workspaceBytes as () => number)(),
    file,
    exports,
  };
}

/** Grows `memory` to at least `bytes` bytes and returns true, or returns false past the maximum. */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) return false;
  memory.grow(pages);
  return true;
}

/** Byte address of thread `index`'s workspace; the operand area starts at workspaceAddress(threads). */
export function workspaceAddress(kernels: WasmKernels, index: number): number {
  return PAGE + index * alignUp(kernels.workspaceBytes, 64);
}

/** Rounds `bytes` up to a multiple of `alignment`. */
export function alignUp(bytes: number, alignment: number): number {
  return Math.ceil(bytes / alignment) * alignment;
}
