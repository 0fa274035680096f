import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import { zeros } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add, mul } from "../../ops/arithmetic.js";
import { matmul } from "../../ops/matmul.js";
import { softmax } from "../../ops/softmax.js";
import { maskedFill } from "../../ops/indexing.js";
import { mean } from "../../ops/reduce.js";
import { narrow, permute, reshape, transpose } from "../../ops/shape.js";
import { constant_, xavierUniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { dropout } from "./dropout.js";
import { Linear, linear } from "./linear.js";
import { checkOptions } from "../options.js";

export interface AttentionOptions {
  /**
   * A mask broadcast to [..., L, S]. A bool mask marks with true the positions that take part
   * (as torch's scaled_dot_product_attention); a float mask is added to the scores.
   */
  attnMask?: Tensor | null;
  /** Masks out future keys: query i attends to keys j ≤ i. */
  isCausal?: boolean;
  dropoutP?: number;
  /** The score scale; 1/√E by default. */
  scale?: number;
  /** Dropout mask source in training; the default generator when omitted. */
  training?: boolean;
}

/** A bool [L, S] mask, true on and below the diagonal. */
export function causalMask(queries: number, keys: number): Tensor {
  const mask = empty([queries, keys], "bool");
  for (let i = 0; i < queries; i++) for (let j = 0; j <= Math.min(i, keys - 1); j++) mask.storage.data[i * keys + j] = 1;
  return mask;
}

function invert(mask: Tensor): Tensor {
  const out = empty(mask.shape, "bool");
  const values = mask.dataSync();
  for (let i = 0; i < values.length; i++) out.storage.data[i] = values[i] ? 0 : 1;
  return out;
}

/**
 * softmax(Q·Kᵀ·scale + mask)·V. Shapes: query [..., L, E], key [..., S, E], value [..., S, Ev]
 * → output [..., L, Ev] and the attention weights [..., L, S]. Returns [output, weights].
 * Rows whose keys are all masked give NaN, as in PyTorch.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: AttentionOptions = {}): [Tensor, Tensor] {
  const embed = query.shape[query.ndim - 1];
  if (key.shape[key.ndim - 1] !== embed || key.shape[key.ndim - 2] !== value.shape[value.ndim - 2]) {
    throw new ShapeError(
      `scaledDotProductAttention: query ${formatShape(query.shape)}, key ${formatShape(key.shape)} and value ${formatShape(value.shape)} do not fit; ` +
        `query and key need the same last dimension, and key and value the same number of positions.`,
    );
  }
  const scale = options.scale ?? 1 / Math.sqrt(embed);
  let scores = mul(matmul(query, transpose(key, -1, -2)), scale);
  const [queries, keys] = [query.shape[query.ndim - 2], key.shape[key.ndim - 2]];
  if (options.isCausal) scores = maskedFill(scores, invert(causalMask(queries, keys)), -Infinity);
  const mask = options.attnMask;
  if (mask) {
    if (mask.dtype === "bool") scores = maskedFill(scores, invert(mask), -Infinity);
    else if (mask.dtype === "float32" || mask.dtype === "float64") scores = add(scores, mask);
    else throw new DTypeError(`scaledDotProductAttention: attnMask has dtype ${mask.dtype}; expected bool or a float additive mask.`);
  }
  let weights = softmax(scores, -1);
  if (options.dropoutP && options.training !== false) weights = dropout(weights, options.dropoutP, true);
  return [matmul(weights, value), weights];
}

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  /** Feature size of keys; embedDim by default. */
  kdim?: number;
  /** Feature size of values; embedDim by default. */
  vdim?: number;
  /** Inputs and outputs as [batch, seq, feature] instead of [seq, batch, feature]. */
  batchFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface MultiheadForwardOptions {
  /** A bool [batch, S] mask, true at key positions to ignore (padding), as PyTorch's. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights; true by default. */
  needWeights?: boolean;
  /** An [L, S] or [batch·numHeads, L, S] mask: bool true = not allowed, or float added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads; true by default. */
  averageAttnWeights?: boolean;
  /** Applies a causal mask (query i attends to keys j ≤ i). */
  isCausal?: boolean;
}

/**
 * Multi-head attention as PyTorch's: queries, keys and values are projected (one packed
 * in_proj_weight [3E, E] when key and value sizes equal embedDim), split into numHeads heads of
 * size E/numHeads, attended, concatenated and projected by out_proj. forward returns
 * [output, weights] with weights [batch, L, S] averaged over heads (or null).
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropoutP: number;
  readonly batchFirst: boolean;
  out_proj: Linear;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions("MultiheadAttention", options, ["dropout", "bias", "kdim", "vdim", "batchFirst", "dtype"]);
    if (!Number.isInteger(embedDim) || embedDim <= 0) throw new InvalidArgumentError(`MultiheadAttention: embedDim=${embedDim} is invalid; expected a positive integer.`);
    if (!Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0) {
      throw new InvalidArgumentError(`MultiheadAttention: numHeads=${numHeads} must be a positive integer that divides embedDim=${embedDim}.`);
    }
    this.headDim = embedDim / numHeads;
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    this.dropoutP = options.dropout ?? 0;
    this.batchFirst = options.batchFirst ?? false;
    const dtype = options.dtype ?? "float32";
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.registerParameter("in_proj_weight", new Parameter(empty([3 * embedDim, embedDim], dtype)));
    } else {
      this.registerParameter("q_proj_weight", new Parameter(empty([embedDim, embedDim], dtype)));
      this.registerParameter("k_proj_weight", new Parameter(empty([embedDim, this.kdim], dtype)));
      this.registerParameter("v_proj_weight", new Parameter(empty([embedDim, this.vdim], dtype)));
    }
    if (options.bias !== false) this.registerParameter("in_proj_bias", new Parameter(zeros([3 * embedDim], { dtype })));
    this.out_proj = new Linear(embedDim, embedDim, { bias: options.bias !== false, dtype });
    this.resetParameters();
  }

  private parameter(name: string): Tensor | null {
    for (const [key, value] of this.namedParameters({ recurse: false })) if (key === name) return value;
    return null;
  }

  resetParameters(): void {
    const packed = this.parameter("in_proj_weight");
    if (packed) xavierUniform_(packed);
    else for (const name of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) xavierUniform_(this.parameter(name)!);
    const bias = this.parameter("in_proj_bias");
    if (bias) constant_(bias, 0);
    if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
  }

  /** The projection weight and bias of part 0 (query), 1 (key) or 2 (value). */
  private projection(part: number): [Tensor, Tensor | null] {
    const packed = this.parameter("in_proj_weight");
    const weight = packed ? narrow(packed, 0, part * this.embedDim, this.embedDim) : this.parameter(["q_proj_weight", "k_proj_weight", "v_proj_weight"][part])!;
    const bias = this.parameter("in_proj_bias");
    return [weight, bias ? narrow(bias, 0, part * this.embedDim, this.embedDim) : null];
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadForwardOptions = {}): [Tensor, Tensor | null] {
    const [q0, k0, v0] = this.batchFirst ? [query, key, value] : [query, key, value].map((t) => transpose(t, 0, 1));
    for (const [name, tensor, size] of [["query", q0, this.embedDim], ["key", k0, this.kdim], ["value", v0, this.vdim]] as const) {
      if (tensor.ndim !== 3 || tensor.shape[2] !== size) {
        const layout = this.batchFirst ? "[batch, seq, " : "[seq, batch, ";
        throw new ShapeError(`MultiheadAttention(${this.embedDim}, ${this.numHeads}): expected ${name} of shape ${layout}${size}], got ${formatShape(name === "query" ? query.shape : name === "key" ? key.shape : value.shape)}.`);
      }
    }
    const [batch, targetLength] = [q0.shape[0], q0.shape[1]];
    const sourceLength = k0.shape[1];
    const heads = (t: Tensor, part: number): Tensor => {
      const [weight, bias] = this.projection(part);
      const projected = linear(t, weight, bias);
      return permute(reshape(projected, [batch, t.shape[1], this.numHeads, this.headDim]), [0, 2, 1, 3]);
    };
    const [q, k, v] = [heads(q0, 0), heads(k0, 1), heads(v0, 2)];

    let additive: Tensor | null = null;
    const addMask = (mask: Tensor): void => {
      additive = additive ? add(additive, mask) : mask;
    };
    if (options.attnMask) {
      const mask = options.attnMask;
      const shaped = mask.ndim === 3 ? reshape(mask, [batch, this.numHeads, targetLength, sourceLength]) : mask;
      addMask(mask.dtype === "bool" ? maskedFill(zeros(shaped.shape, { dtype: q.dtype as "float32" }), shaped, -Infinity) : shaped);
    }
    if (options.keyPaddingMask) {
      const padding = options.keyPaddingMask;
      if (padding.shape.join() !== [batch, sourceLength].join()) {
        throw new ShapeError(`MultiheadAttention: keyPaddingMask must have shape [${batch}, ${sourceLength}] (batch, source length), got ${formatShape(padding.shape)}.`);
      }
      const shaped = reshape(padding, [batch, 1, 1, sourceLength]);
      addMask(padding.dtype === "bool" ? maskedFill(zeros(shaped.shape, { dtype: q.dtype as "float32" }), shaped, -Infinity) : shaped);
    }
    const [attended, weights] = scaledDotProductAttention(q, k, v, {
      attnMask: additive,
      isCausal: options.isCausal,
      dropoutP: this.dropoutP,
      training: this.training,
    });
    const merged = reshape(permute(attended, [0, 2, 1, 3]), [batch, targetLength, this.embedDim]);
    let output = this.out_proj.forward(merged);
    if (!this.batchFirst) output = transpose(output, 0, 1);
    if (options.needWeights === false) return [output, null];
    return [output, options.averageAttnWeights === false ? weights : mean(weights, 1)];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.dropoutP ? `, dropout=${this.dropoutP}` : ""}${this.batchFirst ? ", batchFirst=true" : ""}`;
  }
}
