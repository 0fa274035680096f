import { record } from "../autograd/node.js";
import { activeKernels } from "../backend/backend.js";
import { wasmMaxPoolTiles } from "../backend/wasm/conv.js";
import type { FloatArray } from "../tensor/dtype.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { contiguous, reshape } from "./shape.js";
import { checkSpatialInput, spatialTuple, windowCount } from "./spatial.js";
import { type TensorLike, checkOptions, empty, toTensor } from "./util.js";

/**
 * Max, average and adaptive pooling over 1-D and 2-D inputs, with PyTorch's window rules.
 *
 * Every pooling op is built on one description per spatial axis: the input positions each output
 * position reads, and the factor an average multiplies by. Average pooling is a linear map A, so
 * its gradient is the adjoint Aᵀ, and the gradient of Aᵀ is A again. Max pooling gathers the
 * input at the argmax positions; its gradient scatters into those positions, and the gradient of
 * that scatter is the same gather. Both pairs are therefore differentiable to any order.
 */

/** The input positions each output position along one spatial axis reads, and its average factor. */
interface AxisWindows {
  readonly inSize: number;
  readonly outSize: number;
  /** Output o reads positions[offsets[o]] up to positions[offsets[o + 1] − 1], all in [0, inSize). */
  readonly offsets: Int32Array;
  readonly positions: Int32Array;
  /** The factor an average multiplies the sum of output o's window by. */
  readonly scale: Float64Array;
}

function makeWindows(inSize: number, outSize: number, window: (o: number) => { taps: number[]; scale: number }): AxisWindows {
  const offsets = new Int32Array(outSize + 1);
  const scale = new Float64Array(outSize);
  const positions: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const { taps, scale: factor } = window(o);
    positions.push(...taps);
    offsets[o + 1] = positions.length;
    scale[o] = factor;
  }
  return { inSize, outSize, offsets, positions: Int32Array.from(positions), scale };
}

/** The single window of a size-1 axis, used to run 1-D pooling as 2-D pooling with H = 1. */
const UNIT_AXIS: AxisWindows = makeWindows(1, 1, () => ({ taps: [0], scale: 1 }));

interface SlidingAxis {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
  ceilMode: boolean;
}

/**
 * Windows of a sliding pool along an axis of `inSize`. Output o starts at o·stride − padding and
 * reads `kernel` taps `dilation` apart, skipping taps in the padding. The average factor is one
 * over the window length clipped to the padded axis (`countIncludePad`) or over the taps inside
 * the input, as PyTorch's avg_pool computes its divisor.
 */
function slidingWindows(op: string, inSize: number, axis: SlidingAxis, countIncludePad: boolean): AxisWindows {
  const { kernel, stride, padding, dilation, ceilMode } = axis;
  const outSize = windowCount(inSize, kernel, stride, padding, padding, dilation, ceilMode);
  if (outSize < 1) {
    throw new ShapeError(
      `${op}: an input dimension of size ${inSize} with padding ${padding} is smaller than the window ` +
        `(kernelSize ${kernel}, dilation ${dilation}), so the output would be empty. Use a smaller kernelSize or more padding.`,
    );
  }
  return makeWindows(inSize, outSize, (o) => {
    const start = o * stride - padding;
    const taps: number[] = [];
    for (let j = 0; j < kernel; j++) {
      const position = start + j * dilation;
      if (position >= 0 && position < inSize) taps.push(position);
    }
    const paddedLength = Math.min(start + kernel, inSize + padding) - start;
    const count = countIncludePad ? paddedLength : taps.length;
    return { taps, scale: count > 0 ? 1 / count : 0 };
  });
}

/** Adaptive windows: output o reads [floor(o·inSize/outSize), ceil((o + 1)·inSize/outSize)). */
function adaptiveWindows(inSize: number, outSize: number): AxisWindows {
  return makeWindows(inSize, outSize, (o) => {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    const taps = Array.from({ length: end - start }, (_, j) => start + j);
    return { taps, scale: 1 / taps.length };
  });
}

/** A pooling input brought to rank 4, [N, C, H, W] (H = 1 for 1-D, N = 1 when unbatched). */
interface PoolInput {
  input: Tensor;
  /** Maps a [N, C, outH, outW] result back to the caller's rank. */
  outShape: (outH: number, outW: number) => number[];
}

/** Brings a batched or unbatched 1-D or 2-D input to rank 4, so one kernel serves every case. */
function toRank4(op: string, value: TensorLike, spatialRank: 1 | 2): PoolInput {
  const x = toTensor(op, value);
  const batched = checkSpatialInput(op, x, spatialRank);
  const lead = x.shape.slice(0, batched ? 2 : 1);
  const spatial = x.shape.slice(x.ndim - spatialRank);
  const planes = batched ? [x.shape[0], x.shape[1]] : [1, x.shape[0]];
  const input = contiguous(reshape(x, [...planes, ...(spatialRank === 1 ? [1] : []), ...spatial]));
  const outShape = (outH: number, outW: number): number[] => [...lead, ...(spatialRank === 1 ? [outW] : [outH, outW])];
  return { input, outShape };
}

/**
 * Computes the average of each window: out[p, oh, ow] = scaleH[oh]·scaleW[ow]·Σ x[p, h, w] over the
 * window's taps. Its gradient is `windowAverageAdjoint`.
 */
function windowAverage(x: Tensor, rows: AxisWindows, cols: AxisWindows): Tensor {
  const [n, c] = x.shape;
  const out = empty([n, c, rows.outSize, cols.outSize], x.dtype);
  averageKernel(x.storage.data as FloatArray, x.offset, out.storage.data as FloatArray, n * c, rows, cols, false);
  const inputShape = x.shape;
  return record(out, "avgPool", [x], (g) => [windowAverageAdjoint(g, rows, cols, inputShape)]);
}

/** Computes the adjoint of `windowAverage`, spreading each gradient element over its window. */
function windowAverageAdjoint(grad: Tensor, rows: AxisWindows, cols: AxisWindows, inputShape: readonly number[]): Tensor {
  const g = contiguous(grad);
  const out = empty(inputShape, g.dtype);
  averageKernel(out.storage.data as FloatArray, 0, g.storage.data as FloatArray, numel(inputShape.slice(0, 2)), rows, cols, true);
  return record(out, "avgPoolBackward", [g], (gg) => [windowAverage(contiguous(gg), rows, cols)]);
}

/**
 * With `adjoint` false, writes window averages of `x` (planes of rows.inSize × cols.inSize
 * starting at `xOffset`) into `y`. With `adjoint` true, reads `y` and adds each scaled value into
 * every element of its window in `x`, which must start zeroed.
 */
function averageKernel(x: FloatArray, xOffset: number, y: FloatArray, planes: number, rows: AxisWindows, cols: AxisWindows, adjoint: boolean): void {
  const inPlane = rows.inSize * cols.inSize;
  const outPlane = rows.outSize * cols.outSize;
  for (let p = 0; p < planes; p++) {
    const xBase = xOffset + p * inPlane;
    for (let oh = 0; oh < rows.outSize; oh++) {
      for (let ow = 0; ow < cols.outSize; ow++) {
        const at = p * outPlane + oh * cols.outSize + ow;
        const factor = rows.scale[oh] * cols.scale[ow];
        const value = adjoint ? y[at] * factor : 0;
        let sum = 0;
        for (let i = rows.offsets[oh]; i < rows.offsets[oh + 1]; i++) {
          const rowBase = xBase + rows.positions[i] * cols.inSize;
          for (let j = cols.offsets[ow]; j < cols.offsets[ow + 1]; j++) {
            if (adjoint) x[rowBase + cols.positions[j]] += value;
            else sum += x[rowBase + cols.positions[j]];
          }
        }
        if (!adjoint) y[at] = sum * factor;
      }
    }
  }
}

/**
 * Finds the position of each window's maximum as a flat index h·W + w into its plane (int32, shaped
 * [N, C, outH, outW]). NaN counts as the maximum, so it propagates as in PyTorch; ties keep the
 * first position in row-major order.
 */
function windowArgmax(x: Tensor, rows: AxisWindows, cols: AxisWindows): Tensor {
  const [n, c] = x.shape;
  const indices = empty([n, c, rows.outSize, cols.outSize], "int32");
  const out = indices.storage.data as Int32Array;
  const data = x.storage.data as FloatArray;
  const inPlane = rows.inSize * cols.inSize;
  let at = 0;
  for (let p = 0; p < n * c; p++) {
    const base = x.offset + p * inPlane;
    for (let oh = 0; oh < rows.outSize; oh++) {
      for (let ow = 0; ow < cols.outSize; ow++) {
        let best = -Infinity;
        let bestIndex = -1;
        for (let i = rows.offsets[oh]; i < rows.offsets[oh + 1] && !Number.isNaN(best); i++) {
          const rowIndex = rows.positions[i] * cols.inSize;
          for (let j = cols.offsets[ow]; j < cols.offsets[ow + 1]; j++) {
            const index = rowIndex + cols.positions[j];
            const value = data[base + index];
            if (value > best || bestIndex < 0 || Number.isNaN(value)) {
              best = value;
              bestIndex = index;
              if (Number.isNaN(value)) break;
            }
          }
        }
        out[at++] = bestIndex;
      }
    }
  }
  return indices;
}

/**
 * Returns k when the windows tile the axis without gaps or overlap: output o reads exactly the
 * positions o·k to o·k + k − 1 (kernel = stride, no padding, dilation 1, no partial window).
 * Returns 0 for any other windows.
 */
function tileSize(axis: AxisWindows): number {
  const k = axis.offsets[1];
  if (k < 1 || axis.offsets[axis.outSize] !== axis.outSize * k) return 0;
  for (let o = 0; o <= axis.outSize; o++) {
    if (axis.offsets[o] !== o * k) return 0;
  }
  for (let i = 0; i < axis.outSize * k; i++) {
    if (axis.positions[i] !== i) return 0;
  }
  return k;
}

/**
 * Computes the maximum of each kh×kw tile of every plane and its position, with the rules of
 * windowArgmax (NaN wins, ties keep the first position). Returns [values, indices] with the
 * values recorded as the gather of `x` at the indices.
 */
function tiledMaximum(x: Tensor, kh: number, kw: number, outH: number, outW: number): [Tensor, Tensor] {
  const [n, c, inH, inW] = x.shape;
  const values = empty([n, c, outH, outW], x.dtype);
  const indices = empty([n, c, outH, outW], "int32");
  const data = x.storage.data as FloatArray;
  const out = values.storage.data as FloatArray;
  const index = indices.storage.data as Int32Array;
  const kernels = activeKernels();
  const pool = { planes: n * c, inHeight: inH, inWidth: inW, kernelHeight: kh, kernelWidth: kw, outHeight: outH, outWidth: outW };
  if (kernels !== null && wasmMaxPoolTiles(kernels, pool, { data, offset: x.offset }, { data: out, offset: 0 }, index)) {
    return [recordGather(values, x, indices), indices];
  }

  if (kh === 2 && kw === 2) {
    maximum2x2(data, x.offset, n * c, inH, inW, outH, outW, out, index);
  } else {
    maximumTiles(data, x.offset, n * c, inH, inW, kh, kw, outH, outW, out, index);
  }
  return [recordGather(values, x, indices), indices];
}

/** Writes the maximum and argmax of each 2×2 tile; see tiledMaximum. */
function maximum2x2(
  data: FloatArray, offset: number, planes: number, inH: number, inW: number, outH: number, outW: number,
  out: FloatArray, index: Int32Array,
): void {
  let at = 0;
  for (let p = 0; p < planes; p++) {
    const base = offset + p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const top = 2 * oh * inW;
      const bottom = top + inW;
      for (let ow = 0; ow < outW; ow++) {
        const left = 2 * ow;
        let bestIndex = top + left;
        let best = data[base + bestIndex];
        // best === best is false once best is NaN, which then stays the maximum.
        let value = data[base + top + left + 1];
        if (best === best && (value > best || value !== value)) {
          best = value;
          bestIndex = top + left + 1;
        }
        value = data[base + bottom + left];
        if (best === best && (value > best || value !== value)) {
          best = value;
          bestIndex = bottom + left;
        }
        value = data[base + bottom + left + 1];
        if (best === best && (value > best || value !== value)) {
          best = value;
          bestIndex = bottom + left + 1;
        }
        out[at] = best;
        index[at++] = bestIndex;
      }
    }
  }
}

/** Writes the maximum and argmax of each kh×kw tile; see tiledMaximum. */
function maximumTiles(
  data: FloatArray, offset: number, planes: number, inH: number, inW: number, kh: number, kw: number,
  outH: number, outW: number, out: FloatArray, index: Int32Array,
): void {
  let at = 0;
  for (let p = 0; p < planes; p++) {
    const base = offset + p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let bestIndex = oh * kh * inW + ow * kw;
        let best = data[base + bestIndex];
        for (let i = 0; i < kh && best === best; i++) {
          const row = (oh * kh + i) * inW + ow * kw;
          for (let j = i === 0 ? 1 : 0; j < kw; j++) {
            const value = data[base + row + j];
            if (value > best || value !== value) {
              best = value;
              bestIndex = row + j;
              if (value !== value) break;
            }
          }
        }
        out[at] = best;
        index[at++] = bestIndex;
      }
    }
  }
}

/**
 * Gathers within planes: out[n, c, t] = x[n, c, indices[n, c, t]], with the spatial dimensions of
 * `x` and `indices` flattened. Its gradient is `scatterPlanes`.
 */
function gatherPlanes(x: Tensor, indices: Tensor): Tensor {
  const source = contiguous(x);
  const out = empty(indices.shape, source.dtype);
  const target = out.storage.data as FloatArray;
  const data = source.storage.data as FloatArray;
  const index = indices.storage.data as Int32Array;
  const planes = source.shape[0] * source.shape[1];
  const inPlane = numel(source.shape.slice(2));
  const outPlane = numel(indices.shape.slice(2));
  for (let p = 0; p < planes; p++) {
    for (let t = 0; t < outPlane; t++) target[p * outPlane + t] = data[source.offset + p * inPlane + index[p * outPlane + t]];
  }
  return recordGather(out, source, indices);
}

/** Records `out`, the gather of contiguous `source` at `indices`, with the scatter as its gradient. */
function recordGather(out: Tensor, source: Tensor, indices: Tensor): Tensor {
  const inputShape = source.shape;
  return record(out, "maxPool", [source], (g, [saved]) => [scatterPlanes(g, saved, inputShape)], [indices]);
}

/** Adds grad[n, c, t] into out[n, c, indices[n, c, t]] of zeros shaped `inputShape`. Its gradient is `gatherPlanes`. */
function scatterPlanes(grad: Tensor, indices: Tensor, inputShape: readonly number[]): Tensor {
  const g = contiguous(grad);
  const out = empty(inputShape, g.dtype);
  const target = out.storage.data as FloatArray;
  const data = g.storage.data as FloatArray;
  const index = indices.storage.data as Int32Array;
  const planes = inputShape[0] * inputShape[1];
  const inPlane = numel(inputShape.slice(2));
  const outPlane = numel(indices.shape.slice(2));
  for (let p = 0; p < planes; p++) {
    for (let t = 0; t < outPlane; t++) target[p * inPlane + index[p * outPlane + t]] += data[g.offset + p * outPlane + t];
  }
  return record(out, "maxPoolBackward", [g], (gg, [saved]) => [gatherPlanes(gg, saved)], [indices]);
}

/** Options of maxPool1d and maxPool2d; each size is one integer or one per spatial dimension. */
export interface MaxPoolOptions {
  /** The step between windows; kernelSize when omitted. */
  stride?: number | readonly number[];
  /** Implicit −∞ padding on both sides, at most half the kernel size. */
  padding?: number | readonly number[];
  /** The spacing between the taps of a window. */
  dilation?: number | readonly number[];
  /** Round the output size up, so a partial window at the end produces an output. */
  ceilMode?: boolean;
  /** Also return the argmax of each window as flat int32 indices into its input plane. */
  returnIndices?: boolean;
}

/** Options of avgPool1d and avgPool2d. */
export interface AvgPoolOptions {
  stride?: number | readonly number[];
  /** Implicit zero padding on both sides, at most half the kernel size. */
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Divide by the window length including padding (true, the default) or by the taps inside the input. */
  countIncludePad?: boolean;
  /** Divide every window sum by this number instead. */
  divisorOverride?: number;
}

const MAX_POOL_OPTIONS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"];
const AVG_POOL_OPTIONS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"];

/** Reads the per-axis window settings of a pool and builds the row and column windows. */
function slidingAxes(
  op: string,
  input: Tensor,
  spatialRank: 1 | 2,
  kernelSize: number | readonly number[],
  options: MaxPoolOptions & AvgPoolOptions,
  countIncludePad: boolean,
): [AxisWindows, AxisWindows] {
  const kernel = spatialTuple(op, "kernelSize", kernelSize, spatialRank, 1);
  const stride = options.stride === undefined ? kernel : spatialTuple(op, "stride", options.stride, spatialRank, 1);
  const padding = spatialTuple(op, "padding", options.padding ?? 0, spatialRank, 0);
  const dilation = spatialTuple(op, "dilation", options.dilation ?? 1, spatialRank, 1);
  const ceilMode = options.ceilMode ?? false;
  for (let i = 0; i < spatialRank; i++) {
    if (padding[i] > Math.floor(kernel[i] / 2)) {
      throw new InvalidArgumentError(
        `${op}: padding=${JSON.stringify(options.padding)} is too large for kernelSize=${JSON.stringify(kernelSize)}; ` +
          `padding must be at most half the kernel size (${Math.floor(kernel[i] / 2)} here).`,
      );
    }
  }
  const axes = kernel.map((_, i) => ({ kernel: kernel[i], stride: stride[i], padding: padding[i], dilation: dilation[i], ceilMode }));
  const size = (i: number): number => input.shape[2 + (spatialRank === 1 ? 1 : i)];
  if (spatialRank === 1) return [UNIT_AXIS, slidingWindows(op, size(0), axes[0], countIncludePad)];
  return [slidingWindows(op, size(0), axes[0], countIncludePad), slidingWindows(op, size(1), axes[1], countIncludePad)];
}

function maxPool(op: string, value: TensorLike, spatialRank: 1 | 2, kernelSize: number | readonly number[], options?: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  const opts = checkOptions(op, options, MAX_POOL_OPTIONS);
  const { input, outShape } = toRank4(op, value, spatialRank);
  const [rows, cols] = slidingAxes(op, input, spatialRank, kernelSize, opts, true);

  return pickMaximum(input, rows, cols, outShape, opts.returnIndices ?? false);
}

function pickMaximum(input: Tensor, rows: AxisWindows, cols: AxisWindows, outShape: PoolInput["outShape"], returnIndices: boolean): Tensor | [Tensor, Tensor] {
  const shape = outShape(rows.outSize, cols.outSize);
  const [kh, kw] = [tileSize(rows), tileSize(cols)];
  let values: Tensor;
  let indices: Tensor;
  if (kh > 0 && kw > 0) {
    [values, indices] = tiledMaximum(input, kh, kw, rows.outSize, cols.outSize);
  } else {
    indices = windowArgmax(input, rows, cols);
    values = gatherPlanes(input, indices);
  }
  const out = reshape(values, shape);
  return returnIndices ? [out, reshape(indices, shape)] : out;
}

/**
 * 1-D max pooling of [N, C, L] or [C, L] to [N, C, Lout] with
 * Lout = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1 (ceiling with
 * `ceilMode`). With `returnIndices`, also returns the argmax positions in [0, L).
 * @example maxPool1d(x, 2) // halves L
 */
export function maxPool1d(input: TensorLike, kernelSize: number | readonly number[], options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: TensorLike, kernelSize: number | readonly number[], options?: MaxPoolOptions): Tensor;
export function maxPool1d(input: TensorLike, kernelSize: number | readonly number[], options?: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  return maxPool("maxPool1d", input, 1, kernelSize, options);
}

/**
 * 2-D max pooling of [N, C, H, W] or [C, H, W], each output dimension sized as in maxPool1d.
 * With `returnIndices`, also returns each argmax as the flat index h·W + w into its input plane.
 * @example maxPool2d(x, 2, { stride: 2 }) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export function maxPool2d(input: TensorLike, kernelSize: number | readonly number[], options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: TensorLike, kernelSize: number | readonly number[], options?: MaxPoolOptions): Tensor;
export function maxPool2d(input: TensorLike, kernelSize: number | readonly number[], options?: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  return maxPool("maxPool2d", input, 2, kernelSize, options);
}

function avgPool(op: string, value: TensorLike, spatialRank: 1 | 2, kernelSize: number | readonly number[], options?: AvgPoolOptions): Tensor {
  const opts = checkOptions(op, options, AVG_POOL_OPTIONS);
  const { input, outShape } = toRank4(op, value, spatialRank);
  const override = opts.divisorOverride;
  if (override !== undefined && !(Number.isFinite(override) && override !== 0)) {
    throw new InvalidArgumentError(`${op}: divisorOverride=${String(override)} is invalid; expected a finite non-zero number.`);
  }
  let [rows, cols] = slidingAxes(op, input, spatialRank, kernelSize, opts, opts.countIncludePad ?? true);
  if (override !== undefined) {
    rows = { ...rows, scale: new Float64Array(rows.outSize).fill(1 / override) };
    cols = { ...cols, scale: new Float64Array(cols.outSize).fill(1) };
  }

  return reshape(windowAverage(input, rows, cols), outShape(rows.outSize, cols.outSize));
}

/**
 * 1-D average pooling of [N, C, L] or [C, L]; output sizes as in maxPool1d with dilation 1.
 * Padding counts as zeros in the average unless `countIncludePad` is false.
 */
export function avgPool1d(input: TensorLike, kernelSize: number | readonly number[], options?: AvgPoolOptions): Tensor {
  return avgPool("avgPool1d", input, 1, kernelSize, options);
}

/** 2-D average pooling of [N, C, H, W] or [C, H, W]; see avgPool1d. */
export function avgPool2d(input: TensorLike, kernelSize: number | readonly number[], options?: AvgPoolOptions): Tensor {
  return avgPool("avgPool2d", input, 2, kernelSize, options);
}

/** Reads the output size of an adaptive pool and builds its row and column windows. */
function adaptiveAxes(op: string, input: Tensor, spatialRank: 1 | 2, outputSize: number | readonly (number | null)[]): [AxisWindows, AxisWindows] {
  const given = typeof outputSize === "number" ? new Array<number | null>(spatialRank).fill(outputSize) : outputSize;
  const spatial = input.shape.slice(4 - spatialRank);
  const sizes = Array.isArray(given) && given.length === spatialRank ? given.map((s, i) => (s === null ? spatial[i] : s)) : [];
  if (sizes.length !== spatialRank || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new InvalidArgumentError(
      `${op}: outputSize=${JSON.stringify(outputSize)} is invalid; expected a positive integer` +
        (spatialRank === 2 ? " or an array of two (null keeps the input size)." : "."),
    );
  }
  if (spatial.some((s) => s === 0)) {
    throw new ShapeError(`${op}: input of shape ${formatShape(input.shape)} has an empty spatial dimension, which has nothing to pool.`);
  }
  if (spatialRank === 1) return [UNIT_AXIS, adaptiveWindows(spatial[0], sizes[0] as number)];
  return [adaptiveWindows(spatial[0], sizes[0] as number), adaptiveWindows(spatial[1], sizes[1] as number)];
}

/**
 * Adaptive average pooling of [N, C, L] or [C, L] to [N, C, outputSize]. Output i averages
 * input positions floor(i·L/outputSize) through ceil((i + 1)·L/outputSize) − 1.
 */
export function adaptiveAvgPool1d(input: TensorLike, outputSize: number): Tensor {
  const { input: x, outShape } = toRank4("adaptiveAvgPool1d", input, 1);
  const [rows, cols] = adaptiveAxes("adaptiveAvgPool1d", x, 1, outputSize);
  return reshape(windowAverage(x, rows, cols), outShape(1, cols.outSize));
}

/**
 * Adaptive average pooling of [N, C, H, W] or [C, H, W] to [N, C, outH, outW], with windows per
 * dimension as in adaptiveAvgPool1d. `outputSize` is one integer or [outH, outW], where null
 * keeps that input dimension.
 * @example adaptiveAvgPool2d(x, 1) // global average pooling to [N, C, 1, 1]
 */
export function adaptiveAvgPool2d(input: TensorLike, outputSize: number | readonly (number | null)[]): Tensor {
  const { input: x, outShape } = toRank4("adaptiveAvgPool2d", input, 2);
  const [rows, cols] = adaptiveAxes("adaptiveAvgPool2d", x, 2, outputSize);
  return reshape(windowAverage(x, rows, cols), outShape(rows.outSize, cols.outSize));
}

/** Adaptive max pooling of [N, C, L] or [C, L], with the windows of adaptiveAvgPool1d. */
export function adaptiveMaxPool1d(input: TensorLike, outputSize: number, options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(input: TensorLike, outputSize: number, options?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool1d(input: TensorLike, outputSize: number, options?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor] {
  const opts = checkOptions("adaptiveMaxPool1d", options, ["returnIndices"]);
  const { input: x, outShape } = toRank4("adaptiveMaxPool1d", input, 1);
  const [rows, cols] = adaptiveAxes("adaptiveMaxPool1d", x, 1, outputSize);
  return pickMaximum(x, rows, cols, outShape, opts.returnIndices ?? false);
}

/** Adaptive max pooling of [N, C, H, W] or [C, H, W], with the windows of adaptiveAvgPool2d. */
export function adaptiveMaxPool2d(input: TensorLike, outputSize: number | readonly (number | null)[], options: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: TensorLike, outputSize: number | readonly (number | null)[], options?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(input: TensorLike, outputSize: number | readonly (number | null)[], options?: { returnIndices?: boolean }): Tensor | [Tensor, Tensor] {
  const opts = checkOptions("adaptiveMaxPool2d", options, ["returnIndices"]);
  const { input: x, outShape } = toRank4("adaptiveMaxPool2d", input, 2);
  const [rows, cols] = adaptiveAxes("adaptiveMaxPool2d", x, 2, outputSize);
  return pickMaximum(x, rows, cols, outShape, opts.returnIndices ?? false);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    maxPool2d(kernelSize: number | readonly number[], options?: Omit<MaxPoolOptions, "returnIndices">): Tensor;
    avgPool2d(kernelSize: number | readonly number[], options?: AvgPoolOptions): Tensor;
  }
}

Tensor.prototype.maxPool2d = function (kernelSize, options) {
  return maxPool2d(this, kernelSize, { ...options, returnIndices: false });
};
Tensor.prototype.avgPool2d = function (kernelSize, options) {
  return avgPool2d(this, kernelSize, options);
};
