import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { empty } from "../tensor/convert.js";
import { abs, exp, log, log1p, relu } from "../ops/unary.js";
import { add, div, mul, neg, sub } from "../ops/arithmetic.js";
import { mean, sum } from "../ops/reduce.js";
import { logSoftmax } from "../ops/softmax.js";
import { gather } from "../ops/indexing.js";
import { clamp, where } from "../ops/comparison.js";
import { movedim } from "./utils.js";
import { Module } from "./module.js";
import { checkOptions } from "./options.js";

/**
 * Loss functions with PyTorch's definitions and reductions ("mean" by default, "sum", "none").
 */

export type Reduction = "none" | "mean" | "sum";

function reduce(op: string, loss: Tensor, reduction: Reduction = "mean"): Tensor {
  switch (reduction) {
    case "none":
      return loss;
    case "sum":
      return sum(loss);
    case "mean":
      return mean(loss);
    default:
      throw new InvalidArgumentError(`${op}: reduction "${String(reduction)}" is invalid; expected "none", "mean" or "sum".`);
  }
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input shape ${formatShape(input.shape)} and target shape ${formatShape(target.shape)} differ; they must be equal.`);
  }
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** The option names each loss accepts, by function name. */
const LOSS_OPTIONS = {
  mseLoss: ["reduction"],
  l1Loss: ["reduction"],
  smoothL1Loss: ["reduction", "beta"],
  huberLoss: ["reduction", "delta"],
  nllLoss: ["reduction", "weight", "ignoreIndex"],
  crossEntropy: ["reduction", "weight", "ignoreIndex", "labelSmoothing"],
  binaryCrossEntropy: ["reduction", "weight"],
  binaryCrossEntropyWithLogits: ["reduction", "weight", "posWeight"],
  klDiv: ["reduction", "logTarget"],
} as const;

/** Mean squared error, (input − target)². */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkOptions("mseLoss", options, LOSS_OPTIONS.mseLoss);
  checkSameShape("mseLoss", input, target);
  const diff = sub(input, target);
  return reduce("mseLoss", mul(diff, diff), options.reduction);
}

/** Mean absolute error, |input − target|. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkOptions("l1Loss", options, LOSS_OPTIONS.l1Loss);
  checkSameShape("l1Loss", input, target);
  return reduce("l1Loss", abs(sub(input, target)), options.reduction);
}

/** 0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (beta = 1 by default). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  checkOptions("smoothL1Loss", options, LOSS_OPTIONS.smoothL1Loss);
  checkSameShape("smoothL1Loss", input, target);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new InvalidArgumentError(`smoothL1Loss: beta=${beta} is invalid; expected a non-negative number.`);
  const d = abs(sub(input, target));
  if (beta === 0) return reduce("smoothL1Loss", d, options.reduction);
  const loss = where(d.lt(beta), div(mul(mul(d, d), 0.5), beta), sub(d, 0.5 * beta));
  return reduce("smoothL1Loss", loss, options.reduction);
}

/** 0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta) (delta = 1 by default). */
export function huberLoss(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  checkOptions("huberLoss", options, LOSS_OPTIONS.huberLoss);
  checkSameShape("huberLoss", input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new InvalidArgumentError(`huberLoss: delta=${delta} is invalid; expected a positive number.`);
  const d = abs(sub(input, target));
  const loss = where(d.lt(delta), mul(mul(d, d), 0.5), mul(sub(d, 0.5 * delta), delta));
  return reduce("huberLoss", loss, options.reduction);
}

export interface NllOptions extends ReductionOptions {
  /** A weight per class, [C]. */
  weight?: Tensor | null;
  /** Targets equal to this index add nothing to the loss or the mean's denominator. */
  ignoreIndex?: number;
}

/** Moves the class dimension last and flattens: [N, C, d1, ...] → [N·d1·..., C]. */
function flattenClasses(op: string, input: Tensor): Tensor {
  if (input.ndim < 1) throw new ShapeError(`${op}: input must have a class dimension, got shape ${formatShape(input.shape)}.`);
  if (input.ndim === 1) return input.reshape([1, -1]);
  const classes = input.shape[1];
  return movedim(input, 1, -1).reshape([-1, classes]);
}

function checkTargets(op: string, input: Tensor, target: Tensor, classes: number, ignoreIndex: number): void {
  if (target.dtype !== "int32") {
    throw new DTypeError(`${op}: class-index targets must be int32, got ${target.dtype}. Convert them with .int(), or pass probabilities of the input's shape.`);
  }
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: input ${formatShape(input.shape)} needs targets of shape ${formatShape(expected)}, got ${formatShape(target.shape)}.`);
  }
  const values = target.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== ignoreIndex && (v < 0 || v >= classes)) {
      throw new InvalidArgumentError(`${op}: target ${v} at position ${i} is out of range for ${classes} classes; expected 0..${classes - 1}${ignoreIndex !== -100 ? ` or ignoreIndex ${ignoreIndex}` : ""}.`);
    }
  }
}

/** Per-sample class weights and the mask of non-ignored samples, as float tensors [M]. */
function sampleWeights(flatTarget: Tensor, weight: Tensor | null | undefined, ignoreIndex: number, dtype: "float32" | "float64"): { safeTarget: Tensor; sampleWeight: Tensor } {
  const count = flatTarget.shape[0];
  const values = flatTarget.dataSync();
  const classWeights = weight ? weight.dataSync() : null;
  const safe = empty([count], "int32");
  const sampleWeight = empty([count], dtype);
  for (let i = 0; i < count; i++) {
    const ignored = values[i] === ignoreIndex;
    safe.storage.data[i] = ignored ? 0 : values[i];
    let weight = classWeights ? classWeights[values[i]] : 1;
    if (ignored) weight = 0;
    sampleWeight.storage.data[i] = weight;
  }
  return { safeTarget: safe, sampleWeight };
}

/**
 * Negative log-likelihood of log-probabilities `input` [N, C] or [N, C, d1, ...] (or [C]) at the
 * int32 class indices `target` [N, d1, ...]. The mean divides by the total weight of the
 * non-ignored targets, as PyTorch's.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  checkOptions("nllLoss", options, LOSS_OPTIONS.nllLoss);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const classes = input.ndim === 1 ? input.shape[0] : input.shape[1];
  checkTargets("nllLoss", input, target, classes, ignoreIndex);
  const logp = flattenClasses("nllLoss", input);
  const dtype = logp.dtype === "float64" ? "float64" : "float32";
  const { safeTarget, sampleWeight } = sampleWeights(target.reshape([-1]), options.weight, ignoreIndex, dtype);
  const picked = gather(logp, 1, safeTarget.reshape([-1, 1])).reshape([-1]);
  const losses = neg(mul(picked, sampleWeight));
  const reduction = options.reduction ?? "mean";
  if (reduction === "none") return losses.reshape(target.shape);
  if (reduction === "sum") return sum(losses);
  if (reduction !== "mean") return reduce("nllLoss", losses, reduction);
  return div(sum(losses), sum(sampleWeight));
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits `input` [N, C] or [N, C, d1, ...] against int32 class indices, or
 * against class probabilities of the same shape as `input`. It is logSoftmax followed by
 * nllLoss, with PyTorch's treatment of weights, ignoreIndex and label smoothing.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions("crossEntropy", options, LOSS_OPTIONS.crossEntropy);
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing <= 1)) {
    throw new InvalidArgumentError(`crossEntropy: labelSmoothing=${smoothing} is invalid; expected a number in [0, 1].`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  const logp = logSoftmax(input, classDim);
  const reduction = options.reduction ?? "mean";
  const weightShape = input.shape.map((d, i) => (i === classDim ? d : 1));

  if (target.dtype !== "int32") {
    const indexShape = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
    if (!shapesEqual(input.shape, target.shape) && shapesEqual(target.shape, indexShape)) {
      throw new DTypeError(
        `crossEntropy: target of shape ${formatShape(target.shape)} has dtype ${target.dtype}; class-index targets must be int32. ` +
          `Convert them with .int(), or pass probabilities of the input's shape ${formatShape(input.shape)}.`,
      );
    }
    checkSameShape("crossEntropy", input, target);
    const smoothed = smoothing > 0 ? add(mul(target, 1 - smoothing), smoothing / classes) : target;
    let terms = mul(logp, smoothed);
    if (options.weight) terms = mul(terms, options.weight.reshape(weightShape));
    const losses = neg(sum(terms, classDim));
    if (reduction === "mean") return div(sum(losses), input.ndim === 1 ? 1 : losses.numel());
    return reduce("crossEntropy", losses, reduction);
  }

  const nll = nllLoss(logp, target, { reduction: options.reduction, weight: options.weight, ignoreIndex: options.ignoreIndex });
  if (smoothing === 0) return nll;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const dtype = logp.dtype === "float64" ? "float64" : "float32";
  let classTerms = logp;
  if (options.weight) classTerms = mul(classTerms, options.weight.reshape(weightShape));
  const { sampleWeight } = sampleWeights(target.reshape([-1]), options.weight, ignoreIndex, dtype);
  const keep = sampleWeights(target.reshape([-1]), null, ignoreIndex, dtype).sampleWeight;
  const smooth = mul(neg(sum(classTerms, classDim)).reshape([-1]), keep);
  let smoothLoss: Tensor;
  if (reduction === "none") smoothLoss = smooth.reshape(target.shape);
  else if (reduction === "sum") smoothLoss = sum(smooth);
  else smoothLoss = div(sum(smooth), options.weight ? sum(sampleWeight) : sum(keep));
  return add(mul(nll, 1 - smoothing), mul(smoothLoss, smoothing / classes));
}

export interface BceOptions extends ReductionOptions {
  /** A weight broadcast over the elements. */
  weight?: Tensor | null;
}

/** −[y·log(p) + (1 − y)·log(1 − p)] for probabilities p, with the logs clamped at −100 as PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  checkOptions("binaryCrossEntropy", options, LOSS_OPTIONS.binaryCrossEntropy);
  checkSameShape("binaryCrossEntropy", input, target);
  const logP = clamp(log(input), { min: -100 });
  const logNotP = clamp(log(sub(1, input)), { min: -100 });
  let loss = neg(add(mul(target, logP), mul(sub(1, target), logNotP)));
  if (options.weight) loss = mul(loss, options.weight);
  return reduce("binaryCrossEntropy", loss, options.reduction);
}

export interface BceWithLogitsOptions extends BceOptions {
  /** A weight of positive examples per class, broadcast over the last dimension. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits x, computed stably as
 * (1 − y)·x + (1 + (posWeight − 1)·y)·(log(1 + e^(−|x|)) + max(−x, 0)).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  checkOptions("binaryCrossEntropyWithLogits", options, LOSS_OPTIONS.binaryCrossEntropyWithLogits);
  checkSameShape("binaryCrossEntropyWithLogits", input, target);
  const softTerm = add(log1p(exp(neg(abs(input)))), relu(neg(input)));
  const logWeight = options.posWeight ? add(mul(sub(options.posWeight, 1), target), 1) : null;
  let loss = add(mul(sub(1, target), input), logWeight ? mul(logWeight, softTerm) : softTerm);
  if (options.weight) loss = mul(loss, options.weight);
  return reduce("binaryCrossEntropyWithLogits", loss, options.reduction);
}

export interface KlDivOptions {
  reduction?: Reduction | "batchmean";
  /** Whether `target` contains log-probabilities. */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence with `input` as log-probabilities: target·(log target − input),
 * zero where target is zero. "batchmean" divides the sum by the batch size, the true KL mean.
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  checkOptions("klDiv", options, LOSS_OPTIONS.klDiv);
  checkSameShape("klDiv", input, target);
  let pointwise: Tensor;
  if (options.logTarget) {
    pointwise = mul(exp(target), sub(target, input));
  } else {
    const safeLog = log(where(target.gt(0), target, 1));
    pointwise = where(target.gt(0), mul(target, sub(safeLog, input)), mul(target, 0));
  }
  const reduction = options.reduction ?? "mean";
  if (reduction === "batchmean") return div(sum(pointwise), input.ndim > 0 ? input.shape[0] : 1);
  return reduce("klDiv", pointwise, reduction);
}

/** Module forms of the losses, for use as `loss` in train.fit. */
export class MSELoss extends Module {
  constructor(readonly options: ReductionOptions = {}) {
    super();
    checkOptions("MSELoss", options, LOSS_OPTIONS.mseLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class L1Loss extends Module {
  constructor(readonly options: ReductionOptions = {}) {
    super();
    checkOptions("L1Loss", options, LOSS_OPTIONS.l1Loss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
    checkOptions("CrossEntropyLoss", options, LOSS_OPTIONS.crossEntropy);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: NllOptions = {}) {
    super();
    checkOptions("NLLLoss", options, LOSS_OPTIONS.nllLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

export class BCELoss extends Module {
  constructor(readonly options: BceOptions = {}) {
    super();
    checkOptions("BCELoss", options, LOSS_OPTIONS.binaryCrossEntropy);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: BceWithLogitsOptions = {}) {
    super();
    checkOptions("BCEWithLogitsLoss", options, LOSS_OPTIONS.binaryCrossEntropyWithLogits);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

export class SmoothL1Loss extends Module {
  constructor(readonly options: ReductionOptions & { beta?: number } = {}) {
    super();
    checkOptions("SmoothL1Loss", options, LOSS_OPTIONS.smoothL1Loss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss extends Module {
  constructor(readonly options: ReductionOptions & { delta?: number } = {}) {
    super();
    checkOptions("HuberLoss", options, LOSS_OPTIONS.huberLoss);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, this.options);
  }
}

export class KLDivLoss extends Module {
  constructor(readonly options: KlDivOptions = {}) {
    super();
    checkOptions("KLDivLoss", options, LOSS_OPTIONS.klDiv);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.options);
  }
}
