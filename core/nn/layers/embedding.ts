import { DTypeError, InvalidArgumentError } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { mul } from "../../ops/arithmetic.js";
import { indexSelect } from "../../ops/indexing.js";
import { reshape } from "../../ops/shape.js";
import { unaryLoop } from "../../backend/elementwise.js";
import { operand } from "../../ops/util.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { checkOptions } from "../options.js";

/**
 * Looks up rows of `weight` [numEmbeddings, embeddingDim] for int32 indices of any shape,
 * giving [...indices.shape, embeddingDim]. Rows at `paddingIdx` receive no gradient.
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (indices.dtype !== "int32") {
    throw new DTypeError(`embedding: indices have dtype ${indices.dtype}; expected int32 class indices. Convert them with .int().`);
  }
  const flat = reshape(indices, [-1]);
  let rows = indexSelect(weight, 0, flat);
  if (paddingIdx !== undefined && paddingIdx !== null) {
    const keep = empty([flat.shape[0], 1], weight.dtype);
    unaryLoop(`x === ${paddingIdx} ? 0 : 1`)(keep.storage.data, operand(reshape(flat, [-1, 1])), [flat.shape[0], 1]);
    rows = mul(rows, keep);
  }
  return reshape(rows, [...indices.shape, weight.shape[1]]);
}

export interface EmbeddingOptions {
  /** An index whose row is initialized to zeros and never updated by gradients. */
  paddingIdx?: number;
  dtype?: "float32" | "float64";
}

/** A lookup table of learned vectors, initialized from N(0, 1) as PyTorch's. */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions("Embedding", options, ["paddingIdx", "dtype"]);
    for (const [name, value] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`Embedding: ${name}=${value} is invalid; expected a positive integer.`);
    }
    let padding = options.paddingIdx ?? null;
    if (padding !== null) {
      if (!Number.isInteger(padding) || padding < -numEmbeddings || padding >= numEmbeddings) {
        throw new InvalidArgumentError(`Embedding: paddingIdx=${padding} is out of range for ${numEmbeddings} embeddings.`);
      }
      if (padding < 0) padding += numEmbeddings;
    }
    this.paddingIdx = padding;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], options.dtype ?? "float32"));
    this.resetParameters();
  }

  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => {
        const data = this.weight.storage.data;
        data.fill(0, row * this.embeddingDim, (row + 1) * this.embeddingDim);
      });
    }
  }

  forward(indices: Tensor): Tensor {
    const name = `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
    if (indices.dtype !== "int32") {
      throw new DTypeError(`${name}: indices have dtype ${indices.dtype}; expected int32 indices. Convert them with .int().`);
    }
    const values = indices.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= this.numEmbeddings) {
        throw new InvalidArgumentError(
          `${name}: index ${values[i]} at position ${i} is out of range; expected 0..${this.numEmbeddings - 1}. Enlarge numEmbeddings or map the index into the vocabulary.`,
        );
      }
    }
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ""}`;
  }
}
