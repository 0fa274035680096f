import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import { type Generator, defaultGenerator } from "../../tensor/random.js";
import type { Tensor } from "../../tensor/tensor.js";
import { tanh } from "../../ops/unary.js";
import { softmax, logSoftmax } from "../../ops/softmax.js";
import { matmul } from "../../ops/matmul.js";
import { maskedFill } from "../../ops/indexing.js";
import { cat, stack } from "../../ops/join.js";
import { narrow, select, squeeze, unsqueeze } from "../../ops/shape.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Module } from "../module.js";
import { Embedding } from "./embedding.js";
import { Linear } from "./linear.js";
import { GRU, GRUCell, LSTM, LSTMCell } from "./recurrent.js";
import { Dropout } from "./dropout.js";
import { checkOptions } from "../options.js";

/**
 * An encoder-decoder with attention (Luong et al., 2015, "general" score h·W·s with input
 * feeding). An RNN encodes the source. At each target step the decoder cell reads the previous
 * token's embedding and the previous attentional vector, attends over the encoder outputs with
 * padding masked, and predicts the next token from tanh(W_c [h; context]).
 */

export interface Seq2SeqOptions {
  srcVocabSize: number;
  tgtVocabSize: number;
  embedDim?: number;
  hiddenSize?: number;
  cell?: "gru" | "lstm";
  /** A bidirectional encoder; its two final states are joined by a linear bridge. Default true. */
  bidirectional?: boolean;
  dropout?: number;
  padIdx?: number;
  bosIdx: number;
  eosIdx: number;
  dtype?: "float32" | "float64";
}

export interface Seq2SeqForwardOptions {
  /** Valid lengths of the source sequences. */
  srcLengths?: readonly number[];
  /** Probability of feeding the true previous token (teacher forcing); 1 by default. */
  teacherForcing?: number;
  generator?: Generator;
}

interface Encoded {
  outputs: Tensor; // [B, S, H]
  mask: Tensor; // bool [B, S], true at padding
  state: Tensor[]; // decoder initial state: [h] or [h, c], each [B, H]
}

export class Seq2Seq extends Module {
  srcEmbedding: Embedding;
  tgtEmbedding: Embedding;
  encoder: GRU | LSTM;
  bridge: Linear;
  bridgeCell: Linear | null;
  decoderCell: GRUCell | LSTMCell;
  attention: Linear;
  combine: Linear;
  output: Linear;
  dropout: Dropout;
  readonly hiddenSize: number;
  readonly config: Required<Omit<Seq2SeqOptions, "dtype">> & { dtype: "float32" | "float64" };

  constructor(options: Seq2SeqOptions) {
    super();
    if (options === undefined) {
      throw new InvalidArgumentError("Seq2Seq: options with srcVocabSize, tgtVocabSize, bosIdx and eosIdx are required, as in new Seq2Seq({ srcVocabSize: 100, tgtVocabSize: 100, bosIdx: 1, eosIdx: 2 }).");
    }
    checkOptions("Seq2Seq", options, ["srcVocabSize", "tgtVocabSize", "embedDim", "hiddenSize", "cell", "bidirectional", "dropout", "padIdx", "bosIdx", "eosIdx", "dtype"]);
    const config = {
      embedDim: 64, hiddenSize: 128, cell: "gru" as const, bidirectional: true, dropout: 0.1, padIdx: 0, dtype: "float32" as const,
      ...options,
    };
    for (const name of ["srcVocabSize", "tgtVocabSize", "embedDim", "hiddenSize"] as const) {
      if (!Number.isInteger(config[name]) || config[name] <= 0) throw new InvalidArgumentError(`Seq2Seq: ${name}=${config[name]} is invalid; expected a positive integer.`);
    }
    for (const name of ["bosIdx", "eosIdx", "padIdx"] as const) {
      if (!Number.isInteger(config[name]) || config[name] < 0 || config[name] >= config.tgtVocabSize) {
        throw new InvalidArgumentError(`Seq2Seq: ${name}=${config[name]} is invalid; expected an index into the target vocabulary of ${config.tgtVocabSize}.`);
      }
    }
    this.config = config;
    const { embedDim, hiddenSize, dtype } = config;
    this.hiddenSize = hiddenSize;
    const directions = config.bidirectional ? 2 : 1;
    this.srcEmbedding = new Embedding(config.srcVocabSize, embedDim, { paddingIdx: config.padIdx, dtype });
    this.tgtEmbedding = new Embedding(config.tgtVocabSize, embedDim, { paddingIdx: config.padIdx, dtype });
    const Encoder = config.cell === "lstm" ? LSTM : GRU;
    this.encoder = new Encoder(embedDim, hiddenSize, { batchFirst: true, bidirectional: config.bidirectional, dtype });
    this.bridge = new Linear(hiddenSize * directions, hiddenSize, { dtype });
    this.bridgeCell = config.cell === "lstm" ? new Linear(hiddenSize * directions, hiddenSize, { dtype }) : null;
    const Cell = config.cell === "lstm" ? LSTMCell : GRUCell;
    this.decoderCell = new Cell(embedDim + hiddenSize, hiddenSize, { dtype });
    this.attention = new Linear(hiddenSize * directions, hiddenSize, { bias: false, dtype });
    this.combine = new Linear(hiddenSize + hiddenSize * directions, hiddenSize, { dtype });
    this.output = new Linear(hiddenSize, config.tgtVocabSize, { dtype });
    this.dropout = new Dropout(config.dropout);
  }

  private checkTokens(name: string, tokens: Tensor): void {
    if (tokens.dtype !== "int32") throw new DTypeError(`Seq2Seq: ${name} has dtype ${tokens.dtype}; expected int32 token indices. Convert with .int().`);
    if (tokens.ndim !== 2) throw new ShapeError(`Seq2Seq: ${name} must have shape [batch, length], got ${formatShape(tokens.shape)}.`);
  }

  /** Encodes `src` [B, S] and prepares the decoder's initial state. */
  encode(src: Tensor, srcLengths?: readonly number[]): Encoded {
    this.checkTokens("src", src);
    const [batch, length] = src.shape;
    const lengths = srcLengths ?? new Array(batch).fill(length);
    const embedded = this.dropout.forward(this.srcEmbedding.forward(src));
    const directions = this.config.bidirectional ? 2 : 1;
    let outputs: Tensor;
    let hidden: Tensor;
    let cellState: Tensor | null = null;
    if (this.encoder instanceof LSTM) {
      const [out, [h, c]] = this.encoder.forward(embedded, null, { lengths });
      [outputs, hidden, cellState] = [out, h, c];
    } else {
      const [out, h] = this.encoder.forward(embedded, null, { lengths });
      [outputs, hidden] = [out, h];
    }
    const joinDirections = (state: Tensor): Tensor => (directions === 2 ? cat([select(state, 0, 0), select(state, 0, 1)], 1) : select(state, 0, 0));
    const state = [tanh(this.bridge.forward(joinDirections(hidden)))];
    if (cellState && this.bridgeCell) state.push(this.bridgeCell.forward(joinDirections(cellState)));
    const mask = empty([batch, length], "bool");
    for (let b = 0; b < batch; b++) for (let s = lengths[b]; s < length; s++) mask.storage.data[b * length + s] = 1;
    return { outputs, mask, state };
  }

  /**
   * One decoder step: previous tokens [B], state, previous attentional vector [B, H].
   * Returns logits [B, V], the new state, the attentional vector and the attention weights [B, S].
   */
  decodeStep(tokens: Tensor, state: Tensor[], feed: Tensor, encoded: Encoded): { logits: Tensor; state: Tensor[]; feed: Tensor; weights: Tensor } {
    const input = cat([this.dropout.forward(this.tgtEmbedding.forward(tokens)), feed], 1);
    const next = this.decoderCell instanceof LSTMCell ? this.decoderCell.forward(input, [state[0], state[1]]) : [this.decoderCell.forward(input, state[0])];
    const h = next[0];
    const keys = this.attention.forward(encoded.outputs); // [B, S, H]
    const scores = squeeze(matmul(keys, unsqueeze(h, 2)), 2); // [B, S]
    const weights = softmax(maskedFill(scores, encoded.mask, -Infinity), 1);
    const context = squeeze(matmul(unsqueeze(weights, 1), encoded.outputs), 1); // [B, 2H]
    const attentional = tanh(this.combine.forward(cat([h, context], 1)));
    const logits = this.output.forward(this.dropout.forward(attentional));
    return { logits, state: next as Tensor[], feed: attentional, weights };
  }

  private initialFeed(batch: number): Tensor {
    return empty([batch, this.hiddenSize], this.config.dtype);
  }

  /**
   * Logits [B, T, V] for target inputs `tgtIn` [B, T] (starting with bos). With teacher forcing
   * below 1, each step feeds the model's own previous prediction with probability 1 − ratio.
   */
  forward(src: Tensor, tgtIn: Tensor, options: Seq2SeqForwardOptions = {}): Tensor {
    this.checkTokens("tgtIn", tgtIn);
    const encoded = this.encode(src, options.srcLengths);
    const [batch, steps] = tgtIn.shape;
    const ratio = options.teacherForcing ?? 1;
    const generator = options.generator ?? defaultGenerator;
    let state = encoded.state;
    let feed = this.initialFeed(batch);
    let tokens = select(tgtIn, 1, 0);
    const logits: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const step = this.decodeStep(tokens, state, feed, encoded);
      logits.push(step.logits);
      state = step.state;
      feed = step.feed;
      if (t + 1 < steps) {
        const useTruth = ratio >= 1 || generator.uniform() < ratio;
        tokens = useTruth ? select(tgtIn, 1, t + 1) : argmaxRows(step.logits);
      }
    }
    return stack(logits, 1);
  }

  /** Greedy decoding: token lists (without bos/eos) for each source sequence. */
  greedyDecode(src: Tensor, options: { srcLengths?: readonly number[]; maxLength?: number } = {}): number[][] {
    return noGrad(() => {
      const wasTraining = this.training;
      this.eval();
      try {
        const encoded = this.encode(src, options.srcLengths);
        const batch = src.shape[0];
        const maxLength = options.maxLength ?? 2 * src.shape[1] + 5;
        let state = encoded.state;
        let feed = this.initialFeed(batch);
        let tokens = fullTokens(batch, this.config.bosIdx);
        const results: number[][] = Array.from({ length: batch }, () => []);
        const finished = new Array<boolean>(batch).fill(false);
        for (let t = 0; t < maxLength && !finished.every(Boolean); t++) {
          const step = this.decodeStep(tokens, state, feed, encoded);
          [state, feed] = [step.state, step.feed];
          tokens = argmaxRows(step.logits);
          const chosen = tokens.dataSync();
          for (let b = 0; b < batch; b++) {
            if (finished[b]) continue;
            if (chosen[b] === this.config.eosIdx) finished[b] = true;
            else results[b].push(chosen[b]);
          }
        }
        return results;
      } finally {
        this.train(wasTraining);
      }
    });
  }

  /**
   * Beam search for one source sequence [1, S] (or the first row of a batch): keeps `beamSize`
   * hypotheses ranked by total log-probability divided by length^lengthPenalty, and returns the
   * best finished hypotheses, best first, without bos/eos.
   */
  beamSearch(src: Tensor, options: { srcLength?: number; beamSize?: number; maxLength?: number; lengthPenalty?: number } = {}): { tokens: number[]; score: number }[] {
    const beamSize = options.beamSize ?? 4;
    if (!Number.isInteger(beamSize) || beamSize < 1) throw new InvalidArgumentError(`beamSearch: beamSize=${beamSize} is invalid; expected a positive integer.`);
    const alpha = options.lengthPenalty ?? 1;
    return noGrad(() => {
      const wasTraining = this.training;
      this.eval();
      try {
        const single = narrow(src, 0, 0, 1);
        const length = options.srcLength ?? single.shape[1];
        const encodedOne = this.encode(single, [length]);
        const maxLength = options.maxLength ?? 2 * single.shape[1] + 5;
        type Hypothesis = { tokens: number[]; logProb: number; state: Tensor[]; feed: Tensor };
        let beams: Hypothesis[] = [{ tokens: [], logProb: 0, state: encodedOne.state, feed: this.initialFeed(1) }];
        const finished: { tokens: number[]; score: number }[] = [];
        const normalize = (logProb: number, n: number): number => logProb / Math.pow(Math.max(n, 1), alpha);
        for (let t = 0; t < maxLength && beams.length > 0; t++) {
          const candidates: (Hypothesis & { next: number })[] = [];
          for (const beam of beams) {
            const previous = beam.tokens.length ? beam.tokens[beam.tokens.length - 1] : this.config.bosIdx;
            const step = this.decodeStep(fullTokens(1, previous), beam.state, beam.feed, encodedOne);
            const logProbs = logSoftmax(step.logits, 1).dataSync();
            const top = topIndices(logProbs, beamSize);
            for (const index of top) candidates.push({ tokens: beam.tokens, logProb: beam.logProb + logProbs[index], state: step.state, feed: step.feed, next: index });
          }
          candidates.sort((a, b) => b.logProb - a.logProb);
          beams = [];
          for (const candidate of candidates) {
            if (candidate.next === this.config.eosIdx) {
              finished.push({ tokens: candidate.tokens, score: normalize(candidate.logProb, candidate.tokens.length + 1) });
            } else if (beams.length < beamSize) {
              beams.push({ tokens: [...candidate.tokens, candidate.next], logProb: candidate.logProb, state: candidate.state, feed: candidate.feed });
            }
            if (beams.length >= beamSize && finished.length >= beamSize) break;
          }
          const bestOpen = beams.length ? Math.max(...beams.map((b) => normalize(b.logProb, b.tokens.length))) : -Infinity;
          const bestDone = finished.length ? Math.max(...finished.map((f) => f.score)) : -Infinity;
          if (finished.length >= beamSize && bestDone >= bestOpen) break;
        }
        for (const beam of beams) finished.push({ tokens: beam.tokens, score: normalize(beam.logProb, beam.tokens.length) });
        return finished.sort((a, b) => b.score - a.score).slice(0, beamSize);
      } finally {
        this.train(wasTraining);
      }
    });
  }
}

function fullTokens(batch: number, value: number): Tensor {
  const tokens = empty([batch], "int32");
  tokens.storage.data.fill(value);
  return tokens;
}

/** The argmax over the last dimension of [B, V] logits, as int32 [B]. */
function argmaxRows(logits: Tensor): Tensor {
  const [batch, vocab] = logits.shape;
  const values = logits.dataSync();
  const out = empty([batch], "int32");
  for (let b = 0; b < batch; b++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (values[b * vocab + v] > values[b * vocab + best]) best = v;
    out.storage.data[b] = best;
  }
  return out;
}

function topIndices(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => values[b] - values[a])
    .slice(0, k);
}
