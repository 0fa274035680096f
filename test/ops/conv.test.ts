import { describe, expect, it } from "vitest";
import { functional, grad, gradcheck, gradgradcheck } from "../../core/autograd/index.js";
import {
  DTypeError,
  Generator,
  InvalidArgumentError,
  ShapeError,
  Tensor,
  conv1d,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  avgPool2d,
  maxPool2d,
  convTranspose1d,
  convTranspose2d,
  randn,
  tensor,
  zeros,
} from "../../core/index.js";

function input(shape: number[], seed: number, dtype: "float32" | "float64" = "float64"): Tensor {
  return randn(shape, { dtype, requiresGrad: true, generator: new Generator(seed) });
}

interface Conv2dCase {
  name: string;
  input: [number, number, number, number];
  /** [Cout, kH, kW]; the weight is [Cout, Cin/groups, kH, kW]. */
  kernel: [number, number, number];
  stride?: [number, number];
  padding?: [number, number] | "same";
  dilation?: [number, number];
  groups?: number;
  bias?: boolean;
}

/** Naive 2-D cross-correlation with PyTorch's semantics, including "same" padding (extra on the right). */
function referenceConv2d(x: Tensor, w: Tensor, b: Tensor | null, c: Conv2dCase): { shape: number[]; data: number[] } {
  const [n, cin, h, wd] = x.shape;
  const [cout, cg, kh, kw] = w.shape;
  const [sh, sw] = c.stride ?? [1, 1];
  const [dh, dw] = c.dilation ?? [1, 1];
  const groups = c.groups ?? 1;
  let [top, left, bottom, right] = [0, 0, 0, 0];
  if (c.padding === "same") {
    const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
    [top, left, bottom, right] = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
  } else if (c.padding) {
    [top, left, bottom, right] = [c.padding[0], c.padding[1], c.padding[0], c.padding[1]];
  }

  const outH = Math.floor((h + top + bottom - dh * (kh - 1) - 1) / sh) + 1;
  const outW = Math.floor((wd + left + right - dw * (kw - 1) - 1) / sw) + 1;

  const xs = x.dataSync();
  const ws = w.dataSync();
  const bs = b?.dataSync();
  const coutPerGroup = cout / groups;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let o = 0; o < cout; o++) {
      const group = Math.floor(o / coutPerGroup);
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          let sum = bs ? bs[o] : 0;
          for (let ci = 0; ci < cg; ci++) {
            const channel = group * cg + ci;
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const ih = oh * sh - top + i * dh;
                const iw = ow * sw - left + j * dw;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                sum += xs[((s * cin + channel) * h + ih) * wd + iw] * ws[((o * cg + ci) * kh + i) * kw + j];
              }
            }
          }
          out.push(sum);
        }
      }
    }
  }
  return { shape: [n, cout, outH, outW], data: out };
}

/** Naive transposed convolution: each input element scatters input × weight into the output. */
function referenceConvTranspose2d(
  x: Tensor, w: Tensor, stride: [number, number], padding: [number, number], outputPadding: [number, number], dilation: [number, number], groups: number,
): { shape: number[]; data: number[] } {
  const [n, cin, h, wd] = x.shape;
  const [, coutPerGroup, kh, kw] = w.shape;
  const cout = coutPerGroup * groups;
  const outH = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + outputPadding[0] + 1;
  const outW = (wd - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + outputPadding[1] + 1;
  const xs = x.dataSync();
  const ws = w.dataSync();
  const out = new Array<number>(n * cout * outH * outW).fill(0);
  const cinPerGroup = cin / groups;
  for (let s = 0; s < n; s++) {
    for (let ci = 0; ci < cin; ci++) {
      const group = Math.floor(ci / cinPerGroup);
      for (let ih = 0; ih < h; ih++) {
        for (let iw = 0; iw < wd; iw++) {
          for (let oc = 0; oc < coutPerGroup; oc++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const oh = ih * stride[0] - padding[0] + i * dilation[0];
                const ow = iw * stride[1] - padding[1] + j * dilation[1];
                if (oh < 0 || oh >= outH || ow < 0 || ow >= outW) continue;
                const channel = group * coutPerGroup + oc;
                out[((s * cout + channel) * outH + oh) * outW + ow] += xs[((s * cin + ci) * h + ih) * wd + iw] * ws[((ci * coutPerGroup + oc) * kh + i) * kw + j];
              }
            }
          }
        }
      }
    }
  }
  return { shape: [n, cout, outH, outW], data: out };
}

function expectClose(actual: Tensor, expected: { shape: number[]; data: number[] }, tolerance: number, label: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  const values = actual.dataSync();
  for (let i = 0; i < expected.data.length; i++) {
    const error = Math.abs(values[i] - expected.data[i]);
    expect(error, `${label} at flat index ${i}: got ${values[i]}, expected ${expected.data[i]}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(expected.data[i])));
  }
}

const cases: Conv2dCase[] = [
  { name: "3x3 padding 1 with bias", input: [2, 3, 6, 6], kernel: [4, 3, 3], padding: [1, 1], bias: true },
  { name: "stride 2 odd size", input: [1, 2, 7, 5], kernel: [3, 3, 3], stride: [2, 2] },
  { name: "stride and padding per dimension", input: [2, 2, 6, 9], kernel: [2, 2, 4], stride: [1, 3], padding: [2, 1], bias: true },
  { name: "dilation 2", input: [1, 3, 9, 8], kernel: [2, 3, 3], dilation: [2, 2], padding: [1, 0] },
  { name: "groups 2", input: [2, 4, 5, 5], kernel: [6, 3, 3], groups: 2, padding: [1, 1], bias: true },
  { name: "depthwise", input: [1, 3, 6, 6], kernel: [6, 3, 3], groups: 3, stride: [2, 2] },
  { name: "same padding even kernel", input: [2, 2, 5, 6], kernel: [3, 2, 4], padding: "same" },
  { name: "same padding with dilation", input: [1, 2, 7, 7], kernel: [2, 3, 3], padding: "same", dilation: [2, 3] },
  { name: "1x1 kernel", input: [3, 5, 4, 4], kernel: [2, 1, 1], bias: true },
  { name: "size-1 dims", input: [1, 1, 1, 5], kernel: [1, 1, 3], padding: [0, 1] },
  { name: "kernel covers input", input: [2, 2, 3, 3], kernel: [3, 3, 3] },
  { name: "batch of 5", input: [5, 2, 4, 4], kernel: [3, 2, 2], stride: [2, 1], bias: true },
];

function makeCase(c: Conv2dCase, seed: number, dtype: "float32" | "float64" = "float64"): { x: Tensor; w: Tensor; b: Tensor | null; options: object } {
  const groups = c.groups ?? 1;
  const x = input(c.input, seed, dtype);
  const w = input([c.kernel[0], c.input[1] / groups, c.kernel[1], c.kernel[2]], seed + 100, dtype);
  const b = c.bias ? input([c.kernel[0]], seed + 200, dtype) : null;
  const options = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  return { x, w, b, options };
}

describe("conv2d forward", () => {
  for (const dtype of ["float64", "float32"] as const) {
    const tolerance = dtype === "float64" ? 1e-12 : 1e-5;
    for (const [index, c] of cases.entries()) {
      it(`${c.name} (${dtype})`, () => {
        const { x, w, b, options } = makeCase(c, index, dtype);
        expectClose(conv2d(x, w, b, options), referenceConv2d(x, w, b, c), tolerance, c.name);
      });
    }
  }

  it("hand-derived 2x2 kernel", () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], { dtype: "float64" });
    const w = tensor([[[[1, 0], [0, -1]]]], { dtype: "float64" });
    expect(conv2d(x, w, [10]).toArray()).toEqual([[[[6, 6], [6, 6]]]]);
  });

  it("unbatched input", () => {
    const { x, w, b, options } = makeCase(cases[0], 1);
    const batched = conv2d(x, w, b, options);
    expect(conv2d(x.select(0, 1), w, b, options).toArray()).toEqual(batched.select(0, 1).toArray());
  });

  it("non-contiguous input", () => {
    const x = input([2, 3, 5, 4], 7);
    const w = input([2, 3, 3, 3], 8);
    const transposed = x.transpose(2, 3);
    expect(transposed.isContiguous()).toBe(false);
    expect(conv2d(transposed, w).toArray()).toEqual(conv2d(transposed.contiguous(), w).toArray());
  });

  it("empty batch", () => {
    expect(conv2d(zeros([0, 2, 4, 4]), zeros([3, 2, 3, 3])).shape).toEqual([0, 3, 2, 2]);
  });
});

describe("conv1d forward", () => {
  const oneD: { name: string; input: [number, number, number]; kernel: [number, number]; stride?: number; padding?: number | "same"; dilation?: number; groups?: number }[] = [
    { name: "kernel 3 padding 1", input: [2, 3, 10], kernel: [4, 3], padding: 1 },
    { name: "stride 2 dilation 2", input: [1, 2, 11], kernel: [3, 3], stride: 2, dilation: 2 },
    { name: "groups and same", input: [3, 4, 7], kernel: [2, 4], groups: 2, padding: "same" },
  ];
  for (const [index, c] of oneD.entries()) {
    it(c.name, () => {
      const groups = c.groups ?? 1;
      const x = input(c.input, index);
      const w = input([c.kernel[0], c.input[1] / groups, c.kernel[1]], index + 50);
      const b = input([c.kernel[0]], index + 60);
      const out = conv1d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
      const reference = referenceConv2d(x.unsqueeze(2), w.unsqueeze(2), b, {
        name: c.name,
        input: [c.input[0], c.input[1], 1, c.input[2]],
        kernel: [c.kernel[0], 1, c.kernel[1]],
        stride: [1, c.stride ?? 1],
        padding: c.padding === "same" ? "same" : [0, c.padding ?? 0],
        dilation: [1, c.dilation ?? 1],
        groups,
      });
      expectClose(out.unsqueeze(2), reference, 1e-12, c.name);
    });
  }

  it("unbatched input", () => {
    const w = input([2, 3, 3], 2);
    expect(conv1d(input([3, 8], 1), w).shape).toEqual([2, 6]);
  });
});

describe("convTranspose forward", () => {
  const transposed: { stride: [number, number]; padding: [number, number]; outputPadding: [number, number]; dilation: [number, number]; groups: number }[] = [
    { stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1], groups: 1 },
    { stride: [2, 2], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 1], groups: 1 },
    { stride: [3, 2], padding: [1, 1], outputPadding: [2, 1], dilation: [1, 2], groups: 2 },
    { stride: [1, 1], padding: [0, 1], outputPadding: [1, 0], dilation: [2, 1], groups: 2 },
  ];
  for (const [index, c] of transposed.entries()) {
    it(`stride ${c.stride} padding ${c.padding} outputPadding ${c.outputPadding} groups ${c.groups}`, () => {
      const x = input([2, 4, 4, 3], index);
      const w = input([4, 3, 3, 2], index + 10);
      const out = convTranspose2d(x, w, null, c);
      expectClose(out, referenceConvTranspose2d(x, w, c.stride, c.padding, c.outputPadding, c.dilation, c.groups), 1e-12, "convTranspose2d");
    });
  }

  it("bias and 1-D", () => {
    const x = input([2, 3, 5], 1);
    const w = input([3, 2, 3], 2);
    const b = tensor([1, -1], { dtype: "float64" });
    const out = convTranspose1d(x, w, b, { stride: 2 });
    const reference = referenceConvTranspose2d(x.unsqueeze(2), w.unsqueeze(2), [1, 2], [0, 0], [0, 0], [1, 1], 1);
    expectClose(out.unsqueeze(2), { ...reference, data: reference.data.map((v, i) => v + (Math.floor(i / 11) % 2 === 0 ? 1 : -1)) }, 1e-12, "convTranspose1d");
  });
});

/** The sum of elementwise products, ⟨a, b⟩. */
function inner(a: Tensor, b: Tensor): number {
  return a.mul(b).sum().item();
}

describe("conv2d gradient ops", () => {
  const options = { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 };
  const x = input([2, 4, 6, 5], 1);
  const w = input([6, 2, 3, 2], 2);
  const y = conv2d(x, w, null, options);
  const g = input(y.shape as number[], 3);

  it("are adjoints of conv2d", () => {
    const forward = inner(y, g);
    expect(inner(x, conv2dInputGrad(g, w, x.shape, options))).toBeCloseTo(forward, 10);
    expect(inner(w, conv2dWeightGrad(x, g, w.shape, options))).toBeCloseTo(forward, 10);
  });

  it("match backward", () => {
    conv2d(x, w, null, options).backward(g);
    expect(x.grad!.toArray()).toEqual(conv2dInputGrad(g, w, x.shape, options).toArray());
    expect(w.grad!.toArray()).toEqual(conv2dWeightGrad(x, g, w.shape, options).toArray());
  });

  it("cropped output of a strided conv", () => {
    // H = 6 with stride 2 and kernel 2 leaves row 5 unread, so its input gradient is zero.
    const xs = input([1, 1, 5, 5], 4);
    const ws = input([1, 1, 2, 2], 5);
    const out = conv2d(xs, ws, null, { stride: 2 });
    expect(out.shape).toEqual([1, 1, 2, 2]);
    const dx = conv2dInputGrad(input([1, 1, 2, 2], 6), ws, [1, 1, 5, 5], { stride: 2 });
    expect(dx.select(2, 4).abs().sum().item()).toBe(0);
  });
});

describe("conv gradients", () => {
  const checks: [string, Tensor[], (...t: Tensor[]) => Tensor][] = [
    ["conv2d with bias", [input([2, 2, 4, 4], 1), input([3, 2, 3, 3], 2), input([3], 3)], (a, b, c) => conv2d(a, b, c, { padding: 1 })],
    ["conv2d stride groups dilation", [input([1, 4, 5, 6], 4), input([2, 2, 2, 3], 5)], (a, b) => conv2d(a, b, null, { stride: [2, 1], dilation: [2, 1], groups: 2, padding: [1, 0] })],
    ["conv2d same even kernel", [input([1, 2, 4, 5], 6), input([2, 2, 2, 2], 7)], (a, b) => conv2d(a, b, null, { padding: "same" })],
    ["conv1d", [input([2, 2, 7], 8), input([2, 1, 3], 9), input([2], 10)], (a, b, c) => conv1d(a, b, c, { stride: 2, padding: 1, groups: 2 })],
    ["convTranspose2d", [input([1, 2, 3, 3], 11), input([2, 2, 3, 2], 12), input([2], 13)], (a, b, c) => convTranspose2d(a, b, c, { stride: 2, padding: 1, outputPadding: 1 })],
    ["conv2dInputGrad", [input([1, 3, 3, 3], 14), input([3, 2, 3, 3], 15)], (g, w) => conv2dInputGrad(g, w, [1, 2, 5, 5], { stride: 1, padding: 0 }).tanh()],
    ["conv2dWeightGrad", [input([2, 2, 5, 4], 16), input([2, 3, 3, 4], 17)], (x, g) => conv2dWeightGrad(x, g, [3, 2, 3, 3], { padding: [0, 1] }).tanh()],
  ];
  for (const [name, inputs, fn] of checks) {
    it(`${name} gradcheck and gradgradcheck`, () => {
      expect(gradcheck(fn, inputs).ok).toBe(true);
      expect(gradgradcheck(fn, inputs).ok).toBe(true);
    });
  }

  it("conv2d with a nonlinearity has exact second derivatives", () => {
    const fn = (x: Tensor, w: Tensor): Tensor => conv2d(conv2d(x, w, null, { padding: 1 }).tanh(), w, null, { padding: 1 });
    expect(gradgradcheck(fn, [input([1, 2, 4, 4], 18), input([2, 2, 3, 3], 19)]).ok).toBe(true);
  });
});

describe("conv errors", () => {
  it("names the op, both shapes and the fix for a channel mismatch", () => {
    const call = (): Tensor => conv2d(zeros([8, 3, 28, 28]), zeros([16, 1, 3, 3]));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(
      "conv2d: input of shape [8, 3, 28, 28] has 3 channels, but weight of shape [16, 1, 3, 3] with groups=1 expects 1 (weight.shape[1]·groups). " +
        "Make the layer's inChannels match the input's channel count.",
    );
  });

  it("rejects a wrong input or weight rank", () => {
    expect(() => conv2d(zeros([3, 28]), zeros([4, 3, 3, 3]))).toThrow(
      "conv2d: input of shape [3, 28] has rank 2; expected [N, C, H, W] (batched) or [C, H, W] (unbatched).",
    );
    expect(() => conv1d(zeros([1, 3, 28]), zeros([4, 3, 3, 3]))).toThrow("conv1d: weight of shape [4, 3, 3, 3] has rank 4; expected [Cout, Cin/groups, K].");
  });

  it("rejects groups that do not divide the channels", () => {
    expect(() => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow("which groups=2 does not divide");
  });

  it("rejects a bias of the wrong size", () => {
    expect(() => conv2d(zeros([1, 2, 5, 5]), zeros([3, 2, 3, 3]), zeros([2]))).toThrow("expected bias of shape [3]");
  });

  it("rejects a kernel larger than the input", () => {
    expect(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3]))).toThrow("conv2d: input of shape [1, 1, 2, 2] is smaller than the kernel [3, 3]");
  });

  it("rejects bad options", () => {
    expect(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { stride: 2, padding: "same" })).toThrow('conv2d: padding="same" needs stride 1');
    expect(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { stride: 0 })).toThrow("conv2d: stride=0 is invalid");
    expect(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { pad: 1 } as never)).toThrow('conv2d: unknown option "pad"');
    expect(() => convTranspose2d(zeros([1, 1, 3, 3]), zeros([1, 1, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(InvalidArgumentError);
  });

  it("rejects mixed dtypes and integer input", () => {
    expect(() => conv2d(zeros([1, 1, 5, 5], { dtype: "float64" }), zeros([1, 1, 3, 3]))).toThrow(DTypeError);
    expect(() => conv2d(zeros([1, 1, 5, 5], { dtype: "int32" }), zeros([1, 1, 3, 3]))).toThrow("conv2d: input has dtype int32");
  });

  it("rejects a gradient of the wrong shape", () => {
    expect(() => conv2dInputGrad(zeros([1, 2, 4, 4]), zeros([2, 1, 3, 3]), [1, 1, 5, 5])).toThrow(
      "conv2dInputGrad: grad of shape [1, 2, 4, 4] does not match the conv2d output [1, 2, 3, 3]",
    );
  });
});

describe("small CNN second order", () => {
  const x = randn([2, 1, 6, 6], { dtype: "float64", generator: new Generator(30) });
  const w = input([2, 1, 3, 3], 31);
  const v = randn([2, 1, 3, 3], { dtype: "float64", generator: new Generator(32) });
  const loss = (weight: Tensor): Tensor => {
    const hidden = maxPool2d(conv2d(x, weight, null, { padding: 1 }).tanh(), 2);
    const pooled = avgPool2d(conv2d(hidden, weight.sum(1, { keepdim: true }).expand(2, 2, 3, 3), null, { padding: 1 }), 3);
    return pooled.mul(pooled).sum();
  };
  const gradient = (weight: Tensor): Float64Array => {
    const leaf = weight.detach().requiresGrad_();
    return grad(loss(leaf), leaf)[0]!.dataSync() as Float64Array;
  };

  it("Hessian matches differences of the gradient", () => {
    const hessian = (functional.hessian(loss, w) as Tensor).reshape(18, 18).dataSync();
    const eps = 1e-6;
    const base = w.detach().dataSync() as Float64Array;
    for (let j = 0; j < 18; j++) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[j] += eps;
      minus[j] -= eps;
      const gPlus = gradient(Tensor.fromTypedArray(plus, [2, 1, 3, 3]));
      const gMinus = gradient(Tensor.fromTypedArray(minus, [2, 1, 3, 3]));
      for (let i = 0; i < 18; i++) {
        const numerical = (gPlus[i] - gMinus[i]) / (2 * eps);
        expect(Math.abs(hessian[i * 18 + j] - numerical), `H[${i}, ${j}]: ${hessian[i * 18 + j]} vs ${numerical}`).toBeLessThan(1e-5 * (1 + Math.abs(numerical)));
      }
    }
  });

  it("hvp equals the Hessian times v", () => {
    const hessian = (functional.hessian(loss, w) as Tensor).reshape(18, 18);
    const [, product] = functional.hvp(loss, w, v);
    const expected = hessian.matmul(v.reshape(18)).dataSync();
    const actual = (product as Tensor).dataSync();
    for (let i = 0; i < 18; i++) expect(actual[i]).toBeCloseTo(expected[i], 9);
  });
});
