import { noGrad } from "../../autograd/grad_mode.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../../tensor/errors.js";
import { ones, zeros } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add, mul, sub } from "../../ops/arithmetic.js";
import { rsqrt } from "../../ops/unary.js";
import { mean } from "../../ops/reduce.js";
import { reshape } from "../../ops/shape.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptions } from "../options.js";

/** Mean and biased variance over `dims`, kept as size-1 dimensions. */
function moments(input: Tensor, dims: number[]): { mean: Tensor; variance: Tensor; centered: Tensor } {
  const average = mean(input, dims, { keepdim: true });
  const centered = sub(input, average);
  const variance = mean(mul(centered, centered), dims, { keepdim: true });
  return { mean: average, variance, centered };
}

/**
 * Layer normalization over the last `normalizedShape.length` dimensions:
 * y = (x − E[x]) / √(Var[x] + eps) · weight + bias, with the biased variance.
 */
export function layerNorm(input: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k > input.ndim || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(`layerNorm: expected input of shape [..., ${normalizedShape.join(", ")}], got ${formatShape(input.shape)}.`);
  }
  const dims = Array.from({ length: k }, (_, i) => input.ndim - k + i);
  const { variance, centered } = moments(input, dims);
  let out = mul(centered, rsqrt(add(variance, eps)));
  if (weight) out = mul(out, weight);
  if (bias) out = add(out, bias);
  return out;
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
  dtype?: "float32" | "float64";
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions("LayerNorm", options, ["eps", "elementwiseAffine", "bias", "dtype"]);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? "float32";
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine && options.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = input.shape.slice(input.ndim - k);
    if (k > input.ndim || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(
        `LayerNorm([${this.normalizedShape.join(", ")}]): expected input of shape [..., ${this.normalizedShape.join(", ")}], got ${formatShape(input.shape)}. ` +
          `The last ${k === 1 ? "dimension" : `${k} dimensions`} of the input must match normalizedShape.`,
      );
    }
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch statistic in the running average; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: "float32" | "float64";
}

/**
 * Batch normalization over all dimensions but the channel dimension 1. In training it normalizes
 * with the batch statistics and updates running_mean and running_var (the unbiased variance),
 * as PyTorch does. In eval mode it uses the running statistics.
 */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null;
  bias: Parameter | null;
  protected abstract readonly expectedRanks: readonly number[];

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    checkOptions(new.target.name, options, ["eps", "momentum", "affine", "trackRunningStats", "dtype"]);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new InvalidArgumentError(`${new.target.name}: numFeatures=${numFeatures} is invalid; expected a positive integer.`);
    }
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    const dtype = options.dtype ?? "float32";
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (options.trackRunningStats ?? true) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int32" }));
    }
  }

  forward(input: Tensor): Tensor {
    if (!this.expectedRanks.includes(input.ndim) || input.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        `${this.constructor.name}(${this.numFeatures}): expected input of rank ${this.expectedRanks.join(" or ")} with ${this.numFeatures} channels in dimension 1, got ${formatShape(input.shape)}.`,
      );
    }
    const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
    const broadcastShape = input.shape.map((d, i) => (i === 1 ? d : 1));
    const runningMean = this.getBuffer("running_mean");
    const runningVar = this.getBuffer("running_var");
    const useBatchStats = this.training || !runningMean || !runningVar;
    let normalized: Tensor;
    if (useBatchStats) {
      const { mean: batchMean, variance, centered } = moments(input, dims);
      normalized = mul(centered, rsqrt(add(variance, this.eps)));
      if (this.training && runningMean && runningVar) this.updateRunningStats(input, batchMean, variance, dims);
    } else {
      const centered = sub(input, reshape(runningMean, broadcastShape));
      normalized = mul(centered, rsqrt(add(reshape(runningVar, broadcastShape), this.eps)));
    }
    if (this.weight) normalized = mul(normalized, reshape(this.weight, broadcastShape));
    if (this.bias) normalized = add(normalized, reshape(this.bias, broadcastShape));
    return normalized;
  }

  private updateRunningStats(input: Tensor, batchMean: Tensor, variance: Tensor, dims: number[]): void {
    noGrad(() => {
      const count = dims.reduce((n, d) => n * input.shape[d], 1);
      const tracked = this.getBuffer("num_batches_tracked")!;
      const batches = tracked.item() + 1;
      this.setBuffer("num_batches_tracked", zeros([], { dtype: "int32" }).add(batches).int());
      const factor = this.momentum ?? 1 / batches;
      const unbiased = mul(reshape(variance.detach(), [this.numFeatures]), count > 1 ? count / (count - 1) : 1);
      const update = (name: string, batchValue: Tensor): void => {
        const running = this.getBuffer(name)!;
        this.setBuffer(name, add(mul(running, 1 - factor), mul(batchValue, factor)).to(running.dtype));
      };
      update("running_mean", reshape(batchMean.detach(), [this.numFeatures]));
      update("running_var", unbiased);
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/** BatchNorm over [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly expectedRanks = [2, 3];
}

/** BatchNorm over [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly expectedRanks = [4];
}
