import { InvalidArgumentError } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add } from "../../ops/arithmetic.js";
import { gelu, relu } from "../../ops/unary.js";
import { narrow } from "../../ops/shape.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { normal_ } from "../init.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./containers.js";
import { checkOptions } from "../options.js";

/**
 * Transformer layers with PyTorch's structure and parameter names (self_attn, linear1, linear2,
 * norm1, ...), post-norm by default and pre-norm with `normFirst`.
 */

export interface TransformerLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: "relu" | "gelu";
  layerNormEps?: number;
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before each sub-block instead of after the residual sum. */
  normFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface EncoderForwardOptions {
  /** An [S, S] mask: bool true = not allowed, or float added to the attention scores. */
  mask?: Tensor | null;
  /** A bool [batch, S] mask, true at padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

/** The option names of TransformerLayerOptions. */
const LAYER_OPTIONS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "dtype"];

function checkLayerSizes(owner: string, dModel: number, nhead: number): void {
  if (!Number.isInteger(dModel) || dModel <= 0) throw new InvalidArgumentError(`${owner}: dModel=${dModel} is invalid; expected a positive integer.`);
  if (!Number.isInteger(nhead) || nhead <= 0 || dModel % nhead !== 0) throw new InvalidArgumentError(`${owner}: nhead=${nhead} must be a positive integer that divides dModel=${dModel}.`);
}

/** A copy with the same configuration and the same weights, as PyTorch's deepcopy of a layer. */
function cloneLayer<T extends Module>(layer: T, make: () => T): T {
  const copy = make();
  const state: Record<string, Tensor> = {};
  for (const [key, value] of Object.entries(layer.stateDict())) state[key] = value.clone();
  copy.loadStateDict(state);
  return copy;
}

export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly normFirst: boolean;
  readonly activation: "relu" | "gelu";

  constructor(readonly dModel: number, readonly nhead: number, readonly options: TransformerLayerOptions = {}) {
    super();
    checkOptions("TransformerEncoderLayer", options, LAYER_OPTIONS);
    checkLayerSizes("TransformerEncoderLayer", dModel, nhead);
    const { dimFeedforward = 2048, dropout = 0.1, layerNormEps = 1e-5, batchFirst = false, dtype } = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.normFirst = options.normFirst ?? false;
    this.activation = options.activation ?? "relu";
  }

  clone(): TransformerEncoderLayer {
    return cloneLayer(this, () => new TransformerEncoderLayer(this.dModel, this.nhead, this.options));
  }

  private selfAttention(x: Tensor, options: EncoderForwardOptions): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: options.mask, keyPaddingMask: options.srcKeyPaddingMask, needWeights: false, isCausal: options.isCausal });
    return this.dropout1.forward(out);
  }

  private feedForward(x: Tensor): Tensor {
    const hidden = this.activation === "gelu" ? gelu(this.linear1.forward(x)) : relu(this.linear1.forward(x));
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(hidden)));
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    if (this.normFirst) {
      const x = add(src, this.selfAttention(this.norm1.forward(src), options));
      return add(x, this.feedForward(this.norm2.forward(x)));
    }
    const x = this.norm1.forward(add(src, this.selfAttention(src, options)));
    return this.norm2.forward(add(x, this.feedForward(x)));
  }
}

export interface DecoderForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
}

export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly normFirst: boolean;
  readonly activation: "relu" | "gelu";

  constructor(readonly dModel: number, readonly nhead: number, readonly options: TransformerLayerOptions = {}) {
    super();
    checkOptions("TransformerDecoderLayer", options, LAYER_OPTIONS);
    checkLayerSizes("TransformerDecoderLayer", dModel, nhead);
    const { dimFeedforward = 2048, dropout = 0.1, layerNormEps = 1e-5, batchFirst = false, dtype } = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout, batchFirst, dtype });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype });
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype });
    this.norm1 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: layerNormEps, dtype });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    this.dropout3 = new Dropout(dropout);
    this.normFirst = options.normFirst ?? false;
    this.activation = options.activation ?? "relu";
  }

  clone(): TransformerDecoderLayer {
    return cloneLayer(this, () => new TransformerDecoderLayer(this.dModel, this.nhead, this.options));
  }

  private selfAttention(x: Tensor, options: DecoderForwardOptions): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: options.tgtMask, keyPaddingMask: options.tgtKeyPaddingMask, needWeights: false, isCausal: options.tgtIsCausal });
    return this.dropout1.forward(out);
  }

  private crossAttention(x: Tensor, memory: Tensor, options: DecoderForwardOptions): Tensor {
    const [out] = this.multihead_attn.forward(x, memory, memory, { attnMask: options.memoryMask, keyPaddingMask: options.memoryKeyPaddingMask, needWeights: false });
    return this.dropout2.forward(out);
  }

  private feedForward(x: Tensor): Tensor {
    const hidden = this.activation === "gelu" ? gelu(this.linear1.forward(x)) : relu(this.linear1.forward(x));
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(hidden)));
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    if (this.normFirst) {
      let x = add(tgt, this.selfAttention(this.norm1.forward(tgt), options));
      x = add(x, this.crossAttention(this.norm2.forward(x), memory, options));
      return add(x, this.feedForward(this.norm3.forward(x)));
    }
    let x = this.norm1.forward(add(tgt, this.selfAttention(tgt, options)));
    x = this.norm2.forward(add(x, this.crossAttention(x, memory, options)));
    return this.norm3.forward(add(x, this.feedForward(x)));
  }
}

/** A stack of numLayers copies of an encoder layer (identical initial weights, as PyTorch), with an optional final norm. */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, options: { norm?: LayerNorm | null } = {}) {
    super();
    checkOptions("TransformerEncoder", options, ["norm"]);
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new InvalidArgumentError(`TransformerEncoder: numLayers=${numLayers} is invalid; expected a positive integer.`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = (layer as TransformerEncoderLayer).forward(x, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** A stack of numLayers copies of a decoder layer, with an optional final norm. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  norm: LayerNorm | null;

  constructor(decoderLayer: TransformerDecoderLayer, readonly numLayers: number, options: { norm?: LayerNorm | null } = {}) {
    super();
    checkOptions("TransformerDecoder", options, ["norm"]);
    if (!Number.isInteger(numLayers) || numLayers < 1) throw new InvalidArgumentError(`TransformerDecoder: numLayers=${numLayers} is invalid; expected a positive integer.`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.norm = options.norm ?? null;
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
}

/** The encoder-decoder Transformer of Vaswani et al. (2017), with PyTorch's defaults (512, 8, 6, 6, 2048). */
export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;

  constructor(options: TransformerOptions = {}) {
    super();
    checkOptions("Transformer", options, ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", ...LAYER_OPTIONS]);
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, ...layer } = options;
    const eps = layer.layerNormEps ?? 1e-5;
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layer), numEncoderLayers, { norm: new LayerNorm(dModel, { eps, dtype: layer.dtype }) });
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layer), numDecoderLayers, { norm: new LayerNorm(dModel, { eps, dtype: layer.dtype }) });
  }

  forward(src: Tensor, tgt: Tensor, options: { srcMask?: Tensor | null; tgtMask?: Tensor | null; memoryMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; tgtKeyPaddingMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null } = {}): Tensor {
    const memory = this.encoder.forward(src, { mask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask });
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask,
      memoryMask: options.memoryMask,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask,
    });
  }

  /** A float [size, size] mask with −∞ above the diagonal and 0 elsewhere. */
  static generateSquareSubsequentMask(size: number, dtype: "float32" | "float64" = "float32"): Tensor {
    const mask = empty([size, size], dtype);
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) mask.storage.data[i * size + j] = -Infinity;
    return mask;
  }
}

/**
 * Adds the fixed sinusoidal encoding PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...)
 * to inputs of shape [batch, seq, dModel] (or [seq, batch, dModel] without batchFirst), then dropout.
 */
export class SinusoidalPositionalEncoding extends Module {
  dropout: Dropout;

  constructor(readonly dModel: number, readonly options: { maxLen?: number; dropout?: number; batchFirst?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    checkOptions("SinusoidalPositionalEncoding", options, ["maxLen", "dropout", "batchFirst", "dtype"]);
    const maxLen = options.maxLen ?? 5000;
    const table = empty([maxLen, dModel], options.dtype ?? "float32");
    for (let p = 0; p < maxLen; p++) {
      for (let i = 0; i < dModel; i++) {
        const angle = p / Math.pow(10000, (2 * Math.floor(i / 2)) / dModel);
        table.storage.data[p * dModel + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    }
    this.registerBuffer("pe", table, { persistent: false });
    this.dropout = new Dropout(options.dropout ?? 0.1);
  }

  forward(x: Tensor): Tensor {
    const batchFirst = this.options.batchFirst ?? true;
    const length = x.shape[batchFirst ? 1 : 0];
    const table = narrow(this.getBuffer("pe")!, 0, 0, length);
    const encoding = batchFirst ? table : table.unsqueeze(1);
    return this.dropout.forward(add(x, encoding));
  }
}

/** Adds a learned embedding of each position (one vector per position up to maxLen). */
export class LearnedPositionalEncoding extends Module {
  weight: Parameter;
  dropout: Dropout;

  constructor(readonly dModel: number, readonly maxLen: number, readonly options: { dropout?: number; batchFirst?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    checkOptions("LearnedPositionalEncoding", options, ["dropout", "batchFirst", "dtype"]);
    this.weight = new Parameter(empty([maxLen, dModel], options.dtype ?? "float32"));
    normal_(this.weight, 0, 0.02);
    this.dropout = new Dropout(options.dropout ?? 0.1);
  }

  forward(x: Tensor): Tensor {
    const batchFirst = this.options.batchFirst ?? true;
    const length = x.shape[batchFirst ? 1 : 0];
    if (length > this.maxLen) throw new InvalidArgumentError(`LearnedPositionalEncoding: the sequence has ${length} positions, more than maxLen=${this.maxLen}.`);
    const table = narrow(this.weight, 0, 0, length);
    return this.dropout.forward(add(x, batchFirst ? table : table.unsqueeze(1)));
  }
}
