import { isGradEnabled } from "../autograd/grad_mode.js";
import { record } from "../autograd/node.js";
import { activeKernels } from "../backend/backend.js";
import { gemm } from "../backend/gemm.js";
import { type Conv2dGeometry, col2im, im2col } from "../backend/im2col.js";
import { type ConvProblem, wasmConvBackward, wasmConvForward, wasmConvInputGrad, wasmConvWeightGrad } from "../backend/wasm/conv.js";
import type { DType, FloatArray } from "../tensor/dtype.js";
import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { add } from "./arithmetic.js";
import { sum } from "./reduce.js";
import { contiguous, reshape } from "./shape.js";
import { checkSpatialInput, layoutName, spatialTuple, windowCount } from "./spatial.js";
import { type TensorLike, checkOptions, describe, empty, toTensor } from "./util.js";

/**
 * Convolution as im2col + GEMM, with PyTorch's semantics (cross-correlation, weight
 * [Cout, Cin/groups, kH, kW]).
 *
 * Three ops close the set under differentiation. For y = conv(x, w):
 *   dx = conv2dInputGrad(dy, w)   (a transposed convolution)
 *   dw = conv2dWeightGrad(x, dy)
 * Each is bilinear, and the gradient of each is one of the three again, because
 * ⟨conv(x, w), g⟩ = ⟨x, inputGrad(g, w)⟩ = ⟨w, weightGrad(x, g)⟩. So createGraph gives exact
 * derivatives of any order. conv1d runs as conv2d with H = 1.
 */

/** Options of conv1d and conv2d; sizes are one integer or one per spatial dimension. */
export interface ConvOptions {
  /** The step between output positions. Default 1. */
  stride?: number | readonly number[];
  /**
   * Implicit zero padding on both sides of each spatial dimension. Default 0. "valid" means 0;
   * "same" pads so the output size equals the input size (stride 1 only), putting the extra
   * element of an odd total on the right, as PyTorch does.
   */
  padding?: number | readonly number[] | "same" | "valid";
  /** The spacing between kernel taps. Default 1. */
  dilation?: number | readonly number[];
  /** The number of blocked connections from input channels to output channels. Default 1. */
  groups?: number;
}

/** The resolved hyperparameters of a 2-D convolution, per dimension [H, W]. */
interface ConvGeometry {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padBefore: readonly [number, number];
  readonly padAfter: readonly [number, number];
  readonly groups: number;
}

const CONV_OPTIONS = ["stride", "padding", "dilation", "groups"];

/**
 * Resolves conv options for `spatialRank` dimensions into 2-D geometry; a 1-D convolution gets
 * stride 1, dilation 1 and no padding along H. `kernel` is [kH, kW] (kH = 1 for 1-D).
 */
function resolveGeometry(op: string, options: ConvOptions | undefined, spatialRank: 1 | 2, kernel: readonly number[]): ConvGeometry {
  const opts = checkOptions(op, options, CONV_OPTIONS);
  const toPair = (values: number[], fill: number): [number, number] => (spatialRank === 1 ? [fill, values[0]] : [values[0], values[1]]);
  const stride = toPair(spatialTuple(op, "stride", opts.stride ?? 1, spatialRank, 1), 1);
  const dilation = toPair(spatialTuple(op, "dilation", opts.dilation ?? 1, spatialRank, 1), 1);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new InvalidArgumentError(`${op}: groups=${JSON.stringify(opts.groups)} is invalid; expected a positive integer.`);
  }
  const padding = opts.padding ?? 0;
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new InvalidArgumentError(`${op}: padding="same" needs stride 1, got stride=${JSON.stringify(opts.stride)}. Pass explicit padding for strided convolutions.`);
    }
    const total = [0, 1].map((i) => dilation[i] * (kernel[i] - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return { stride, dilation, groups, padBefore: [before[0], before[1]], padAfter: [total[0] - before[0], total[1] - before[1]] };
  }
  const symmetric = toPair(padding === "valid" ? [0, 0] : spatialTuple(op, "padding", padding, spatialRank, 0), 0);
  return { stride, dilation, groups, padBefore: symmetric, padAfter: symmetric };
}

/** Computes the [outH, outW] that a convolution with `geometry` and kernel [kH, kW] gives for input [H, W]. */
function outputSize(geometry: ConvGeometry, inputHW: readonly number[], kernelHW: readonly number[]): [number, number] {
  const size = (i: number): number =>
    windowCount(inputHW[i], kernelHW[i], geometry.stride[i], geometry.padBefore[i], geometry.padAfter[i], geometry.dilation[i]);
  return [size(0), size(1)];
}

/** Converts an argument to a floating tensor; nested arrays take `dtype` (the input's). */
function floatTensor(op: string, name: string, value: TensorLike, dtype?: DType): Tensor {
  const t = toTensor(op, value, value instanceof Tensor ? undefined : dtype);
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: ${name} has dtype ${t.dtype}; expected float32 or float64. Convert it with .float().`);
  }
  return t;
}

function checkSameDtype(op: string, tensors: readonly [string, Tensor][]): void {
  const [firstName, first] = tensors[0];
  for (const [name, t] of tensors.slice(1)) {
    if (t.dtype !== first.dtype) {
      throw new DTypeError(`${op}: ${firstName} is ${first.dtype} but ${name} is ${t.dtype}; convert one so both have the same dtype (for example with .double()).`);
    }
  }
}

/**
 * Checks the channel counts of a convolution: input [N, Cin, …] against weight
 * [Cout, Cin/groups, …], both divisible by groups.
 */
function checkChannels(op: string, inputName: string, inputShape: readonly number[], cin: number, weightShape: readonly number[], groups: number): void {
  const [cout, cinPerGroup] = weightShape;
  if (cout % groups !== 0) {
    throw new ShapeError(`${op}: weight of shape ${formatShape(weightShape)} has ${cout} output channels, which groups=${groups} does not divide. Use a channel count divisible by groups.`);
  }
  if (cin !== cinPerGroup * groups) {
    throw new ShapeError(
      `${op}: ${inputName} of shape ${formatShape(inputShape)} has ${cin} channels, but weight of shape ${formatShape(weightShape)} ` +
        `with groups=${groups} expects ${cinPerGroup * groups} (weight.shape[1]·groups). Make the layer's inChannels match the ${inputName}'s channel count.`,
    );
  }
}

function checkWeight(op: string, weight: Tensor, spatialRank: 1 | 2): void {
  if (weight.ndim !== spatialRank + 2) {
    const form = spatialRank === 1 ? "[Cout, Cin/groups, K]" : "[Cout, Cin/groups, kH, kW]";
    throw new ShapeError(`${op}: weight of shape ${formatShape(weight.shape)} has rank ${weight.ndim}; expected ${form}.`);
  }
}

function checkOutput(op: string, inputShape: readonly number[], kernelHW: readonly number[], geometry: ConvGeometry, out: readonly number[]): void {
  if (out[0] >= 1 && out[1] >= 1) return;
  throw new ShapeError(
    `${op}: input of shape ${formatShape(inputShape)} is smaller than the kernel ${formatShape(kernelHW)} with dilation ${formatShape(geometry.dilation)} ` +
      `and padding ${formatShape(geometry.padBefore)}, so the output would be empty. Use a smaller kernel or more padding.`,
  );
}

/**
 * Computes y = conv(x, w) (+ bias) for x [N, Cin, H, W] and w [Cout, Cin/groups, kH, kW],
 * producing only the first outH × outW output positions (the gradient ops need a cropped output).
 */
function convolve(x: Tensor, w: Tensor, geometry: ConvGeometry, outHW: readonly number[], b: Tensor | null = null): Tensor {
  const input = contiguous(x);
  const weight = contiguous(w);
  const bias = b === null ? null : contiguous(b);
  const out = empty([input.shape[0], weight.shape[0], outHW[0], outHW[1]], input.dtype);
  convolveKernel(input, weight, bias, out, geometry);

  return record(
    out,
    "conv2d",
    bias === null ? [input, weight] : [input, weight, bias],
    (g, [xs, ws], needs) => convolveGradients(g, xs, ws, needs, geometry),
    [input, weight],
  );
}

/**
 * Returns the gradients of conv2d for the inputs that need them: input, weight and, when the op
 * has a bias (needs has three entries), the bias. Without a graph to record, the wasm backend
 * computes all of them in one pass over the output gradient.
 */
function convolveGradients(g: Tensor, x: Tensor, w: Tensor, needs: readonly boolean[], geometry: ConvGeometry): (Tensor | null)[] {
  if (!isGradEnabled()) {
    const fused = fusedGradients(g, x, w, needs, geometry);
    if (fused !== null) return fused;
  }
  const gradients = [
    needs[0] ? inputGradient(g, w, x.shape, geometry) : null,
    needs[1] ? weightGradient(x, g, w.shape, geometry) : null,
  ];
  if (needs.length > 2) gradients.push(needs[2] ? sum(g, [0, 2, 3]) : null);
  return gradients;
}

/** Computes the needed conv2d gradients with wasmConvBackward, or returns null when it cannot run. */
function fusedGradients(g: Tensor, x: Tensor, w: Tensor, needs: readonly boolean[], geometry: ConvGeometry): (Tensor | null)[] | null {
  const kernels = activeKernels();
  if (kernels === null) return null;
  const grad = contiguous(g);
  const outputs = [
    needs[0] ? empty(x.shape, x.dtype) : null,
    needs[1] ? empty(w.shape, w.dtype) : null,
    needs.length > 2 && needs[2] ? empty([w.shape[0]], w.dtype) : null,
  ];
  const problem = problemOf(sizesOf(x.shape, w.shape, grad.shape, geometry));
  const done = wasmConvBackward(kernels, problem, operandOf(x), operandOf(w), operandOf(grad), {
    input: outputs[0] === null ? null : operandOf(outputs[0]),
    weight: outputs[1] === null ? null : operandOf(outputs[1]),
    bias: outputs[2] === null ? null : operandOf(outputs[2]),
  });
  if (!done) return null;
  return needs.length > 2 ? outputs : outputs.slice(0, 2);
}

/** Computes the gradient of conv with respect to its input, a transposed convolution of g [N, Cout, outH, outW]. */
function inputGradient(g: Tensor, w: Tensor, inputShape: readonly number[], geometry: ConvGeometry): Tensor {
  const grad = contiguous(g);
  const weight = contiguous(w);
  const out = empty(inputShape, grad.dtype);
  inputGradKernel(grad, weight, out, geometry);

  const gradHW = grad.shape.slice(2);
  return record(
    out,
    "conv2dInputGrad",
    [grad, weight],
    (gg, [gs, ws], needs) => [
      needs[0] ? convolve(gg, ws, geometry, gradHW) : null,
      needs[1] ? weightGradient(gg, gs, ws.shape, geometry) : null,
    ],
    [grad, weight],
  );
}

/** Computes the gradient of conv with respect to its weight, from input x and output gradient g. */
function weightGradient(x: Tensor, g: Tensor, weightShape: readonly number[], geometry: ConvGeometry): Tensor {
  const input = contiguous(x);
  const grad = contiguous(g);
  const out = empty(weightShape, grad.dtype);
  weightGradKernel(input, grad, out, geometry);

  const gradHW = grad.shape.slice(2);
  return record(
    out,
    "conv2dWeightGrad",
    [input, grad],
    (gg, [xs, gs], needs) => [
      needs[0] ? inputGradient(gs, gg, xs.shape, geometry) : null,
      needs[1] ? convolve(xs, gg, geometry, gradHW) : null,
    ],
    [input, grad],
  );
}

/** Per-sample and per-group sizes of a convolution, as the kernels index them. */
function sizesOf(input: readonly number[], weight: readonly number[], grad: readonly number[], geometry: ConvGeometry) {
  const [n, cin, h, w] = input;
  const [cout, cinPerGroup, kh, kw] = weight;
  const [outH, outW] = [grad[2], grad[3]];
  const groups = geometry.groups;
  return {
    n, cin, h, w, cout, kh, kw, outH, outW, groups,
    /** Rows of one group's column matrix: Cin/groups · kH · kW. */
    k: cinPerGroup * kh * kw,
    coutPerGroup: cout / groups,
    positions: outH * outW,
    /** The lowering of one whole image; group g owns column rows g·k to (g + 1)·k − 1. */
    lowering: {
      channels: cin, height: h, width: w, kernelHeight: kh, kernelWidth: kw,
      strideHeight: geometry.stride[0], strideWidth: geometry.stride[1],
      paddingHeight: geometry.padBefore[0], paddingWidth: geometry.padBefore[1],
      dilationHeight: geometry.dilation[0], dilationWidth: geometry.dilation[1],
      outHeight: outH, outWidth: outW,
    } satisfies Conv2dGeometry,
  };
}

/** Describes a convolution for the wasm kernels. */
function problemOf(s: ReturnType<typeof sizesOf>): ConvProblem {
  return { batch: s.n, groups: s.groups, outChannels: s.cout, lowering: s.lowering };
}

/** Returns a contiguous tensor's storage and offset, as the wasm kernels take operands. */
function operandOf(t: Tensor): { data: FloatArray; offset: number } {
  return { data: t.storage.data as FloatArray, offset: t.offset };
}

/** Computes y[n, group] = W[group] · cols(x[n])[group] (+ bias) for every sample and group. */
function convolveKernel(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, geometry: ConvGeometry): void {
  const s = sizesOf(x.shape, w.shape, y.shape, geometry);
  const kernels = activeKernels();
  const biasOperand = bias === null ? null : operandOf(bias);
  if (kernels !== null && wasmConvForward(kernels, problemOf(s), operandOf(x), operandOf(w), biasOperand, operandOf(y))) return;

  const cols = new (x.storage.data.constructor as new (size: number) => FloatArray)(s.groups * s.k * s.positions);
  const [xData, wData, yData] = [x.storage.data as FloatArray, w.storage.data as FloatArray, y.storage.data as FloatArray];
  for (let b = 0; b < s.n; b++) {
    im2col(s.lowering, xData, x.offset + b * s.cin * s.h * s.w, cols, 0);
    for (let group = 0; group < s.groups; group++) {
      gemm(
        false, false, s.coutPerGroup, s.positions, s.k,
        wData, w.offset + group * s.coutPerGroup * s.k, s.k,
        cols, group * s.k * s.positions, s.positions,
        yData, (b * s.cout + group * s.coutPerGroup) * s.positions, s.positions, false,
      );
    }
  }
  if (biasOperand !== null) addBias(yData, biasOperand.data, biasOperand.offset, s.n, s.cout, s.positions);
}

/** Adds bias[c] to every element of plane c of each of `n` images in y. */
function addBias(y: FloatArray, bias: FloatArray, biasOffset: number, n: number, channels: number, positions: number): void {
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < channels; c++) {
      const value = bias[biasOffset + c];
      const start = (b * channels + c) * positions;
      for (let p = start; p < start + positions; p++) y[p] += value;
    }
  }
}

/** cols = W[group]ᵀ · g[n, group], then col2im adds the columns into dx[n]. */
function inputGradKernel(g: Tensor, w: Tensor, dx: Tensor, geometry: ConvGeometry): void {
  const s = sizesOf(dx.shape, w.shape, g.shape, geometry);
  const kernels = activeKernels();
  if (kernels !== null && wasmConvInputGrad(kernels, problemOf(s), operandOf(g), operandOf(w), operandOf(dx))) return;

  const cols = new (g.storage.data.constructor as new (size: number) => FloatArray)(s.groups * s.k * s.positions);
  const [gData, wData, dxData] = [g.storage.data as FloatArray, w.storage.data as FloatArray, dx.storage.data as FloatArray];
  for (let b = 0; b < s.n; b++) {
    for (let group = 0; group < s.groups; group++) {
      gemm(
        true, false, s.k, s.positions, s.coutPerGroup,
        wData, w.offset + group * s.coutPerGroup * s.k, s.k,
        gData, g.offset + (b * s.cout + group * s.coutPerGroup) * s.positions, s.positions,
        cols, group * s.k * s.positions, s.positions, false,
      );
    }
    col2im(s.lowering, cols, 0, dxData, b * s.cin * s.h * s.w);
  }
}

/** dW[group] = Σₙ g[n, group] · cols(x[n])[group]ᵀ. */
function weightGradKernel(x: Tensor, g: Tensor, dw: Tensor, geometry: ConvGeometry): void {
  const s = sizesOf(x.shape, dw.shape, g.shape, geometry);
  const kernels = activeKernels();
  if (kernels !== null && wasmConvWeightGrad(kernels, problemOf(s), operandOf(x), operandOf(g), operandOf(dw))) return;

  const cols = new (x.storage.data.constructor as new (size: number) => FloatArray)(s.groups * s.k * s.positions);
  const [xData, gData, dwData] = [x.storage.data as FloatArray, g.storage.data as FloatArray, dw.storage.data as FloatArray];
  for (let b = 0; b < s.n; b++) {
    im2col(s.lowering, xData, x.offset + b * s.cin * s.h * s.w, cols, 0);
    for (let group = 0; group < s.groups; group++) {
      gemm(
        false, true, s.coutPerGroup, s.k, s.positions,
        gData, g.offset + (b * s.cout + group * s.coutPerGroup) * s.positions, s.positions,
        cols, group * s.k * s.positions, s.positions,
        dwData, group * s.coutPerGroup * s.k, s.k, b > 0,
      );
    }
  }
}

/** A batched 4-D input, with the function that restores the caller's rank on the result. */
function batchedInput(op: string, input: Tensor, spatialRank: 1 | 2): { x: Tensor; restore: (out: Tensor) => Tensor } {
  const batched = checkSpatialInput(op, input, spatialRank);
  let x = batched ? input : reshape(input, [1, ...input.shape]);
  if (spatialRank === 1) x = reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
  const restore = (out: Tensor): Tensor => {
    let y = spatialRank === 1 ? reshape(out, [out.shape[0], out.shape[1], out.shape[3]]) : out;
    if (!batched) y = reshape(y, y.shape.slice(1));
    return y;
  };
  return { x, restore };
}

function convNd(op: string, inputValue: TensorLike, weightValue: TensorLike, biasValue: TensorLike | null | undefined, options: ConvOptions | undefined, spatialRank: 1 | 2): Tensor {
  const input = floatTensor(op, "input", inputValue);
  const weight = floatTensor(op, "weight", weightValue, input.dtype);
  const bias = biasValue === null || biasValue === undefined ? null : floatTensor(op, "bias", biasValue, input.dtype);
  checkWeight(op, weight, spatialRank);
  const { x, restore } = batchedInput(op, input, spatialRank);
  const w = spatialRank === 1 ? reshape(weight, [weight.shape[0], weight.shape[1], 1, weight.shape[2]]) : weight;
  const kernelHW = w.shape.slice(2);
  const geometry = resolveGeometry(op, options, spatialRank, kernelHW);
  checkSameDtype(op, bias ? [["input", input], ["weight", weight], ["bias", bias]] : [["input", input], ["weight", weight]]);
  checkChannels(op, "input", input.shape, x.shape[1], weight.shape, geometry.groups);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ShapeError(`${op}: bias of shape ${formatShape(bias.shape)} does not match weight of shape ${formatShape(weight.shape)}; expected bias of shape [${weight.shape[0]}] (one per output channel).`);
  }
  const outHW = outputSize(geometry, x.shape.slice(2), kernelHW);
  checkOutput(op, input.shape, kernelHW, geometry, outHW);

  // The wasm kernels add the bias inside the convolution; the TypeScript backend keeps a separate add.
  const fuseBias = bias !== null && activeKernels() !== null;
  let out = convolve(x, w, geometry, outHW, fuseBias ? bias : null);
  if (bias && !fuseBias) out = add(out, reshape(bias, [1, bias.shape[0], 1, 1]));
  return restore(out);
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch): input [N, Cin, H, W] or [Cin, H, W],
 * weight [Cout, Cin/groups, kH, kW], optional bias [Cout], output [N, Cout, outH, outW] with
 * outH = floor((H + 2·padding − dilation·(kH − 1) − 1) / stride) + 1 (likewise outW).
 * @example conv2d(x, w, b, { padding: 1 }) // [32, 1, 28, 28] * [32, 1, 3, 3] → [32, 32, 28, 28]
 */
export function conv2d(input: TensorLike, weight: TensorLike, bias?: TensorLike | null, options?: ConvOptions): Tensor {
  return convNd("conv2d", input, weight, bias, options, 2);
}

/**
 * 1-D convolution: input [N, Cin, L] or [Cin, L], weight [Cout, Cin/groups, K], optional bias
 * [Cout], output [N, Cout, Lout] with Lout = floor((L + 2·padding − dilation·(K − 1) − 1) / stride) + 1.
 */
export function conv1d(input: TensorLike, weight: TensorLike, bias?: TensorLike | null, options?: ConvOptions): Tensor {
  return convNd("conv1d", input, weight, bias, options, 1);
}

/** Checks that the gradient of a conv output has [N, Cout, outH, outW] for the given input and weight. */
function checkGradShape(op: string, grad: Tensor, inputShape: readonly number[], weightShape: readonly number[], geometry: ConvGeometry): void {
  const expected = [inputShape[0], weightShape[0], ...outputSize(geometry, inputShape.slice(2), weightShape.slice(2))];
  if (grad.ndim !== 4 || !expected.every((size, i) => grad.shape[i] === size)) {
    throw new ShapeError(
      `${op}: grad of shape ${formatShape(grad.shape)} does not match the conv2d output ${formatShape(expected)} for input ${formatShape(inputShape)} ` +
        `and weight ${formatShape(weightShape)}. Pass the gradient of that conv2d call's output, with the same options.`,
    );
  }
}

function checkShapeArgument(op: string, name: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`${op}: ${name}=${JSON.stringify(shape)} is invalid; expected four non-negative integers.`);
  }
}

/**
 * Computes the gradient of conv2d with respect to its input: a transposed convolution of `grad`
 * [N, Cout, outH, outW] by `weight` [Cout, Cin/groups, kH, kW], returned as `inputShape`
 * [N, Cin, H, W]. `options` are those of the conv2d call. Differentiable to any order.
 */
export function conv2dInputGrad(grad: TensorLike, weight: TensorLike, inputShape: readonly number[], options?: ConvOptions): Tensor {
  const op = "conv2dInputGrad";
  const g = floatTensor(op, "grad", grad);
  const w = floatTensor(op, "weight", weight);
  checkWeight(op, w, 2);
  checkShapeArgument(op, "inputShape", inputShape);
  const geometry = resolveGeometry(op, options, 2, w.shape.slice(2));
  checkSameDtype(op, [["grad", g], ["weight", w]]);
  checkChannels(op, "inputShape", inputShape, inputShape[1], w.shape, geometry.groups);
  checkGradShape(op, g, inputShape, w.shape, geometry);

  return inputGradient(g, w, inputShape, geometry);
}

/**
 * Computes the gradient of conv2d with respect to its weight, from its `input` [N, Cin, H, W] and the
 * gradient of its output `grad` [N, Cout, outH, outW], returned as `weightShape`
 * [Cout, Cin/groups, kH, kW]. `options` are those of the conv2d call. Differentiable to any order.
 */
export function conv2dWeightGrad(input: TensorLike, grad: TensorLike, weightShape: readonly number[], options?: ConvOptions): Tensor {
  const op = "conv2dWeightGrad";
  const x = floatTensor(op, "input", input);
  const g = floatTensor(op, "grad", grad);
  checkShapeArgument(op, "weightShape", weightShape);
  if (x.ndim !== 4) throw new ShapeError(`${op}: input of shape ${formatShape(x.shape)} has rank ${x.ndim}; expected ${layoutName(2)}.`);
  const geometry = resolveGeometry(op, options, 2, weightShape.slice(2));
  checkSameDtype(op, [["input", x], ["grad", g]]);
  checkChannels(op, "input", x.shape, x.shape[1], weightShape, geometry.groups);
  checkGradShape(op, g, x.shape, weightShape, geometry);

  return weightGradient(x, g, weightShape, geometry);
}

/** Options of convTranspose1d and convTranspose2d. */
export interface ConvTransposeOptions {
  stride?: number | readonly number[];
  /** Positions removed from each side of the full output, as in the output size formula. Default 0. */
  padding?: number | readonly number[];
  /** Extra size added to one side of the output, to pick among the sizes a stride maps to one input size. Default 0. */
  outputPadding?: number | readonly number[];
  dilation?: number | readonly number[];
  groups?: number;
}

function convTransposeNd(
  op: string, inputValue: TensorLike, weightValue: TensorLike, biasValue: TensorLike | null | undefined,
  options: ConvTransposeOptions | undefined, spatialRank: 1 | 2,
): Tensor {
  const input = floatTensor(op, "input", inputValue);
  const weight = floatTensor(op, "weight", weightValue, input.dtype);
  const bias = biasValue === null || biasValue === undefined ? null : floatTensor(op, "bias", biasValue, input.dtype);
  checkWeight(op, weight, spatialRank);
  const { outputPadding: outputPaddingOption, ...convOptions } = checkOptions(op, options, [...CONV_OPTIONS, "outputPadding"]);
  if (typeof convOptions.padding === "string") {
    throw new InvalidArgumentError(`${op}: padding=${JSON.stringify(convOptions.padding)} is invalid; expected a non-negative integer or one per spatial dimension.`);
  }
  const { x, restore } = batchedInput(op, input, spatialRank);
  const w = spatialRank === 1 ? reshape(weight, [weight.shape[0], weight.shape[1], 1, weight.shape[2]]) : weight;
  const kernelHW = w.shape.slice(2);
  const geometry = resolveGeometry(op, convOptions, spatialRank, kernelHW);
  const outputPadding = spatialTuple(op, "outputPadding", outputPaddingOption ?? 0, spatialRank, 0);
  checkSameDtype(op, bias ? [["input", input], ["weight", weight], ["bias", bias]] : [["input", input], ["weight", weight]]);
  if (x.shape[1] !== weight.shape[0] || weight.shape[0] % geometry.groups !== 0) {
    throw new ShapeError(
      `${op}: input of shape ${formatShape(input.shape)} has ${x.shape[1]} channels, but weight of shape ${formatShape(weight.shape)} ` +
        `expects ${weight.shape[0]} (weight.shape[0]), which groups=${geometry.groups} must divide. Make the layer's inChannels match the input's channel count.`,
    );
  }
  const outChannels = weight.shape[1] * geometry.groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${op}: bias of shape ${formatShape(bias.shape)} does not match ${outChannels} output channels (weight.shape[1]·groups); expected bias of shape [${outChannels}].`);
  }

  const outHW = [0, 1].map((i) => {
    const axis = spatialRank === 1 ? 0 : i;
    const extra = i === 0 && spatialRank === 1 ? 0 : outputPadding[axis];
    if (extra >= geometry.stride[i] && extra >= geometry.dilation[i]) {
      throw new InvalidArgumentError(
        `${op}: outputPadding=${JSON.stringify(outputPaddingOption)} is invalid; each entry must be smaller than the stride or the dilation of its dimension.`,
      );
    }
    return (x.shape[2 + i] - 1) * geometry.stride[i] - 2 * geometry.padBefore[i] + geometry.dilation[i] * (kernelHW[i] - 1) + extra + 1;
  });
  if (outHW[0] < 1 || outHW[1] < 1) {
    throw new ShapeError(`${op}: input of shape ${formatShape(input.shape)} with padding ${JSON.stringify(convOptions.padding)} gives an empty output; use less padding.`);
  }

  let out = inputGradient(x, w, [x.shape[0], outChannels, outHW[0], outHW[1]], geometry);
  if (bias) out = add(out, reshape(bias, [1, outChannels, 1, 1]));
  return restore(out);
}

/**
 * 2-D transposed convolution, the gradient of conv2d with respect to its input: input
 * [N, Cin, H, W] or [Cin, H, W], weight [Cin, Cout/groups, kH, kW], optional bias [Cout],
 * output [N, Cout, outH, outW] with
 * outH = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1 (likewise outW).
 * @example convTranspose2d(x, w, null, { stride: 2 }) // [1, 8, 7, 7] * [8, 4, 2, 2] → [1, 4, 14, 14]
 */
export function convTranspose2d(input: TensorLike, weight: TensorLike, bias?: TensorLike | null, options?: ConvTransposeOptions): Tensor {
  return convTransposeNd("convTranspose2d", input, weight, bias, options, 2);
}

/** 1-D transposed convolution: input [N, Cin, L], weight [Cin, Cout/groups, K]; see convTranspose2d. */
export function convTranspose1d(input: TensorLike, weight: TensorLike, bias?: TensorLike | null, options?: ConvTransposeOptions): Tensor {
  return convTransposeNd("convTranspose1d", input, weight, bias, options, 1);
}
