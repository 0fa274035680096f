import { afterAll, describe, expect, it } from "vitest";

import * as pl from "../../core/index.js";
import { grad, gradgradcheck } from "../../core/autograd/index.js";
import { activeKernels } from "../../core/backend/backend.js";
import { conv2dGeometry } from "../../core/backend/im2col.js";
import { type ConvProblem, wasmConvBackward, wasmConvForward, wasmMaxPoolTiles } from "../../core/backend/wasm/conv.js";
import { MAX_THREADS, setThreadCount, threadCount } from "../../core/backend/wasm/pool.js";
import { type Backend, type Dtype, compareBackends as compareSeeded, runOn as runOnSeeded } from "../helpers/backends.js";

const SEED = 11;
const runOn = (backend: Backend, compute: () => pl.Tensor[]): Float64Array[] => runOnSeeded(backend, compute, SEED);
const compareBackends = (dtype: Dtype, label: string, compute: () => pl.Tensor[]): void => compareSeeded(dtype, label, compute, SEED);

interface ConvCase {
  name: string;
  input: [number, number, number, number];
  /** [Cout, kH, kW]; the weight is [Cout, Cin/groups, kH, kW]. */
  kernel: [number, number, number];
  options: pl.ConvOptions;
  bias: boolean;
}

const CASES: ConvCase[] = [
  { name: "3x3 padding 1, batch 3", input: [3, 4, 9, 9], kernel: [6, 3, 3], options: { padding: 1 }, bias: true },
  { name: "batch 1 odd size", input: [1, 3, 7, 11], kernel: [5, 3, 3], options: {}, bias: false },
  { name: "stride 2 padding 1", input: [2, 3, 13, 10], kernel: [4, 3, 3], options: { stride: 2, padding: 1 }, bias: true },
  { name: "stride per dimension", input: [2, 2, 11, 12], kernel: [3, 2, 4], options: { stride: [1, 3], padding: [2, 1] }, bias: true },
  { name: "dilation 2", input: [2, 3, 12, 10], kernel: [4, 3, 3], options: { dilation: 2, padding: [1, 2] }, bias: false },
  { name: "groups 2", input: [2, 4, 8, 8], kernel: [6, 3, 3], options: { groups: 2, padding: 1 }, bias: true },
  { name: "depthwise stride 2", input: [3, 3, 9, 9], kernel: [6, 3, 3], options: { groups: 3, stride: 2 }, bias: true },
  { name: "same padding even kernel", input: [2, 2, 9, 10], kernel: [3, 2, 4], options: { padding: "same" }, bias: false },
  { name: "same padding dilation 2", input: [2, 3, 8, 9], kernel: [4, 3, 3], options: { padding: "same", dilation: 2 }, bias: true },
  { name: "taps wholly in padding rows", input: [2, 2, 2, 5], kernel: [3, 5, 3], options: { padding: [3, 1] }, bias: true },
  { name: "padding wider than the image", input: [1, 2, 4, 2], kernel: [2, 3, 7], options: { padding: [1, 3] }, bias: false },
  { name: "1x1 kernel", input: [3, 5, 6, 7], kernel: [4, 1, 1], options: {}, bias: true },
  { name: "1x1 kernel groups 5", input: [2, 5, 4, 3], kernel: [10, 1, 1], options: { groups: 5 }, bias: false },
  { name: "1x1 kernel stride 2", input: [2, 3, 7, 7], kernel: [4, 1, 1], options: { stride: 2 }, bias: true },
  { name: "kernel covers input", input: [4, 2, 3, 3], kernel: [3, 3, 3], options: {}, bias: true },
  { name: "wide row, SIMD and tail", input: [2, 3, 5, 37], kernel: [8, 3, 3], options: { padding: 1 }, bias: true },
];

function makeCase(c: ConvCase, dtype: Dtype): { x: pl.Tensor; w: pl.Tensor; b: pl.Tensor | null } {
  const groups = c.options.groups ?? 1;
  const x = pl.randn(c.input, { dtype }).requiresGrad_();
  const w = pl.randn([c.kernel[0], c.input[1] / groups, c.kernel[1], c.kernel[2]], { dtype }).requiresGrad_();
  const b = c.bias ? pl.randn([c.kernel[0]], { dtype }).requiresGrad_() : null;
  return { x, w, b };
}

/** Returns y and the gradients of x, w (and b) for the loss Σ y·r with a random r. */
function forwardAndBackward(c: ConvCase, dtype: Dtype, createGraph: boolean): pl.Tensor[] {
  const { x, w, b } = makeCase(c, dtype);
  const y = pl.conv2d(x, w, b, c.options);
  const r = pl.randn(y.shape, { dtype });
  const inputs = b === null ? [x, w] : [x, w, b];
  const gradients = grad([y.mul(r).sum()], inputs, { createGraph });
  return [y, ...(gradients as pl.Tensor[])];
}

describe("conv2d on the wasm backend against the typescript backend", () => {
  afterAll(() => pl.setBackend("wasm"));

  for (const dtype of ["float32", "float64"] as const) {
    for (const c of CASES) {
      it(`${dtype} ${c.name}`, () => {
        compareBackends(dtype, `${c.name} one-pass backward`, () => forwardAndBackward(c, dtype, false));
        compareBackends(dtype, `${c.name} backward with graph`, () => forwardAndBackward(c, dtype, true));
      });
    }

    it(`${dtype} gradient ops and transposed convolution`, () => {
      compareBackends(dtype, "conv2dInputGrad and conv2dWeightGrad", () => {
        const x = pl.randn([3, 4, 10, 9], { dtype });
        const w = pl.randn([6, 2, 3, 2], { dtype });
        const options = { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 };
        const g = pl.randn(pl.conv2d(x, w, null, options).shape, { dtype });
        return [pl.conv2dInputGrad(g, w, x.shape, options), pl.conv2dWeightGrad(x, g, w.shape, options)];
      });
      compareBackends(dtype, "convTranspose2d", () => {
        const x = pl.randn([2, 4, 5, 6], { dtype });
        const w = pl.randn([4, 3, 3, 3], { dtype });
        const b = pl.randn([3], { dtype });
        return [pl.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 })];
      });
    });

    it(`${dtype} second derivative through conv and bias`, () => {
      compareBackends(dtype, "Hessian-vector product", () => {
        const x = pl.randn([2, 3, 7, 7], { dtype }).requiresGrad_();
        const w = pl.randn([4, 3, 3, 3], { dtype }).requiresGrad_();
        const b = pl.randn([4], { dtype }).requiresGrad_();
        const loss = pl.conv2d(x, w, b, { padding: 1 }).tanh().sum();
        const [gx, gw, gb] = grad([loss], [x, w, b], { createGraph: true }) as pl.Tensor[];
        const v = pl.randn(gw.shape, { dtype });
        const dot = gx.mul(gx).sum().add(gw.mul(v).sum()).add(gb.sum());
        return grad([dot], [x, w, b]) as pl.Tensor[];
      });
    });
  }

  it("float64 conv2d with bias passes gradgradcheck", () => {
    pl.setBackend("wasm");
    pl.manualSeed(5);
    const x = pl.randn([2, 2, 5, 4], { dtype: "float64" }).requiresGrad_();
    const w = pl.randn([4, 1, 2, 3], { dtype: "float64" }).requiresGrad_();
    const b = pl.randn([4], { dtype: "float64" }).requiresGrad_();
    const conv = (xs: pl.Tensor, ws: pl.Tensor, bs: pl.Tensor) => pl.conv2d(xs, ws, bs, { padding: [1, 0], stride: [1, 2], groups: 2 });
    expect(gradgradcheck(conv, [x, w, b]).ok).toBe(true);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} chunks of two images match one pass`, () => {
      // Batch 5 with room for two images per chunk leaves a last chunk of one.
      const [n, cin, h, w, cout] = [5, 4, 6, 7, 6];
      const options = { padding: 1, groups: 2 };
      compareBackends(dtype, "chunked forward and backward", () => {
        const x = pl.randn([n, cin, h, w], { dtype });
        const weight = pl.randn([cout, cin / 2, 3, 3], { dtype });
        const bias = pl.randn([cout], { dtype });
        const g = pl.randn([n, cout, h, w], { dtype });
        const kernels = activeKernels();
        if (kernels === null) {
          return [pl.conv2d(x, weight, bias, options), pl.conv2dInputGrad(g, weight, x.shape, options), pl.conv2dWeightGrad(x, g, weight.shape, options), g.sum([0, 2, 3])];
        }
        const size = dtype === "float32" ? 4 : 8;
        const chunkBytes = 2 * (2 * cin + cout) * h * w * size;
        const problem: ConvProblem = {
          batch: n, groups: 2, outChannels: cout,
          lowering: conv2dGeometry({ channels: cin, height: h, width: w, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1 }),
        };
        const operand = (t: pl.Tensor) => ({ data: t.storage.data as Float32Array | Float64Array, offset: t.offset });
        const [y, dx, dw, db] = [pl.zeros([n, cout, h, w], { dtype }), pl.zeros(x.shape, { dtype }), pl.zeros(weight.shape, { dtype }), pl.zeros([cout], { dtype })];
        expect(wasmConvForward(kernels, problem, operand(x), operand(weight), operand(bias), operand(y), chunkBytes)).toBe(true);
        const gradients = { input: operand(dx), weight: operand(dw), bias: operand(db) };
        expect(wasmConvBackward(kernels, problem, operand(x), operand(weight), operand(g), gradients, chunkBytes)).toBe(true);
        return [y, dx, dw, db];
      });
    });
  }

  it("float32 conv on two threads", () => {
    const before = threadCount();
    setThreadCount(2);
    try {
      expect(threadCount()).toBe(Math.min(2, MAX_THREADS));
      // Each per-image GEMM has 64·256·288 multiply-adds, above the size that splits over threads.
      const c: ConvCase = { name: "two threads", input: [2, 32, 16, 16], kernel: [64, 3, 3], options: { padding: 1 }, bias: true };
      compareBackends("float32", "conv2d on two threads, one-pass backward", () => forwardAndBackward(c, "float32", false));
      compareBackends("float32", "conv2d on two threads, backward with graph", () => forwardAndBackward(c, "float32", true));
    } finally {
      setThreadCount(before);
    }
  });

  it("conv runs one image per thread, with the same bits as one thread", () => {
    const before = threadCount();
    try {
      // Each per-image product has 64·196·288 = 3.6M multiply-adds: too small to split, large
      // enough to run one image per thread. Three images leave an odd one for the last round,
      // and two groups give two products per image.
      const cases: ConvCase[] = [
        { name: "images per thread", input: [3, 32, 14, 14], kernel: [64, 3, 3], options: { padding: 1 }, bias: true },
        { name: "images per thread, groups", input: [3, 64, 14, 14], kernel: [128, 3, 3], options: { padding: 1, groups: 2 }, bias: false },
      ];
      for (const c of cases) {
        setThreadCount(2);
        compareBackends("float32", `${c.name} on two threads`, () => forwardAndBackward(c, "float32", false));
        const two = runOn("wasm", () => forwardAndBackward(c, "float32", false));
        setThreadCount(1);
        const one = runOn("wasm", () => forwardAndBackward(c, "float32", false));
        two.forEach((values, i) => expect(Array.from(values), `${c.name}, output ${i}`).toEqual(Array.from(one[i])));
      }
    } finally {
      setThreadCount(before);
    }
  });

  it("empty batch gives an empty output and zero weight gradient", () => {
    pl.setBackend("wasm");
    const x = pl.zeros([0, 2, 5, 5]).requiresGrad_();
    const w = pl.randn([3, 2, 3, 3]).requiresGrad_();
    const b = pl.randn([3]).requiresGrad_();
    const y = pl.conv2d(x, w, b, { padding: 1 });
    expect(y.shape).toEqual([0, 3, 5, 5]);
    y.sum().backward();
    expect(Array.from(w.grad!.dataSync())).toEqual(new Array(54).fill(0));
    expect(Array.from(b.grad!.dataSync())).toEqual([0, 0, 0]);
  });
});

interface PoolCase {
  name: string;
  input: number[];
  kernel: number | number[];
  options: pl.MaxPoolOptions;
}

const POOL_CASES: PoolCase[] = [
  { name: "2x2 tiles, batch 3", input: [3, 4, 28, 28], kernel: 2, options: {} },
  { name: "2x2 tiles, odd size and row tail", input: [1, 3, 11, 13], kernel: 2, options: {} },
  { name: "2x2 tiles, narrower than one SIMD step", input: [2, 2, 6, 7], kernel: 2, options: {} },
  { name: "3x3 tiles", input: [2, 2, 9, 10], kernel: 3, options: {} },
  { name: "2x3 tiles", input: [2, 3, 8, 9], kernel: [2, 3], options: {} },
  { name: "overlapping windows", input: [2, 3, 9, 9], kernel: 3, options: { stride: 2 } },
  { name: "padding and dilation", input: [2, 2, 10, 9], kernel: 3, options: { padding: 1, dilation: 2 } },
  { name: "ceil mode partial tile", input: [2, 2, 7, 7], kernel: 2, options: { ceilMode: true } },
  { name: "unbatched", input: [3, 6, 10], kernel: 2, options: {} },
];

describe("maxPool2d on the wasm backend against the typescript backend", () => {
  afterAll(() => pl.setBackend("wasm"));

  for (const dtype of ["float32", "float64"] as const) {
    for (const c of POOL_CASES) {
      it(`${dtype} ${c.name}`, () => {
        compareBackends(dtype, c.name, () => {
          const x = pl.randn(c.input, { dtype }).requiresGrad_();
          const [y, indices] = pl.maxPool2d(x, c.kernel, { ...c.options, returnIndices: true });
          const r = pl.randn(y.shape, { dtype });
          const [dx] = grad([y.mul(r).sum()], [x]) as pl.Tensor[];
          return [y, indices, dx];
        });
      });
    }

    it(`${dtype} maxPool1d and adaptive max pooling over tiles`, () => {
      compareBackends(dtype, "maxPool1d", () => {
        const x = pl.randn([3, 5, 17], { dtype });
        return pl.maxPool1d(x, 2, { returnIndices: true });
      });
      compareBackends(dtype, "adaptiveMaxPool2d", () => {
        const x = pl.randn([2, 3, 12, 8], { dtype });
        return pl.adaptiveMaxPool2d(x, [6, 4], { returnIndices: true });
      });
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype} chunks of three planes match one pass`, () => {
      const [planes, inH, inW] = [7, 10, 9];
      compareBackends(dtype, "chunked max pooling", () => {
        const x = pl.randn([1, planes, inH, inW], { dtype });
        const kernels = activeKernels();
        if (kernels === null) return pl.maxPool2d(x, 2, { returnIndices: true });
        const size = dtype === "float32" ? 4 : 8;
        const [outH, outW] = [5, 4];
        const chunkBytes = 3 * (inH * inW * size + outH * outW * (size + 4));
        const values = pl.zeros([1, planes, outH, outW], { dtype });
        const indices = pl.zeros([1, planes, outH, outW], { dtype: "int32" });
        const pool = { planes, inHeight: inH, inWidth: inW, kernelHeight: 2, kernelWidth: 2, outHeight: outH, outWidth: outW };
        const data = { data: x.storage.data as Float32Array | Float64Array, offset: x.offset };
        const out = { data: values.storage.data as Float32Array | Float64Array, offset: 0 };
        expect(wasmMaxPoolTiles(kernels, pool, data, out, indices.storage.data as Int32Array, chunkBytes)).toBe(true);
        return [values, indices];
      });
    });
  }

  for (const backend of ["wasm", "typescript"] as const) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${backend} ${dtype} tiles pick NaN first and the first of ties`, () => {
        pl.setBackend(backend);
        // Eight 2×2 tiles in one row, so the float32 kernel runs four tiles per SIMD step.
        const top = [1, 5, NaN, 2, 3, 3, -Infinity, -Infinity, 0, NaN, 4, 4, 7, 1, 2, 2];
        const bottom = [5, 0, 9, NaN, 3, 3, -Infinity, -Infinity, NaN, 1, 4, 9, 0, 7, 8, 2];
        const x = pl.tensor([[[top, bottom]]], { dtype });
        const [y, indices] = pl.maxPool2d(x, 2, { returnIndices: true });
        expect(Array.from(y.dataSync())).toEqual([5, NaN, 3, -Infinity, NaN, 9, 7, 8]);
        expect(Array.from(indices.dataSync())).toEqual([1, 2, 4, 6, 9, 27, 12, 30]);

        // Six tiles: the float32 kernel's second step overlaps the first by two tiles.
        const narrow = pl.tensor([[[top.slice(0, 12), bottom.slice(0, 12)]]], { dtype });
        const [yNarrow, indicesNarrow] = pl.maxPool2d(narrow, 2, { returnIndices: true });
        expect(Array.from(yNarrow.dataSync())).toEqual([5, NaN, 3, -Infinity, NaN, 9]);
        expect(Array.from(indicesNarrow.dataSync())).toEqual([1, 2, 4, 6, 9, 23]);
      });
    }
  }
});
