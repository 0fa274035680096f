/**
 * Loads the compiled WebAssembly kernels (GEMM and the families that kernels.as.ts re-exports)
 * and manages their linear memory.
 *
 * There are two builds of the same kernels: kernels-fma.wasm uses relaxed SIMD, so its GEMM
 * multiplies and adds with one fused instruction, and kernels.wasm uses SIMD128 only. The fused
 * build loads where the runtime validates it (Node 22 and later, or Node 20 started with
 * --experimental-wasm-relaxed-simd). The SIMD128 build gives the same bits on every CPU.
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
import { setFlagsFromString } from "node:v8";

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
  /** True for the relaxed-SIMD build, whose GEMM fuses multiply and add. */
  readonly fused: boolean;
  /** Every export of the module, for kernel families beyond GEMM to look up their functions. */
  readonly exports: WebAssembly.Exports;
}

const PAGE = 65536;
/** Largest memory the module declares: 65536 pages, 4 GiB. */
const MAX_PAGES = 65536;

const FUSED_FILE = "kernels-fma.wasm";
const SIMD128_FILE = "kernels.wasm";

/**
 * Returns the paths of the .wasm files in order of preference. Each build is looked for beside
 * this file in dist/, then in dist/ seen from the sources. The fused build comes first when `fused` is true.
 */
export function defaultWasmFiles(fused = true): string[] {
  const names = fused ? [FUSED_FILE, SIMD128_FILE] : [SIMD128_FILE];
  return names.flatMap((name) => [
    fileURLToPath(new URL(`./${name}`, import.meta.url)),
    fileURLToPath(new URL(`../../../dist/core/backend/wasm/${name}`, import.meta.url)),
  ]);
}

/**
 * Lets this process run the fused build where the runtime has relaxed SIMD behind a flag (Node 20),
 * and returns whether the fused build now validates. The paramlab kernel calls it at startup, as
 * if it had been started with --experimental-wasm-relaxed-simd; it must run before any kernel
 * loads. A runtime without the build file or without relaxed SIMD returns false and is unchanged.
 */
export function enableRelaxedSimd(files: readonly string[] = defaultWasmFiles()): boolean {
  const file = files.find((path) => path.endsWith(FUSED_FILE) && existsSync(path));
  if (file === undefined || typeof WebAssembly !== "object") return false;
  const bytes = readFileSync(file);
  if (WebAssembly.validate(bytes)) return true;
  // V8 11 (Node 20) has relaxed SIMD behind this flag. Newer V8 validates the build without it,
  // so it never gets here. Other versions are left alone, because setting a flag V8 lacks prints an error.
  if (!/^11\./.test(process.versions.v8)) return false;
  setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(bytes);
}

/**
 * Compiles and instantiates the kernels from the first file of `files` that exists and validates.
 * @throws Error naming what is missing: WebAssembly, SIMD, shared memory or the file.
 */
export function loadKernels(files: readonly string[] = defaultWasmFiles()): WasmKernels {
  if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available in this runtime");
  if (typeof SharedArrayBuffer !== "function") throw new Error("SharedArrayBuffer is not available");
  const existing = files.filter((path) => existsSync(path));
  if (existing.length === 0) {
    throw new Error(`${files.at(-1)} not found (run \`npm run build\` to compile it)`);
  }
  const valid = firstValid(existing);
  if (valid === undefined) {
    throw new Error(`${existing.at(-1)} does not validate: the file may be damaged or stale (run \`npm run build\`), or this runtime lacks WebAssembly SIMD or threads`);
  }
  const { file, bytes } = valid;
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
    fused: file.endsWith(FUSED_FILE),
    exports,
  };
}

/** Reads `paths` in order and returns the first file that validates as WebAssembly here. */
function firstValid(paths: readonly string[]) {
  for (const file of paths) {
    const bytes = readFileSync(file);
    if (WebAssembly.validate(bytes)) return { file, bytes };
  }
  return undefined;
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
