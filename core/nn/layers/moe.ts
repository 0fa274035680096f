import { InvalidArgumentError, ShapeError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import { zeros } from "../../tensor/creation.js";
import { type Generator, defaultGenerator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add, mul } from "../../ops/arithmetic.js";
import { softplus } from "../../ops/unary.js";
import { softmax } from "../../ops/softmax.js";
import { mean, sum } from "../../ops/reduce.js";
import { indexAdd, indexSelect, maskedFill } from "../../ops/indexing.js";
import { reshape, select, transpose } from "../../ops/shape.js";
import { matmul } from "../../ops/matmul.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { constant_ } from "../init.js";
import { ModuleList, Sequential } from "./containers.js";
import { Linear } from "./linear.js";
import { GELU, ReLU } from "./activation.js";
import { checkOptions } from "../options.js";

/**
 * A sparsely gated mixture of experts (Shazeer et al., 2017): a gate scores the experts for each
 * token, the top k get the token, and their outputs are summed weighted by the softmax of the
 * kept scores (for k = 1, by the softmax probability over all experts, as the Switch Transformer). Training adds the noisy gating term N(0, 1)·softplus(x·W_noise). Each expert takes
 * at most `capacity = ceil(capacityFactor · tokens · k / numExperts)` tokens per batch; tokens over
 * capacity are dropped for that expert. `auxLoss` is the load-balancing loss of the last
 * forward, numExperts · Σ_e f_e · P_e (Switch Transformer form), where f_e is the fraction of
 * tokens whose first choice is e and P_e the mean gate probability of e.
 */

export interface MixtureOfExpertsOptions {
  numExperts: number;
  /** Experts per token. Default 2. */
  topK?: number;
  /** The hidden width of the default two-layer experts. Default 4·inputSize. */
  hiddenSize?: number;
  /** Builds expert i; two-layer MLPs (Linear, activation, Linear) by default. */
  expert?: (index: number) => Module;
  activation?: "relu" | "gelu";
  /** Add noise to the gate logits in training. Default true. */
  noisyGating?: boolean;
  /** Expert capacity relative to an even split; Infinity disables dropping. Default 1.25. */
  capacityFactor?: number;
  /** Noise source for noisy gating; the default generator when omitted. */
  generator?: Generator;
  dtype?: "float32" | "float64";
}

/** The routing of one batch: for each token, its experts and their gate weights. */
export interface Routing {
  /** [tokens][k] expert indices, best first. */
  experts: number[][];
  /** Tokens sent to each expert after the capacity limit. */
  tokensPerExpert: number[];
  /** Token-expert assignments dropped by the capacity limit. */
  dropped: number;
}

export interface ExpertStatistics {
  /** Tokens processed by each expert since the last reset. */
  tokens: number[];
  /** Each expert's share of all processed assignments. */
  utilization: number[];
  /** Assignments dropped by the capacity limit since the last reset. */
  dropped: number;
  batches: number;
}

export class MixtureOfExperts extends Module {
  readonly numExperts: number;
  readonly topK: number;
  readonly capacityFactor: number;
  readonly noisyGating: boolean;
  gate: Linear;
  w_noise: Parameter;
  experts: ModuleList;
  /** The load-balancing loss of the last forward call; add it (scaled) to the task loss. */
  auxLoss: Tensor | null = null;
  /** The routing of the last forward call. */
  lastRouting: Routing | null = null;
  private readonly generator: Generator;
  private totals = { tokens: [] as number[], dropped: 0, batches: 0 };

  constructor(readonly inputSize: number, readonly outputSize: number, options: MixtureOfExpertsOptions) {
    super();
    if (options === undefined) {
      throw new InvalidArgumentError(`MixtureOfExperts: options with numExperts are required, as in new MixtureOfExperts(${inputSize}, ${outputSize}, { numExperts: 4 }).`);
    }
    checkOptions("MixtureOfExperts", options, ["numExperts", "topK", "hiddenSize", "expert", "activation", "noisyGating", "capacityFactor", "generator", "dtype"]);
    const { numExperts, topK = 2, capacityFactor = 1.25, dtype } = options;
    if (!Number.isInteger(numExperts) || numExperts < 1) throw new InvalidArgumentError(`MixtureOfExperts: numExperts=${numExperts} is invalid; expected a positive integer.`);
    if (!Number.isInteger(topK) || topK < 1 || topK > numExperts) throw new InvalidArgumentError(`MixtureOfExperts: topK=${topK} is invalid; expected an integer in [1, numExperts=${numExperts}].`);
    if (!(capacityFactor > 0)) throw new InvalidArgumentError(`MixtureOfExperts: capacityFactor=${capacityFactor} is invalid; expected a positive number (Infinity disables dropping).`);
    this.numExperts = numExperts;
    this.topK = topK;
    this.capacityFactor = capacityFactor;
    this.noisyGating = options.noisyGating ?? true;
    this.generator = options.generator ?? defaultGenerator;
    this.gate = new Linear(inputSize, numExperts, { bias: false, dtype });
    constant_(this.gate.weight, 0);
    this.w_noise = new Parameter(zeros([inputSize, numExperts], { dtype }));
    const hidden = options.hiddenSize ?? 4 * inputSize;
    const makeExpert = options.expert ?? (() => new Sequential(new Linear(inputSize, hidden, { dtype }), options.activation === "gelu" ? new GELU() : new ReLU(), new Linear(hidden, outputSize, { dtype })));
    this.experts = new ModuleList(Array.from({ length: numExperts }, (_, i) => makeExpert(i)));
    this.totals.tokens = new Array(numExperts).fill(0);
  }

  /** The gate logits [tokens, numExperts], with noise in training when noisyGating is on. */
  private gateLogits(x: Tensor): Tensor {
    const clean = this.gate.forward(x);
    if (!this.training || !this.noisyGating) return clean;
    const noise = empty(clean.shape, clean.dtype);
    for (let i = 0; i < noise.storage.data.length; i++) noise.storage.data[i] = this.generator.normal();
    return add(clean, mul(noise, softplus(matmul(x, this.w_noise))));
  }

  /** Chooses the top-k experts per token and applies the capacity limit. */
  private route(logits: Tensor): { routing: Routing; keep: Tensor; assignments: number[][] } {
    const [tokens, experts] = logits.shape;
    const values = logits.dataSync();
    const capacity = Number.isFinite(this.capacityFactor) ? Math.ceil((this.capacityFactor * tokens * this.topK) / experts) : Infinity;
    const load = new Array<number>(experts).fill(0);
    const assignments: number[][] = Array.from({ length: experts }, () => []);
    const choices: number[][] = [];
    const keep = empty([tokens, experts], "bool");
    let dropped = 0;
    for (let t = 0; t < tokens; t++) {
      const order = Array.from({ length: experts }, (_, e) => e).sort((a, b) => values[t * experts + b] - values[t * experts + a] || a - b);
      const chosen = order.slice(0, this.topK);
      choices.push(chosen);
      for (const e of chosen) {
        keep.storage.data[t * experts + e] = 1;
        if (load[e] < capacity) {
          load[e]++;
          assignments[e].push(t);
        } else {
          dropped++;
        }
      }
    }
    return { routing: { experts: choices, tokensPerExpert: load, dropped }, keep, assignments };
  }

  forward(input: Tensor): Tensor {
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`MixtureOfExperts(${this.inputSize}, ${this.outputSize}): expected input of shape [..., ${this.inputSize}], got ${formatShape(input.shape)}.`);
    }
    const leading = input.shape.slice(0, -1);
    const x = reshape(input, [-1, this.inputSize]);
    const tokens = x.shape[0];
    const logits = this.gateLogits(x);
    const { routing, keep, assignments } = this.route(logits);
    const notKept = empty(keep.shape, "bool");
    for (let i = 0; i < notKept.storage.data.length; i++) notKept.storage.data[i] = keep.storage.data[i] ? 0 : 1;
    // With k = 1 a softmax over the kept logit alone is constant 1 and the gate would get no
    // gradient, so top-1 routing weights each token by its full softmax probability (Switch).
    const weights = this.topK === 1 ? softmax(logits, -1) : softmax(maskedFill(logits, notKept, -Infinity), -1);

    let output = zeros([tokens, this.outputSize], { dtype: x.dtype as "float32" | "float64" });
    [...this.experts].forEach((expert, e) => {
      const rows = assignments[e];
      if (rows.length === 0) return;
      const index = empty([rows.length], "int32");
      index.storage.data.set(rows);
      const expertOut = (expert.forward as (t: Tensor) => Tensor)(indexSelect(x, 0, index));
      const gateWeight = reshape(indexSelect(select(transpose(weights, 0, 1), 0, e), 0, index), [-1, 1]);
      output = indexAdd(output, 0, index, mul(expertOut, gateWeight));
    });

    this.auxLoss = this.balanceLoss(logits, routing, tokens);
    this.lastRouting = routing;
    this.totals.batches++;
    this.totals.dropped += routing.dropped;
    routing.tokensPerExpert.forEach((count, e) => (this.totals.tokens[e] += count));
    return reshape(output, [...leading, this.outputSize]);
  }

  private balanceLoss(logits: Tensor, routing: Routing, tokens: number): Tensor {
    const firstChoice = empty([this.numExperts], logits.dtype);
    for (const chosen of routing.experts) firstChoice.storage.data[chosen[0]] += 1 / Math.max(tokens, 1);
    const meanProbability = mean(softmax(logits, -1), 0);
    return mul(sum(mul(meanProbability, firstChoice)), this.numExperts);
  }

  /** Tokens per expert, utilization shares and drops accumulated since the last reset. */
  statistics(): ExpertStatistics {
    const total = this.totals.tokens.reduce((a, b) => a + b, 0);
    return {
      tokens: [...this.totals.tokens],
      utilization: this.totals.tokens.map((count) => (total > 0 ? count / total : 0)),
      dropped: this.totals.dropped,
      batches: this.totals.batches,
    };
  }

  resetStatistics(): void {
    this.totals = { tokens: new Array(this.numExperts).fill(0), dropped: 0, batches: 0 };
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.outputSize}, numExperts=${this.numExperts}, topK=${this.topK}, capacityFactor=${this.capacityFactor}`;
  }
}
