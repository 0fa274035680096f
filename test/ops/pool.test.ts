import { describe, expect, it } from "vitest";
import { gradcheck, gradgradcheck } from "../../core/autograd/index.js";
import {
  Generator,
  InvalidArgumentError,
  ShapeError,
  Tensor,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
  randn,
  tensor,
  zeros,
} from "../../core/index.js";

function input(shape: number[], seed: number, dtype: "float32" | "float64" = "float64"): Tensor {
  return randn(shape, { dtype, requiresGrad: true, generator: new Generator(seed) });
}

interface Window {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

/** PyTorch's pooling output size, written out independently of the library. */
function referenceSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

/** Naive pooling over [N, C, H, W] data; `mode` picks max or average with PyTorch's divisor rules. */
function referencePool(x: Tensor, w: Window, mode: "max" | "avg", countIncludePad = true): { shape: number[]; data: number[] } {
  const [n, c, h, wd] = x.shape;
  const data = x.dataSync();
  const outH = referenceSize(h, w.kernel[0], w.stride[0], w.padding[0], w.dilation[0], w.ceilMode);
  const outW = referenceSize(wd, w.kernel[1], w.stride[1], w.padding[1], w.dilation[1], w.ceilMode);
  const out: number[] = [];
  for (let b = 0; b < n * c; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let best = -Infinity;
        let sum = 0;
        let inside = 0;
        for (let i = 0; i < w.kernel[0]; i++) {
          for (let j = 0; j < w.kernel[1]; j++) {
            const ih = oh * w.stride[0] - w.padding[0] + i * w.dilation[0];
            const iw = ow * w.stride[1] - w.padding[1] + j * w.dilation[1];
            if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
            const v = data[b * h * wd + ih * wd + iw];
            best = Math.max(best, v);
            sum += v;
            inside++;
          }
        }
        // PyTorch's avg_pool divisor: the window clipped to the padded input, or the taps inside.
        const hStart = oh * w.stride[0] - w.padding[0];
        const wStart = ow * w.stride[1] - w.padding[1];
        const padded = (Math.min(hStart + w.kernel[0], h + w.padding[0]) - hStart) * (Math.min(wStart + w.kernel[1], wd + w.padding[1]) - wStart);
        out.push(mode === "max" ? best : sum / (countIncludePad ? padded : inside));
      }
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}

function expectClose(actual: Tensor, expected: { shape: number[]; data: number[] }, tolerance: number, label: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  const values = actual.dataSync();
  for (let i = 0; i < expected.data.length; i++) {
    expect(Math.abs(values[i] - expected.data[i]), `${label} at flat index ${i}: got ${values[i]}, expected ${expected.data[i]}`).toBeLessThanOrEqual(tolerance);
  }
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);

const cases: { name: string; shape: number[]; kernel: number | [number, number]; stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number]; ceilMode?: boolean }[] = [
  { name: "2x2 stride 2", shape: [2, 3, 6, 6], kernel: 2 },
  { name: "3x3 stride 1 padding 1", shape: [1, 2, 5, 5], kernel: 3, stride: 1, padding: 1 },
  { name: "odd size, ceil mode", shape: [2, 1, 7, 5], kernel: 2, ceilMode: true },
  { name: "ceil mode with padding", shape: [1, 2, 6, 7], kernel: 3, stride: 2, padding: 1, ceilMode: true },
  { name: "rectangular kernel", shape: [1, 1, 5, 8], kernel: [2, 3], stride: [1, 2], padding: [1, 0] },
  { name: "dilation 2", shape: [2, 2, 7, 7], kernel: 3, stride: 1, dilation: 2 },
  { name: "size-1 dims", shape: [1, 1, 1, 4], kernel: [1, 2] },
  { name: "kernel covers input", shape: [3, 2, 4, 4], kernel: 4 },
];

describe("maxPool2d and avgPool2d forward", () => {
  for (const dtype of ["float64", "float32"] as const) {
    const tolerance = dtype === "float64" ? 1e-12 : 1e-5;
    for (const [index, c] of cases.entries()) {
      it(`${c.name} (${dtype})`, () => {
        const x = input(c.shape, 10 + index, dtype);
        const window: Window = {
          kernel: pair(c.kernel),
          stride: pair(c.stride ?? c.kernel),
          padding: pair(c.padding ?? 0),
          dilation: pair(c.dilation ?? 1),
          ceilMode: c.ceilMode ?? false,
        };
        const options = { stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
        expectClose(maxPool2d(x, c.kernel, options), referencePool(x, window, "max"), tolerance, `maxPool2d ${c.name}`);
        if (window.dilation[0] === 1 && window.dilation[1] === 1) {
          const avgOptions = { stride: c.stride, padding: c.padding, ceilMode: c.ceilMode };
          expectClose(avgPool2d(x, c.kernel, avgOptions), referencePool(x, window, "avg"), tolerance, `avgPool2d ${c.name}`);
          expectClose(
            avgPool2d(x, c.kernel, { ...avgOptions, countIncludePad: false }),
            referencePool(x, window, "avg", false),
            tolerance,
            `avgPool2d countIncludePad=false ${c.name}`,
          );
        }
      });
    }
  }
});

describe("pooling hand-derived values", () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]], { dtype: "float64" });

  it("maxPool2d returns values and flat indices", () => {
    const [values, indices] = maxPool2d(x, 2, { returnIndices: true });
    expect(values.toArray()).toEqual([[[[6, 8], [14, 16]]]]);
    expect(indices.dtype).toBe("int32");
    expect(indices.toArray()).toEqual([[[[5, 7], [13, 15]]]]);
  });

  it("avgPool2d padding divisors", () => {
    // The corner window with padding 1 reads only x[0, 0] = 1 of its four positions.
    expect(avgPool2d(x, 2, { padding: 1 }).toArray()).toEqual([[[[0.25, 1.25, 1], [3.5, 8.5, 5], [3.25, 7.25, 4]]]]);
    expect(avgPool2d(x, 2, { padding: 1, countIncludePad: false }).toArray()).toEqual([[[[1, 2.5, 4], [7, 8.5, 10], [13, 14.5, 16]]]]);
    expect(avgPool2d(x, 2, { divisorOverride: 2 }).toArray()).toEqual([[[[7, 11], [23, 27]]]]);
  });

  it("adaptiveAvgPool1d uses floor and ceil bounds", () => {
    // L = 5 to 3 outputs: windows [0, 2), [1, 4), [3, 5).
    const y = adaptiveAvgPool1d(tensor([[[1, 2, 3, 4, 5]]], { dtype: "float64" }), 3);
    expect(y.toArray()).toEqual([[[1.5, 3, 4.5]]]);
  });

  it("maxPool2d propagates NaN", () => {
    const withNaN = tensor([[[[1, Number.NaN], [3, 4]]]], { dtype: "float64" });
    expect(Number.isNaN(maxPool2d(withNaN, 2).item())).toBe(true);
  });
});

/** Naive adaptive pooling over [N, C, H, W] with PyTorch's floor/ceil window bounds. */
function referenceAdaptive(x: Tensor, outH: number, outW: number, mode: "max" | "avg"): { shape: number[]; data: number[] } {
  const [n, c, h, w] = x.shape;
  const data = x.dataSync();
  const out: number[] = [];
  for (let b = 0; b < n * c; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const [h0, h1] = [Math.floor((i * h) / outH), Math.ceil(((i + 1) * h) / outH)];
        const [w0, w1] = [Math.floor((j * w) / outW), Math.ceil(((j + 1) * w) / outW)];
        const window: number[] = [];
        for (let r = h0; r < h1; r++) for (let s = w0; s < w1; s++) window.push(data[b * h * w + r * w + s]);
        out.push(mode === "max" ? Math.max(...window) : window.reduce((a, v) => a + v, 0) / window.length);
      }
    }
  }
  return { shape: [n, c, outH, outW], data: out };
}

describe("adaptive pooling forward", () => {
  const sizes: [number[], number, number][] = [
    [[2, 3, 7, 5], 3, 2],
    [[1, 2, 6, 6], 4, 4],
    [[1, 1, 5, 9], 1, 1],
    [[2, 1, 3, 3], 5, 4],
  ];
  for (const [shape, outH, outW] of sizes) {
    it(`[${shape}] to ${outH}x${outW}`, () => {
      const x = input(shape, outH * 7 + outW);
      expectClose(adaptiveAvgPool2d(x, [outH, outW]), referenceAdaptive(x, outH, outW, "avg"), 1e-12, "adaptiveAvgPool2d");
      expectClose(adaptiveMaxPool2d(x, [outH, outW]), referenceAdaptive(x, outH, outW, "max"), 0, "adaptiveMaxPool2d");
    });
  }

  it("null keeps an input size", () => {
    expect(adaptiveAvgPool2d(input([1, 2, 5, 6], 3), [null, 2]).shape).toEqual([1, 2, 5, 2]);
  });
});

describe("1-D and unbatched pooling", () => {
  it("1-D ops match the 2-D ops with H = 1", () => {
    const x = input([2, 3, 9], 4);
    const x2 = x.unsqueeze(2);
    const pairs: [Tensor, Tensor][] = [
      [maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 1 }), maxPool2d(x2, [1, 3], { stride: [1, 2], padding: [0, 1] })],
      [maxPool1d(x, 2, { dilation: 3, ceilMode: true }), maxPool2d(x2, [1, 2], { dilation: [1, 3], ceilMode: true })],
      [avgPool1d(x, 3, { padding: 1, countIncludePad: false }), avgPool2d(x2, [1, 3], { stride: [1, 3], padding: [0, 1], countIncludePad: false })],
      [adaptiveAvgPool1d(x, 4), adaptiveAvgPool2d(x2, [1, 4])],
      [adaptiveMaxPool1d(x, 4), adaptiveMaxPool2d(x2, [1, 4])],
    ];
    for (const [oneD, twoD] of pairs) expect(oneD.toArray()).toEqual(twoD.squeeze(2).toArray());
  });

  it("unbatched input gives unbatched output", () => {
    const x = input([3, 6, 6], 5);
    expect(maxPool2d(x, 2).toArray()).toEqual(maxPool2d(x.unsqueeze(0), 2).squeeze(0).toArray());
    expect(avgPool2d(x, 3, { stride: 1 }).shape).toEqual([3, 4, 4]);
    expect(maxPool1d(input([4, 10], 6), 2).shape).toEqual([4, 5]);
    const [, indices] = maxPool1d(input([4, 10], 6), 2, { returnIndices: true });
    expect(indices.shape).toEqual([4, 5]);
  });
});

describe("pooling empty batch", () => {
  it("keeps the zero batch dimension", () => {
    const empty = zeros([0, 2, 4, 4]);
    expect(maxPool2d(empty, 2).shape).toEqual([0, 2, 2, 2]);
    expect(avgPool2d(empty, 2).shape).toEqual([0, 2, 2, 2]);
    expect(adaptiveAvgPool2d(empty, 3).shape).toEqual([0, 2, 3, 3]);
  });
});

describe("pooling gradients", () => {
  const x = input([2, 2, 5, 5], 20);
  const checks: [string, (t: Tensor) => Tensor][] = [
    ["maxPool2d", (t) => maxPool2d(t, 2, { stride: 1 })],
    ["maxPool2d padding dilation ceil", (t) => maxPool2d(t, 2, { stride: 2, padding: 1, dilation: 2, ceilMode: true })],
    ["avgPool2d", (t) => avgPool2d(t, 3, { stride: 2, padding: 1 })],
    ["avgPool2d countIncludePad false", (t) => avgPool2d(t, [2, 3], { stride: 2, padding: 1, countIncludePad: false, ceilMode: true })],
    ["adaptiveAvgPool2d", (t) => adaptiveAvgPool2d(t, [3, 2])],
    ["adaptiveMaxPool2d", (t) => adaptiveMaxPool2d(t, [2, 3])],
    ["maxPool1d", (t) => maxPool1d(t.reshape(4, 25), 3, { stride: 2 })],
    ["avgPool1d", (t) => avgPool1d(t.reshape(2, 2, 25), 4, { stride: 3, padding: 2 })],
    ["adaptiveAvgPool1d", (t) => adaptiveAvgPool1d(t.reshape(2, 2, 25), 6)],
    ["adaptiveMaxPool1d", (t) => adaptiveMaxPool1d(t.reshape(4, 25), 7)],
  ];
  for (const [name, fn] of checks) {
    it(`${name} gradcheck and gradgradcheck`, () => {
      expect(gradcheck(fn, [x]).ok).toBe(true);
      expect(gradgradcheck(fn, [x]).ok).toBe(true);
    });
  }

  it("maxPool2d gradient lands on the argmax", () => {
    const t = tensor([[[[1, 5], [3, 2]]]], { dtype: "float64", requiresGrad: true });
    maxPool2d(t, 2).sum().backward();
    expect(t.grad!.toArray()).toEqual([[[[0, 1], [0, 0]]]]);
  });
});

describe("pooling errors", () => {
  it("rejects a wrong input rank", () => {
    expect(() => maxPool2d(input([4, 4], 1), 2)).toThrow(ShapeError);
    expect(() => maxPool2d(input([4, 4], 1), 2)).toThrow("maxPool2d: input of shape [4, 4] has rank 2; expected [N, C, H, W] (batched) or [C, H, W] (unbatched).");
  });

  it("rejects padding above half the kernel", () => {
    expect(() => avgPool2d(input([1, 1, 6, 6], 1), 2, { padding: 2 })).toThrow(InvalidArgumentError);
    expect(() => avgPool2d(input([1, 1, 6, 6], 1), 2, { padding: 2 })).toThrow("padding must be at most half the kernel size (1 here)");
  });

  it("rejects a window larger than the input", () => {
    expect(() => maxPool2d(input([1, 1, 2, 2], 1), 3)).toThrow("maxPool2d: an input dimension of size 2 with padding 0 is smaller than the window");
  });

  it("rejects bad hyperparameters", () => {
    expect(() => maxPool2d(input([1, 1, 4, 4], 1), 0)).toThrow("maxPool2d: kernelSize=0 is invalid; expected an integer >= 1 or an array of 2 such integers.");
    expect(() => maxPool2d(input([1, 1, 4, 4], 1), 2, { strides: 2 } as never)).toThrow('maxPool2d: unknown option "strides"');
    expect(() => adaptiveAvgPool2d(input([1, 1, 4, 4], 1), [2])).toThrow("adaptiveAvgPool2d: outputSize=[2] is invalid");
    expect(() => avgPool2d(input([1, 1, 4, 4], 1), 2, { divisorOverride: 0 })).toThrow("avgPool2d: divisorOverride=0 is invalid");
  });

  it("rejects integer input", () => {
    expect(() => maxPool2d(tensor([[[[1, 2], [3, 4]]]], { dtype: "int32" }), 2)).toThrow("maxPool2d: input has dtype int32; expected float32 or float64.");
  });
});
