import { grad, noGrad, enableGrad } from "../../autograd/index.js";
import type { Module } from "../../nn/index.js";
import { copy_ } from "../../ops/index.js";
import { InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { flatten, unflatten } from "./vector.js";

/** A loss of the model's output against the batch targets, for example `nn.functional.crossEntropy`. */
export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

/** One batch `[inputs, targets]`, as a DataLoader over a TensorDataset yields it. */
export type Batch = readonly Tensor[];

/** One batch, or batches to average over (a DataLoader or an array of batches), checked when read. */
export type HessianData = Batch | Iterable<unknown>;

export interface HessianOperatorOptions {
  /**
   * The parameters to differentiate: tensors, or names (or name prefixes such as "fc1.") from
   * `model.namedParameters()`. All parameters that require grad by default.
   */
  params?: readonly Tensor[] | readonly string[];
}

/**
 * The Hessian H = ∇²L(θ) of a model's loss as a linear operator on flat float64 vectors of length
 * n = Σ numel(θᵢ), where θ are the chosen parameters in order. With one batch, the first-order
 * gradient graph is built once and each product H·v is one more backward pass through it. With
 * several batches, L is the mean of the batch losses weighted by batch size, and every product
 * runs forward and double-backward on each batch. A DataLoader is read once, at construction, so
 * every product uses the same batches even when it shuffles.
 * NOTE: with one batch the gradient graph belongs to the parameter values at construction.
 * `apply` and `lossAndGradient` keep describing those values after `setValues`, but `evaluate`
 * always recomputes.
 * The model runs in eval mode while the operator computes (so BatchNorm uses its running
 * statistics and Dropout is off), and its mode is restored afterwards.
 */
export class HessianOperator {
  readonly params: Tensor[];
  /** Parameter names from `model.namedParameters()`, in the order of `params`. */
  readonly names: string[];
  /** n, the number of scalar parameters. */
  readonly size: number;
  /** The number of Hessian-vector products computed so far. */
  productCount = 0;
  private readonly batches: Batch[];
  private cached: { loss: number; gradients: (Tensor | null)[] } | null = null;

  constructor(
    readonly model: Module,
    readonly lossFn: LossFunction,
    data: HessianData,
    options: HessianOperatorOptions = {},
    readonly owner = "hessian",
  ) {
    [this.params, this.names] = selectParams(owner, model, options.params);
    this.size = this.params.reduce((n, p) => n + p.numel(), 0);
    this.batches = toBatches(owner, data);
    if (this.batches.length === 1) this.cached = this.inEval(() => this.gradientGraph(this.batches[0]));
  }

  /** Runs `fn` with the model in eval mode, then restores each module's training flag. */
  inEval<T>(fn: () => T): T {
    const modules = [...this.model.modules()];
    const flags = modules.map((m) => m.training);
    this.model.eval();
    try {
      return fn();
    } finally {
      modules.forEach((m, i) => (m.training = flags[i]));
    }
  }

  private gradientGraph(batch: Batch): { loss: number; gradients: (Tensor | null)[] } {
    return enableGrad(() => {
      const loss = this.lossOf(batch);
      const gradients = grad([loss], this.params, { createGraph: true, allowUnused: true });
      return { loss: loss.item(), gradients };
    });
  }

  private lossOf(batch: Batch): Tensor {
    const [inputs, targets] = batch;
    const loss = this.lossFn((this.model.forward as (x: Tensor) => Tensor)(inputs), targets);
    if (!(loss instanceof Tensor) || loss.numel() !== 1) {
      throw new InvalidArgumentError(`${this.owner}: the loss function must return a one-element tensor, got ${loss instanceof Tensor ? `shape [${loss.shape.join(", ")}]` : String(loss)}; reduce it with .mean().`);
    }
    return loss;
  }

  /** H·v for a flat vector v of length n. */
  apply(v: Float64Array): Float64Array {
    this.checkVector(v);
    this.productCount++;
    if (this.cached !== null) return this.product(this.cached.gradients, v);
    const total = this.batches.reduce((n, b) => n + b[0].shape[0], 0);
    const out = new Float64Array(this.size);
    for (const batch of this.batches) {
      const { gradients } = this.inEval(() => this.gradientGraph(batch));
      const part = this.product(gradients, v);
      const weight = batch[0].shape[0] / total;
      for (let i = 0; i < out.length; i++) out[i] += weight * part[i];
    }
    return out;
  }

  private product(gradients: (Tensor | null)[], v: Float64Array): Float64Array {
    const vs = unflatten(v, this.params);
    const pairs = gradients.map((g, i) => [g, vs[i]] as const).filter(([g]) => g !== null && g.requiresGrad);
    if (pairs.length === 0) return new Float64Array(this.size);
    const products = enableGrad(() =>
      grad(pairs.map(([g]) => g!), this.params, { gradOutputs: pairs.map(([, u]) => u), retainGraph: true, allowUnused: true }),
    );
    return flatten(products, this.params);
  }

  /** Returns the loss L(θ) and its gradient ∇L(θ) as a flat vector. */
  lossAndGradient(): { loss: number; gradient: Float64Array } {
    if (this.cached !== null) return { loss: this.cached.loss, gradient: flatten(this.cached.gradients, this.params) };
    const total = this.batches.reduce((n, b) => n + b[0].shape[0], 0);
    const gradient = new Float64Array(this.size);
    let loss = 0;
    for (const batch of this.batches) {
      const weight = batch[0].shape[0] / total;
      const part = this.inEval(() => this.gradientGraph(batch));
      loss += weight * part.loss;
      const g = flatten(part.gradients, this.params);
      for (let i = 0; i < g.length; i++) gradient[i] += weight * g[i];
    }
    return { loss, gradient };
  }

  /** Computes the loss at the current parameters without gradients (the batch-size-weighted mean over batches). */
  evaluate(): number {
    const batches = this.batches;
    const total = batches.reduce((n, b) => n + b[0].shape[0], 0);
    return this.inEval(() => noGrad(() => batches.reduce((sum, b) => sum + (b[0].shape[0] / total) * this.lossOf(b).item(), 0)));
  }

  /** Returns the current parameter values as one flat vector. */
  values(): Float64Array {
    return flatten(this.params, this.params);
  }

  /** Writes a flat vector into the parameters, in place and without recording gradients. */
  setValues(values: Float64Array): void {
    this.checkVector(values);
    const parts = unflatten(values, this.params);
    noGrad(() => this.params.forEach((p, i) => copy_(p, parts[i])));
  }

  private checkVector(v: Float64Array): void {
    if (!(v instanceof Float64Array) || v.length !== this.size) {
      throw new InvalidArgumentError(`${this.owner}: expected a Float64Array of length ${this.size} (the parameter count), got ${v instanceof Float64Array ? `length ${v.length}` : String(v)}.`);
    }
  }
}

function selectParams(owner: string, model: Module, chosen: HessianOperatorOptions["params"]): [Tensor[], string[]] {
  const named = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const nameOf = new Map<Tensor, string>(named.map(([name, p]) => [p, name]));
  let pairs: [string, Tensor][];
  if (chosen === undefined) {
    pairs = named;
  } else if (chosen.every((c) => typeof c === "string")) {
    pairs = named.filter(([name]) => (chosen as readonly string[]).some((prefix) => name === prefix || name.startsWith(prefix.endsWith(".") ? prefix : `${prefix}.`)));
    const unmatched = (chosen as readonly string[]).filter((prefix) => !named.some(([name]) => name === prefix || name.startsWith(`${prefix}.`) || (prefix.endsWith(".") && name.startsWith(prefix))));
    if (unmatched.length > 0) {
      throw new InvalidArgumentError(`${owner}: no parameter is named "${unmatched[0]}" or starts with "${unmatched[0]}."; the model's parameters are ${named.map(([n]) => n).join(", ")}.`);
    }
  } else {
    pairs = (chosen as readonly Tensor[]).map((p, i) => {
      if (!(p instanceof Tensor) || !p.requiresGrad) {
        throw new InvalidArgumentError(`${owner}: params[${i}] is not a tensor that requires grad; pass tensors from model.parameters() or parameter names.`);
      }
      return [nameOf.get(p) ?? `params[${i}]`, p];
    });
  }
  if (pairs.length === 0) {
    throw new InvalidArgumentError(`${owner}: the model has no parameters that require grad, so its loss has no Hessian; check the model, or pass params explicitly.`);
  }
  return [pairs.map(([, p]) => p), pairs.map(([name]) => name)];
}

function isBatch(data: unknown): data is Batch {
  return Array.isArray(data) && data.length >= 2 && data.every((item) => item instanceof Tensor);
}

/** Reads `data` as a list of batches, raising for anything that is not a batch [inputs, targets]. */
export function toBatches(owner: string, data: HessianData): Batch[] {
  if (isBatch(data)) return [data];
  if (data === null || typeof data !== "object" || !(Symbol.iterator in data)) {
    throw new InvalidArgumentError(`${owner}: data must be a batch [inputs, targets] or an iterable of batches (a DataLoader), got ${String(data)}.`);
  }
  const batches = [...(data as Iterable<Batch>)];
  batches.forEach((batch, i) => {
    if (!isBatch(batch)) throw new InvalidArgumentError(`${owner}: batch ${i} is not an array [inputs, targets] of tensors.`);
  });
  if (batches.length === 0) throw new InvalidArgumentError(`${owner}: the data yielded no batches; pass a non-empty DataLoader or a batch [inputs, targets].`);
  return batches;
}
