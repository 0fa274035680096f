import { expect } from "vitest";
import { randn, Generator, Tensor, type DType } from "../../core/index.js";

/**
 * Naive references for op tests: plain loops over multi-indices, written independently of the
 * backend, and a comparison that treats NaN as equal to NaN and puts the inputs in its message.
 */

/** A reference result: a shape and its elements in row-major order. */
export interface Expected {
  shape: number[];
  data: number[];
}

/** Creates a seeded normal tensor that requires grad (float64 by default). */
export function seededTensor(shape: readonly number[], seed: number, dtype: DType = "float64"): Tensor {
  return randn(shape, { dtype, generator: new Generator(seed), requiresGrad: true });
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Returns the row-major multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + index[d];
  return flat;
}

/** Returns the elements of `t` as numbers in row-major order. */
export function flat(t: Tensor): number[] {
  return Array.from(t.dataSync(), Number);
}

/** Resolves a dim argument as the ops do: all dimensions when undefined, negatives from the end. */
export function resolveDims(dim: number | readonly number[] | undefined, rank: number): number[] {
  if (dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : [...dim];
  return list.map((d) => (d < 0 ? d + Math.max(rank, 1) : d)).filter((d) => d < rank);
}

/**
 * Reduces `data` of `shape` over `dims` by applying `reduce` to each slice's elements in row-major
 * order. `reduce` gets the slice's values and returns the reduced value.
 */
export function naiveReduce(
  data: readonly number[],
  shape: readonly number[],
  dims: readonly number[],
  keepdim: boolean,
  reduce: (values: number[]) => number,
): Expected {
  const kept = shape.map((size, d) => (dims.includes(d) ? 1 : size));
  const groups: number[][] = Array.from({ length: numel(kept) }, () => []);
  for (let i = 0; i < data.length; i++) {
    const index = unravel(i, shape).map((v, d) => (dims.includes(d) ? 0 : v));
    groups[ravel(index, kept)].push(data[i]);
  }
  const outShape = keepdim ? kept : shape.filter((_, d) => !dims.includes(d));
  return { shape: outShape, data: groups.map(reduce) };
}

/** Applies `fn` along `dim`: each slice of `shape` along `dim` maps to a slice of the same length. */
export function naiveAlong(data: readonly number[], shape: readonly number[], dim: number, fn: (slice: number[]) => number[]): Expected {
  const out = new Array<number>(data.length);
  const size = shape[dim];
  const outer = shape.map((s, d) => (d === dim ? 1 : s));
  for (let o = 0; o < numel(outer); o++) {
    const base = unravel(o, outer);
    const positions = Array.from({ length: size }, (_, k) => ravel(base.map((v, d) => (d === dim ? k : v)), shape));
    const result = fn(positions.map((p) => data[p]));
    positions.forEach((p, k) => (out[p] = result[k]));
  }
  return { shape: [...shape], data: out };
}

/** Computes the NumPy broadcast of shapes independently of the library. */
export function naiveBroadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    const sizes = shapes.map((s) => s[i - (rank - s.length)] ?? 1);
    return sizes.find((d) => d !== 1) ?? 1;
  });
}

/** Applies `fn` elementwise over the broadcast of the operands, each given as (data, shape). */
export function naiveElementwise(operands: readonly { data: readonly number[]; shape: readonly number[] }[], fn: (...values: number[]) => number): Expected {
  const shape = naiveBroadcastShape(...operands.map((o) => o.shape));
  const data = Array.from({ length: numel(shape) }, (_, i) => {
    const index = unravel(i, shape);
    const values = operands.map((o) => {
      const own = index.slice(shape.length - o.shape.length).map((v, d) => (o.shape[d] === 1 ? 0 : v));
      return o.data[ravel(own, o.shape)];
    });
    return fn(...values);
  });
  return { shape, data };
}

function sameNumber(a: number, b: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Tolerances per dtype for comparing a computed tensor with a float64 reference. */
export function tolerance(dtype: DType): { atol: number; rtol: number } {
  return dtype === "float32" ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-12, rtol: 1e-10 };
}

/** Checks shape and elements of `actual` against `expected`. `label` names the case in failures. */
export function expectTensor(actual: Tensor, expected: Expected, label: string, tol = tolerance(actual.dtype)): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const values = flat(actual);
  const bad = values.findIndex((v, i) => !sameNumber(v, expected.data[i], tol.atol, tol.rtol));
  expect(bad, `${label}: element ${bad} is ${values[bad]}, expected ${expected.data[bad]}`).toBe(-1);
}
