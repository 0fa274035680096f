import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { activeKernels, getBackend, setBackend } from "../../core/backend/backend.js";
import { gemm, type FloatArray } from "../../core/backend/gemm.js";
import { type KernelJob, MAX_THREADS, runJobLists, setThreadCount, threadCount } from "../../core/backend/wasm/pool.js";
import { alignUp, ensureMemory, workspaceAddress } from "../../core/backend/wasm/runtime.js";

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

/** Runs gemm with `backend` on copies of the operands and returns C. */
function runOn(backend: "wasm" | "typescript", spec: Case, a: FloatArray, b: FloatArray, c: FloatArray): FloatArray {
  const { m, n, k, transA, transB, pad, offset, accumulate } = spec;
  const lda = (transA ? m : k) + pad;
  const ldb = (transB ? k : n) + pad;
  const out = c.slice();
  setBackend(backend);
  gemm(transA, transB, m, n, k, a, offset, lda, b, offset, ldb, out, offset, n + pad, accumulate);
  return out;
}

/** Compares every element of C from the two backends, and checks both left the padding alone. */
function compareBackends(dtype: Dtype, spec: Case, seed: number): void {
  const { m, n, k, transA, transB, pad, offset } = spec;
  const random = seededRandom(seed);
  const lda = (transA ? m : k) + pad;
  const ldb = (transB ? k : n) + pad;
  const ldc = n + pad;
  const a = randomArray(dtype, offset + (transA ? k : m) * lda, random);
  const b = randomArray(dtype, offset + (transB ? n : k) * ldb, random);
  const c = randomArray(dtype, offset + m * ldc, random);

  const reference = runOn("typescript", spec, a, b, c);
  const fast = runOn("wasm", spec, a, b, c);

  const elementA = (i: number, p: number) => a[offset + (transA ? p * lda + i : i * lda + p)];
  const elementB = (p: number, j: number) => b[offset + (transB ? j * ldb + p : p * ldb + j)];
  const label = `${dtype} ${JSON.stringify(spec)} seed ${seed}`;
  for (let at = 0; at < c.length; at++) {
    const i = Math.floor((at - offset) / ldc);
    const j = (at - offset) % ldc;
    if (at < offset || i >= m || j >= n) {
      if (fast[at] !== c[at]) expect.fail(`${label}: element ${at} outside C changed`);
      continue;
    }
    let scale = spec.accumulate ? Math.abs(c[at]) : 0;
    for (let p = 0; p < k; p++) scale += Math.abs(elementA(i, p) * elementB(p, j));
    const error = Math.abs(fast[at] - reference[at]);
    if (!(error <= TOLERANCE[dtype] * Math.max(scale, Number.MIN_VALUE))) {
      expect.fail(`${label}: C[${i}, ${j}] is ${fast[at]} on wasm, ${reference[at]} on typescript (scale ${scale})`);
    }
  }
}

/** The shapes of gemm.test.ts, plus sizes that fill whole micro-tiles and cross the wasm blocks. */
const SHAPES: Array<[number, number, number]> = [
  [0, 0, 0], [0, 5, 3], [4, 0, 3], [3, 4, 0], [1, 1, 1], [1, 7, 1], [7, 1, 5], [1, 1, 13],
  [2, 3, 5], [5, 3, 2], [13, 17, 19], [31, 37, 41],
  [64, 64, 64], [67, 61, 59], [1, 300, 257], [300, 1, 257],
  [131, 29, 263], [9, 4100, 5], [130, 13, 520],
  [8, 8, 8], [12, 16, 9], [73, 1030, 3], [150, 40, 600],
];

const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

describe("gemm on the wasm backend against the typescript backend", () => {
  beforeAll(() => {
    setBackend("wasm");
    if (getBackend() !== "wasm") {
      throw new Error("the WebAssembly kernels did not load; run `npm run build` to compile them");
    }
  });
  afterAll(() => setBackend("wasm"));

  for (const dtype of ["float32", "float64"] as const) {
    for (const [transA, transB] of TRANSPOSES) {
      it(`${dtype} transA=${transA} transB=${transB} over shapes`, () => {
        let seed = 1;
        for (const [m, n, k] of SHAPES) {
          for (const accumulate of [false, true]) {
            compareBackends(dtype, { m, n, k, transA, transB, pad: 0, offset: 0, accumulate }, seed++);
            compareBackends(dtype, { m, n, k, transA, transB, pad: 3, offset: 5, accumulate }, seed++);
          }
        }
      });
    }
  }

  it("overwrite ignores NaN already in C", () => {
    const [m, n, k] = [40, 40, 40];
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(2);
    const c = new Float32Array(m * n).fill(NaN);
    gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
    expect(Array.from(c)).toEqual(new Array(m * n).fill(2 * k));
  });

  it("mixed dtypes run on the typescript kernel and stay exact in float64", () => {
    const random = seededRandom(11);
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
});

describe("gemm split over worker threads", () => {
  const before = threadCount();
  afterAll(() => setThreadCount(before));

  it("matches the typescript backend on large shapes", () => {
    setThreadCount(2);
    expect(threadCount()).toBe(Math.min(2, MAX_THREADS));
    let seed = 100;
    for (const dtype of ["float32", "float64"] as const) {
      for (const [m, n, k] of [[130, 250, 140], [301, 97, 150], [64, 1030, 80]] as const) {
        for (const [transA, transB] of TRANSPOSES) {
          compareBackends(dtype, { m, n, k, transA, transB, pad: 3, offset: 5, accumulate: seed % 2 === 0 }, seed++);
        }
      }
    }
  });

  it("runs long job lists over several rounds", () => {
    // 150 independent 8×8×8 products, 75 per thread: more than one round of 64 jobs each.
    const kernels = activeKernels()!;
    const count = 150;
    const matrixBytes = alignUp(8 * 8 * 4, 64);
    const base = workspaceAddress(kernels, MAX_THREADS);
    expect(ensureMemory(kernels.memory, base + 3 * count * matrixBytes)).toBe(true);
    const view = new Float32Array(kernels.memory.buffer);
    const random = seededRandom(21);
    const at = (which: number, job: number): number => base + (which * count + job) * matrixBytes;
    for (let job = 0; job < count; job++) {
      for (let i = 0; i < 64; i++) {
        view[at(0, job) / 4 + i] = random() * 2 - 1;
        view[at(1, job) / 4 + i] = random() * 2 - 1;
      }
    }
    const jobOf = (job: number, thread: number): KernelJob => ({
      double: false,
      args: [0, 0, 8, 8, 8, at(0, job), 8, at(1, job), 8, at(2, job), 8, 0, workspaceAddress(kernels, thread)],
    });
    const outputs = (): number[] => Array.from(view.subarray(at(2, 0) / 4, at(2, count) / 4));

    setThreadCount(2);
    const jobs = Array.from({ length: count }, (_, job) => job);
    runJobLists(kernels, [jobs.slice(0, 75).map((job) => jobOf(job, 0)), jobs.slice(75).map((job) => jobOf(job, 1))]);
    const split = outputs();
    view.fill(0, at(2, 0) / 4, at(2, count) / 4);
    runJobLists(kernels, [jobs.map((job) => jobOf(job, 0))]);
    expect(split).toEqual(outputs());
    expect(split.some((value) => value !== 0)).toBe(true);
  });

  it("gives equal bits on 1 and 2 threads", () => {
    const random = seededRandom(7);
    for (const dtype of ["float32", "float64"] as const) {
      // Wider than tall splits by columns, taller than wide by rows.
      for (const [m, n, k] of [[130, 301, 150], [301, 130, 150]] as const) {
        for (const [transA, transB] of TRANSPOSES) {
          const spec = { m, n, k, transA, transB, pad: 1, offset: 2, accumulate: true };
          const a = randomArray(dtype, 2 + k * m + m + k + 1, random);
          const b = randomArray(dtype, 2 + k * n + n + k + 1, random);
          const c = randomArray(dtype, 2 + m * (n + 1), random);
          setThreadCount(1);
          const one = runOn("wasm", spec, a, b, c);
          setThreadCount(2);
          const two = runOn("wasm", spec, a, b, c);
          expect(Array.from(two), `${dtype} ${JSON.stringify(spec)}`).toEqual(Array.from(one));
        }
      }
    }
  });
});

describe("products with B packed once", () => {
  it("give sgemm's bits over several blocks, edges and both transposes", () => {
    const kernels = activeKernels()!;
    const sgemm = kernels.sgemm;
    const packAll = kernels.exports.packAllB32 as (transB: number, k: number, n: number, b: number, ldb: number, out: number) => void;
    const packedBytes = kernels.exports.packedBytesB32 as (k: number, n: number) => number;
    const multiply = kernels.exports.sgemmPackedB as (...args: number[]) => void;
    const random = seededRandom(31);
    // 300 deep and 1100 wide cross the 256-deep and 1024-wide block edges.
    for (const [m, n, k] of [[5, 1100, 300], [33, 29, 31], [4, 8, 1]] as const) {
      for (const [transA, transB] of TRANSPOSES) {
        const [lda, ldb] = [transA ? m : k, transB ? k : n];
        const words = [m * k, k * n, m * n, m * n].map((count) => alignUp(count * 4, 64));
        const base = workspaceAddress(kernels, MAX_THREADS);
        const [aAt, bAt, cAt, dAt] = words.map((_, i) => base + words.slice(0, i).reduce((x, y) => x + y, 0));
        const packedAt = dAt + words[3];
        expect(ensureMemory(kernels.memory, packedAt + packedBytes(k, n))).toBe(true);
        const view = new Float32Array(kernels.memory.buffer);
        for (let i = 0; i < m * k; i++) view[aAt / 4 + i] = random() * 2 - 1;
        for (let i = 0; i < k * n; i++) view[bAt / 4 + i] = random() * 2 - 1;
        for (let i = 0; i < m * n; i++) view[cAt / 4 + i] = view[dAt / 4 + i] = random() * 2 - 1;
        const work = workspaceAddress(kernels, 0);

        sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, aAt, lda, bAt, ldb, cAt, n, 1, work);
        packAll(transB ? 1 : 0, k, n, bAt, ldb, packedAt);
        multiply(transA ? 1 : 0, m, n, k, aAt, lda, packedAt, dAt, n, 1, work);
        const label = `${m}×${n}×${k} transA=${transA} transB=${transB}`;
        expect(Array.from(view.subarray(dAt / 4, dAt / 4 + m * n)), label).toEqual(Array.from(view.subarray(cAt / 4, cAt / 4 + m * n)));
      }
    }
  });
});
