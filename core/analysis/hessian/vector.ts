import { Generator, Tensor, defaultGenerator } from "../../tensor/index.js";

/**
 * Flat float64 vectors over a list of parameters: the Hessian estimators work on one vector of
 * length n = Σ numel(params), in the parameters' order, whatever their shapes and dtypes.
 */

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + alpha·x, in place. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scaled(alpha: number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
  return out;
}

/** Removes from `v`, in place, its components along each of the orthonormal `basis` vectors. */
export function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const q of basis) axpy(-dot(q, v), q, v);
}

/** Draws a vector of independent ±1 entries (Rademacher). */
export function rademacher(n: number, generator: Generator = defaultGenerator): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = generator.nextUint32() & 1 ? 1 : -1;
  return out;
}

/** Draws a vector of independent standard normal entries. */
export function gaussian(n: number, generator: Generator = defaultGenerator): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = generator.normal();
  return out;
}

/** Concatenates the values of `tensors` (zeros for null entries) into one float64 vector. */
export function flatten(tensors: readonly (Tensor | null)[], like: readonly Tensor[]): Float64Array {
  const out = new Float64Array(like.reduce((n, t) => n + t.numel(), 0));
  let offset = 0;
  tensors.forEach((tensor, i) => {
    if (tensor !== null) out.set(tensor.dataSync(), offset);
    offset += like[i].numel();
  });
  return out;
}

/** Splits a flat vector into tensors shaped and typed like `like` (new storage, no grad). */
export function unflatten(vector: Float64Array, like: readonly Tensor[]): Tensor[] {
  let offset = 0;
  return like.map((param) => {
    const size = param.numel();
    const part = vector.subarray(offset, offset + size);
    offset += size;
    const data = param.dtype === "float64" ? Float64Array.from(part) : Float32Array.from(part);
    return Tensor.fromTypedArray(data, param.shape);
  });
}
