import { describe, expect, it } from "vitest";

import { gemm, type FloatArray } from "../../core/backend/gemm.js";

type Dtype = "float32" | "float64";

/** Relative tolerance per dtype, scaled by Σ|a|·|b| (+ |c| when accumulating) for each element. */
const TOLERANCE: Record<Dtype, number> = { float32: 1e-5, float64: 1e-12 };

/** Returns a mulberry32 generator, so every run uses the same inputs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(dtype: Dtype, length: number, random: () => number): FloatArray {
  const data = dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) data[i] = random() * 2 - 1;
  return data;
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Extra elements per stored row beyond the matrix width. */
  pad: number;
  /** Elements before each matrix in its array. */
  offset: number;
  accumulate: boolean;
}

/** Runs gemm on random inputs and compares every element of C with a naive triple loop. */
function checkCase(dtype: Dtype, spec: Case, seed: number): void {
  const { m, n, k, transA, transB, pad, offset, accumulate } = spec;
  const random = seededRandom(seed);
  const rowsA = transA ? k : m;
  const colsA = transA ? m : k;
  const rowsB = transB ? n : k;
  const colsB = transB ? k : n;
  const lda = colsA + pad;
  const ldb = colsB + pad;
  const ldc = n + pad;
  const a = randomArray(dtype, offset + rowsA * lda, random);
  const b = randomArray(dtype, offset + rowsB * ldb, random);
  const c = randomArray(dtype, offset + m * ldc, random);
  const before = c.slice();

  gemm(transA, transB, m, n, k, a, offset, lda, b, offset, ldb, c, offset, ldc, accumulate);

  const elementA = (i: number, p: number) => a[offset + (transA ? p * lda + i : i * lda + p)];
  const elementB = (p: number, j: number) => b[offset + (transB ? j * ldb + p : p * ldb + j)];
  const label = `${dtype} ${JSON.stringify(spec)} seed ${seed}`;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const at = offset + i * ldc + j;
      let expected = accumulate ? before[at] : 0;
      let scale = accumulate ? Math.abs(before[at]) : 0;
      for (let p = 0; p < k; p++) {
        expected += elementA(i, p) * elementB(p, j);
        scale += Math.abs(elementA(i, p) * elementB(p, j));
      }
      const error = Math.abs(c[at] - expected);
      if (!(error <= TOLERANCE[dtype] * Math.max(scale, Number.MIN_VALUE))) {
        expect.fail(`${label}: C[${i}, ${j}] = ${c[at]}, expected ${expected} (scale ${scale})`);
      }
    }
  }
  expectUntouchedOutsideC(c, before, offset, m, n, ldc, label);
}

/** Checks that the offset prefix, row padding and tail of C keep their values. */
function expectUntouchedOutsideC(
  c: FloatArray, before: FloatArray, offset: number, m: number, n: number, ldc: number, label: string,
): void {
  for (let at = 0; at < c.length; at++) {
    const row = Math.floor((at - offset) / ldc);
    const col = (at - offset) % ldc;
    const inside = at >= offset && row < m && col < n;
    if (!inside && c[at] !== before[at]) {
      expect.fail(`${label}: element ${at} outside C changed from ${before[at]} to ${c[at]}`);
    }
  }
}

/** Shapes [m, n, k]: empty, unit, primes, non-square, and sizes that cross every block edge. */
const SHAPES: Array<[number, number, number]> = [
  [0, 0, 0], [0, 5, 3], [4, 0, 3], [3, 4, 0], [1, 1, 1], [1, 7, 1], [7, 1, 5], [1, 1, 13],
  [2, 3, 5], [5, 3, 2], [13, 17, 19], [31, 37, 41],
  [64, 64, 64], [67, 61, 59], [1, 300, 257], [300, 1, 257],
  // Past the packed block sizes: 128 rows, 256 depth and 4092 columns.
  [131, 29, 263], [9, 4100, 5], [130, 13, 520],
];

const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

describe("gemm", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${dtype} transA=${transA} transB=${transB} over shapes`, () => {
        let seed = 1;
        for (const [m, n, k] of SHAPES) {
          for (const accumulate of [false, true]) {
            checkCase(dtype, { m, n, k, transA, transB, pad: 0, offset: 0, accumulate }, seed++);
            checkCase(dtype, { m, n, k, transA, transB, pad: 3, offset: 5, accumulate }, seed++);
          }
        }
      });
    }
  }

  it("mixed dtypes float32 A, float64 B and C", () => {
    const random = seededRandom(7);
    const [m, n, k] = [37, 41, 43];
    const a = randomArray("float32", m * k, random);
    const b = randomArray("float64", k * n, random);
    const c = new Float64Array(m * n);
    gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let expected = 0;
        for (let p = 0; p < k; p++) expected += a[i * k + p] * b[p * n + j];
        expect(Math.abs(c[i * n + j] - expected)).toBeLessThan(1e-12 * k);
      }
    }
  });

  it("overwrite ignores NaN already in C", () => {
    for (const [m, n, k] of [[2, 2, 2], [40, 40, 40]]) {
      const a = new Float64Array(m * k).fill(1);
      const b = new Float64Array(k * n).fill(2);
      const c = new Float64Array(m * n).fill(NaN);
      gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
      expect(Array.from(c)).toEqual(new Array(m * n).fill(2 * k));
    }
  });

  it("k = 0 zeroes C unless accumulating", () => {
    const c = new Float32Array([1, 2, 3, 4, 5, 6]);
    const empty = new Float32Array(0);
    gemm(false, false, 2, 2, 0, empty, 0, 1, empty, 0, 2, c, 0, 3, true);
    expect(Array.from(c)).toEqual([1, 2, 3, 4, 5, 6]);
    gemm(false, false, 2, 2, 0, empty, 0, 1, empty, 0, 2, c, 0, 3, false);
    expect(Array.from(c)).toEqual([0, 0, 3, 0, 0, 6]);
  });

  it("documented 2×3 by 3×2 example", () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([7, 8, 9, 10, 11, 12]);
    const c = new Float32Array(4);
    gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });
});

describe("gemm argument errors", () => {
  const a = new Float32Array(6);
  const b = new Float32Array(6);
  const c = new Float32Array(4);

  it("negative size names the argument", () => {
    expect(() => gemm(false, false, -1, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false)).toThrow(
      "gemm: m must be a non-negative integer, got -1",
    );
  });

  it("fractional size names the argument", () => {
    expect(() => gemm(false, false, 2, 2, 1.5, a, 0, 3, b, 0, 2, c, 0, 2, false)).toThrow(
      "gemm: k must be a non-negative integer, got 1.5",
    );
  });

  it("leading dimension below row width", () => {
    expect(() => gemm(false, false, 2, 2, 3, a, 0, 2, b, 0, 2, c, 0, 2, false)).toThrow(
      "gemm: leading dimension of A must be an integer of at least 3 (the stored row width), got 2",
    );
    expect(() => gemm(false, true, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false)).toThrow(
      "leading dimension of B must be an integer of at least 3",
    );
  });

  it("matrix past the end of its array", () => {
    expect(() => gemm(false, false, 2, 2, 3, a, 1, 3, b, 0, 2, c, 0, 2, false)).toThrow(
      "gemm: A (2×3, offset 1, leading dimension 3) needs 7 elements but its array has 6",
    );
    expect(() => gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 3, false)).toThrow(
      "gemm: C (2×2, offset 0, leading dimension 3) needs 5 elements but its array has 4",
    );
  });

  it("negative offset names the matrix", () => {
    expect(() => gemm(false, false, 2, 2, 3, a, 0, 3, b, -2, 2, c, 0, 2, false)).toThrow(
      "gemm: offset of B must be a non-negative integer, got -2",
    );
  });
});
