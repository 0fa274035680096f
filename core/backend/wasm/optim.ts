/**
 * Runs optimizer updates on the WebAssembly kernels: copies the flat arrays into linear memory,
 * updates them there, and copies the changed ones back.
 */
import type { FloatArray } from "../../tensor/dtype.js";
import { MAX_THREADS } from "./pool.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/** The scalars of one Adam step, as the kernel takes them. */
export interface AdamScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** −1 to maximize, else 1. */
  sign: number;
  decay: number;
  decoupled: boolean;
  minusLr: number;
  biasCorrection1: number;
  sqrtBiasCorrection2: number;
}

type AdamKernel = (
  p: number, g: number, m: number, v: number, vmax: number, n: number,
  beta1: number, beta2: number, eps: number, sign: number, decay: number, decoupled: number,
  minusLr: number, biasCorrection1: number, sqrtBiasCorrection2: number,
) => void;

/**
 * Takes one Adam step in place on `param`, `m`, `v` and `vmax` (null without amsgrad), all of one
 * class and length, and returns true. Returns false, changing nothing, when they do not fit in
 * linear memory.
 */
export function wasmAdam(kernels: WasmKernels, param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, vmax: FloatArray | null, s: AdamScalars): boolean {
  const arrays = vmax === null ? [param, grad, m, v] : [param, grad, m, v, vmax];
  const size = param.BYTES_PER_ELEMENT;
  const stride = alignUp(param.length * size, 64);
  const start = workspaceAddress(kernels, MAX_THREADS);
  if (!ensureMemory(kernels.memory, start + stride * arrays.length)) return false;

  const view = size === 4 ? new Float32Array(kernels.memory.buffer) : new Float64Array(kernels.memory.buffer);
  const addresses = arrays.map((array, i) => {
    view.set(array, (start + i * stride) / size);
    return start + i * stride;
  });
  const kernel = (size === 4 ? kernels.exports.adam32 : kernels.exports.adam64) as AdamKernel;
  kernel(
    addresses[0], addresses[1], addresses[2], addresses[3], addresses[4] ?? 0, param.length,
    s.beta1, s.beta2, s.eps, s.sign, s.decay, s.decoupled ? 1 : 0, s.minusLr, s.biasCorrection1, s.sqrtBiasCorrection2,
  );
  arrays.forEach((array, i) => {
    // The gradient is only read.
    if (i !== 1) array.set(view.subarray(addresses[i] / size, addresses[i] / size + array.length));
  });
  return true;
}
