/**
 * Selects the compute backend that gemm() runs on: "wasm" (WebAssembly SIMD kernels, the default
 * when they load) or "typescript" (the reference kernels in this folder, always available).
 *
 * The kernels load on first use. When WebAssembly, SIMD, shared memory or the compiled .wasm file
 * is missing, paramlab prints a one-line notice and stays on the TypeScript backend. Of the two
 * builds of the wasm kernels, the one with fused multiply-add runs where the runtime has relaxed
 * SIMD, unless setBackend turns it off.
 */
import { InvalidArgumentError } from "../tensor/errors.js";
import { MAX_THREADS, setThreadCount, threadCount } from "./wasm/pool.js";
import { defaultWasmFiles, loadKernels, type WasmKernels } from "./wasm/runtime.js";

/** Names accepted by setBackend(). */
export type BackendName = "wasm" | "typescript";

/** Settings of setBackend(); one left out keeps its earlier value. */
export interface BackendOptions {
  /**
   * Whether matrix products on the wasm backend may use fused multiply-add (the relaxed-SIMD
   * build, where the runtime has it: Node 22 and later, the paramlab kernel, or Node 20 started
   * with --experimental-wasm-relaxed-simd). It rounds once per multiply-add and is faster; false
   * selects the SIMD128 build, which rounds twice and gives the same bits on every CPU. Default true.
   */
  fusedMultiplyAdd?: boolean;
}

const BACKENDS: readonly BackendName[] = ["wasm", "typescript"];

let requested: BackendName = "wasm";
/** Loaded kernels, null after a failed load, undefined before the first attempt. */
let kernels: WasmKernels | null | undefined;
let fusedMultiplyAdd = true;
let wasmFiles: readonly string[] = defaultWasmFiles(fusedMultiplyAdd);

/**
 * Chooses the backend for all later computations. Selecting "wasm" where the kernels cannot load
 * prints a one-line notice and keeps the TypeScript backend. getBackend() returns the one that runs.
 * @example
 * pl.setBackend("typescript"); // the reference kernels
 * pl.getBackend(); // "typescript"
 * pl.setBackend("wasm", { fusedMultiplyAdd: false }); // the same bits on every CPU
 * @throws InvalidArgumentError for a name other than "wasm" or "typescript", or an option of the wrong type.
 */
export function setBackend(name: BackendName, options: BackendOptions = {}): void {
  if (!BACKENDS.includes(name)) {
    throw new InvalidArgumentError(
      `setBackend: backend must be "wasm" or "typescript", got ${JSON.stringify(name)}; ` +
        `pass one of those names`,
    );
  }
  checkBackendOptions(options);
  const fused = options.fusedMultiplyAdd ?? fusedMultiplyAdd;
  requested = name;
  if (fused !== fusedMultiplyAdd) {
    fusedMultiplyAdd = fused;
    reloadKernels(defaultWasmFiles(fused));
  }
  if (name !== "wasm") return;
  const loaded = activeKernels();
  if (loaded !== null && options.fusedMultiplyAdd === true && !loaded.fused) {
    console.warn(
      "paramlab: using the SIMD128 kernels because this runtime lacks relaxed SIMD for the fused multiply-add build. " +
        "Run Node 22 or later, or start Node 20 with node --experimental-wasm-relaxed-simd.",
    );
  }
}

/** Throws unless `options` is an object whose only key is fusedMultiplyAdd, a boolean. */
function checkBackendOptions(options: unknown): asserts options is BackendOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `setBackend: options must be an object such as { fusedMultiplyAdd: false }, got ${JSON.stringify(options)}; pass an object or leave it out`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== "fusedMultiplyAdd") {
      throw new InvalidArgumentError(`setBackend: unknown option ${JSON.stringify(key)}; the only option is fusedMultiplyAdd`);
    }
    if (typeof value !== "boolean") {
      throw new InvalidArgumentError(
        `setBackend: fusedMultiplyAdd must be true or false, got ${JSON.stringify(value)}; pass a boolean or leave it out`,
      );
    }
  }
}

/** Returns the backend that computations run on: "wasm" when its kernels loaded, else "typescript". */
export function getBackend(): BackendName {
  return activeKernels() === null ? "typescript" : "wasm";
}

/** Returns the WebAssembly kernels when the wasm backend is selected and loads, else null. */
export function activeKernels(): WasmKernels | null {
  if (requested !== "wasm") return null;
  if (kernels === undefined) {
    try {
      kernels = loadKernels(wasmFiles);
    } catch (error) {
      kernels = null;
      const reason = error instanceof Error ? error.message : String(error);
      console.warn(`paramlab: using the TypeScript backend because the WebAssembly kernels cannot load: ${reason}`);
    }
  }
  return kernels;
}

/**
 * Forgets the loaded kernels so that the next use loads them again from `files` (the built
 * .wasm files by default). Tests use it to simulate a missing kernel file.
 */
export function reloadKernels(files: readonly string[] = defaultWasmFiles(fusedMultiplyAdd)): void {
  wasmFiles = files;
  kernels = undefined;
}

/**
 * Sets how many threads large matrix products on the wasm backend use, the calling thread
 * included, as torch.set_num_threads does. Counts above the number of cores (at most 4) are
 * capped. The default is every core, or PARAMLAB_NUM_THREADS when set. Smaller products always
 * stay on one thread, and the typescript backend uses one thread whatever the count.
 * @example
 * pl.setNumThreads(1); // no worker threads
 * @throws InvalidArgumentError for a count that is not a positive integer.
 */
export function setNumThreads(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidArgumentError(
      `setNumThreads: count must be a positive integer, got ${typeof count === "string" ? JSON.stringify(count) : String(count)}; ` +
        `pass a whole number from 1 (no worker threads) to ${MAX_THREADS} (every core)`,
    );
  }
  setThreadCount(Math.min(count, MAX_THREADS));
}

/** Returns how many threads large matrix products use. */
export function getNumThreads(): number {
  return threadCount();
}
