import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

/** Naive float64 product of row-major [m, k] and [k, n] arrays. */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + p] * b[p * n + j];
  return out;
}

/** Shapes drawn once from a seeded stream: small and odd sizes, and depths past the gemm blocks. */
function shapeTable(): [number, number, number][] {
  const g = new pl.Generator(7);
  const pick = (choices: number[]): number => choices[g.integer(0, choices.length)];
  const table: [number, number, number][] = [[8, 300, 5], [1, 1, 1], [3, 257, 2], [64, 784, 10]];
  for (let i = 0; i < 16; i++) table.push([pick([1, 2, 5, 8, 17, 33]), pick([1, 3, 64, 255, 300, 513]), pick([1, 4, 5, 9, 31, 70])]);
  return table;
}

describe("matmul", () => {
  for (const [m, k, n] of shapeTable()) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`[${m}, ${k}] @ [${k}, ${n}] ${dtype}, plain and transposed`, () => {
        const generator = new pl.Generator(m * 1000 + k * 10 + n);
        const a = pl.randn([m, k], { dtype, generator });
        const bT = pl.randn([n, k], { dtype, generator });
        const b = bT.T.contiguous();
        const expected = naive(a.dataSync(), b.dataSync(), m, k, n);
        const scale = Math.sqrt(k);
        const tolerance = dtype === "float32" ? 1e-5 * scale : 1e-12 * scale;
        for (const [label, product] of [["contiguous", a.matmul(b)], ["transposed", a.matmul(bT.T)], ["both transposed", a.T.contiguous().T.matmul(bT.T)]] as const) {
          const actual = product.dataSync();
          let worst = 0;
          for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
          expect(worst, `${label}: worst absolute error`).toBeLessThan(tolerance);
        }
      });
    }
  }

  it("broadcasts batch dimensions", () => {
    const a = pl.randn([2, 1, 3, 4], { dtype: "float64" });
    const b = pl.randn([5, 4, 2], { dtype: "float64" });
    const out = a.matmul(b);
    expect(out.shape).toEqual([2, 5, 3, 2]);
    const reference = a.select(0, 1).select(0, 0).matmul(b.select(0, 3));
    expect(out.select(0, 1).select(0, 3).toArray()).toEqual(reference.toArray());
  });

  it("treats 1-D operands as vectors", () => {
    const v = pl.tensor([1, 2, 3], { dtype: "float64" });
    const m = pl.tensor([[1, 0], [0, 1], [1, 1]], { dtype: "float64" });
    expect(v.matmul(m).toArray()).toEqual([4, 5]);
    expect(m.T.matmul(v).toArray()).toEqual([4, 5]);
    expect(v.dot(v).item()).toBe(14);
  });

  it("names both shapes when inner dimensions differ", () => {
    expect(() => pl.zeros([64, 784]).matmul(pl.zeros([128, 10]))).toThrow(/matmul: cannot multiply \[64, 784\] by \[128, 10\]: inner dimensions 784 and 128 differ/);
  });

  it("rejects integer operands with the fix", () => {
    expect(() => pl.arange(4).reshape([2, 2]).matmul(pl.arange(4).reshape([2, 2]))).toThrow(/matmul needs float32 or float64. Convert with .float\(\)/);
  });
});
