import { InvalidArgumentError, ShapeError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import { zeros } from "../../tensor/creation.js";
import { Tensor } from "../../tensor/tensor.js";
import { add, mul, sub } from "../../ops/arithmetic.js";
import { relu, sigmoid, tanh } from "../../ops/unary.js";
import { matmul } from "../../ops/matmul.js";
import { narrow, reshape, select, transpose } from "../../ops/shape.js";
import { stack, cat } from "../../ops/join.js";
import { uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { dropout } from "./dropout.js";
import { lstmGates } from "./lstm_gates.js";
import { lstmSequence } from "./lstm_sequence.js";

/**
 * Recurrent cells and multi-layer recurrent networks with PyTorch's parameter names, shapes and
 * gate order, so state dicts load across:
 * - RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)
 * - LSTM: gates (i, f, g, o); c' = f·c + i·g, h' = o·tanh(c')
 * - GRU:  gates (r, z, n); n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h
 * All weights start from U(−1/√hiddenSize, 1/√hiddenSize), as in PyTorch.
 */

export type RecurrentMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

const GATES: Record<RecurrentMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

function linearPart(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const product = matmul(x, transpose(weight, 0, 1));
  return bias ? add(product, bias) : product;
}

function gate(projection: Tensor, index: number, hidden: number): Tensor {
  return narrow(projection, -1, index * hidden, hidden);
}

/**
 * One step of a recurrent cell given the input projection `xProj` = W_ih x + b_ih, so a whole
 * sequence's input projections can be computed in one matrix product. `weightHhT` is W_hhᵀ,
 * transposed once per sequence rather than once per step. Returns [h', c'].
 */
function cellStep(mode: RecurrentMode, xProj: Tensor, h: Tensor, c: Tensor | null, weightHhT: Tensor, biasHh: Tensor | null, hidden: number): [Tensor, Tensor | null] {
  const product = matmul(h, weightHhT);
  const hProj = biasHh ? add(product, biasHh) : product;
  switch (mode) {
    case "RNN_TANH":
      return [tanh(add(xProj, hProj)), null];
    case "RNN_RELU":
      return [relu(add(xProj, hProj)), null];
    case "LSTM":
      return lstmGates(add(xProj, hProj), c!, hidden);
    case "GRU": {
      const r = sigmoid(add(gate(xProj, 0, hidden), gate(hProj, 0, hidden)));
      const z = sigmoid(add(gate(xProj, 1, hidden), gate(hProj, 1, hidden)));
      const n = tanh(add(gate(xProj, 2, hidden), mul(r, gate(hProj, 2, hidden))));
      return [add(mul(sub(1, z), n), mul(z, h)), null];
    }
  }
}

interface CellOptions {
  bias?: boolean;
  dtype?: "float32" | "float64";
}

abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(protected readonly mode: RecurrentMode, readonly inputSize: number, readonly hiddenSize: number, options: CellOptions) {
    super();
    checkSizes(new.target.name, inputSize, hiddenSize);
    const rows = GATES[mode] * hiddenSize;
    const dtype = options.dtype ?? "float32";
    this.weight_ih = new Parameter(empty([rows, inputSize], dtype));
    this.weight_hh = new Parameter(empty([rows, hiddenSize], dtype));
    this.bias_ih = options.bias === false ? null : new Parameter(empty([rows], dtype));
    this.bias_hh = options.bias === false ? null : new Parameter(empty([rows], dtype));
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const parameter of this.parameters()) uniform_(parameter, -bound, bound);
  }

  protected checkInput(input: Tensor): void {
    if ((input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}): expected input of shape [batch, ${this.inputSize}] or [${this.inputSize}], got ${formatShape(input.shape)}.`);
    }
  }

  protected initialState(input: Tensor, given: Tensor | undefined | null): Tensor {
    const shape = input.ndim === 2 ? [input.shape[0], this.hiddenSize] : [this.hiddenSize];
    if (!given) return zeros(shape, { dtype: this.weight_ih.dtype as "float32" | "float64" });
    if (given.shape.join() !== shape.join()) throw new ShapeError(`${this.constructor.name}: the hidden state must have shape ${formatShape(shape)}, got ${formatShape(given.shape)}.`);
    return given;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? "" : ", bias=false"}`;
  }
}

function checkSizes(owner: string, inputSize: number, hiddenSize: number): void {
  for (const [name, value] of [["inputSize", inputSize], ["hiddenSize", hiddenSize]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${owner}: ${name}=${value} is invalid; expected a positive integer.`);
  }
}

/** An Elman RNN cell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(checkKeys("RNNCell", "options", options, ["bias", "dtype", "nonlinearity"]).nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    this.checkInput(input);
    const h = this.initialState(input, hx);
    return cellStep(this.mode, linearPart(input, this.weight_ih, this.bias_ih), h, null, transpose(this.weight_hh, 0, 1), this.bias_hh, this.hiddenSize)[0];
  }
}

/** An LSTM cell; forward returns [h', c']. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super("LSTM", inputSize, hiddenSize, checkKeys("LSTMCell", "options", options, ["bias", "dtype"]));
  }

  forward(input: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    this.checkInput(input);
    const h = this.initialState(input, state?.[0]);
    const c = this.initialState(input, state?.[1]);
    const [hNext, cNext] = cellStep("LSTM", linearPart(input, this.weight_ih, this.bias_ih), h, c, transpose(this.weight_hh, 0, 1), this.bias_hh, this.hiddenSize);
    return [hNext, cNext!];
  }
}

/** A GRU cell. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super("GRU", inputSize, hiddenSize, checkKeys("GRUCell", "options", options, ["bias", "dtype"]));
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    this.checkInput(input);
    const h = this.initialState(input, hx);
    return cellStep("GRU", linearPart(input, this.weight_ih, this.bias_ih), h, null, transpose(this.weight_hh, 0, 1), this.bias_hh, this.hiddenSize)[0];
  }
}

export interface RecurrentOptions {
  numLayers?: number;
  bias?: boolean;
  /** Inputs and outputs as [batch, time, features] instead of [time, batch, features]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
  dtype?: "float32" | "float64";
}

export interface SequenceOptions {
  /**
   * The valid length of each sequence in the batch (all at the start of the time axis). Steps past
   * a sequence's length leave its state unchanged and give zero outputs, and the reverse
   * direction starts at each sequence's own last step, as PyTorch's packed sequences do.
   */
  lengths?: readonly number[] | Tensor;
  /**
   * A [batch, time] mask (bool, or 0/1 numbers), true at valid steps, in the layout of the input
   * (time first unless batchFirst). A masked step leaves the state unchanged and gives a zero
   * output, in both directions. Give `lengths` or `mask`, not both.
   */
  mask?: Tensor;
}

/** Multi-layer recurrent network shared by RNN, LSTM and GRU. */
abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  private readonly hasBias: boolean;

  constructor(protected readonly mode: RecurrentMode, readonly inputSize: number, readonly hiddenSize: number, options: RecurrentOptions) {
    super();
    checkSizes(new.target.name, inputSize, hiddenSize);
    checkKeys(new.target.name, "options", options, ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "dtype", "nonlinearity"]);
    this.numLayers = options.numLayers ?? 1;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1) throw new InvalidArgumentError(`${new.target.name}: numLayers=${this.numLayers} is invalid; expected a positive integer.`);
    this.dropoutP = options.dropout ?? 0;
    if (!(this.dropoutP >= 0 && this.dropoutP <= 1)) throw new InvalidArgumentError(`${new.target.name}: dropout=${this.dropoutP} is invalid; expected a probability in [0, 1].`);
    this.bidirectional = options.bidirectional ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.hasBias = options.bias ?? true;
    const dtype = options.dtype ?? "float32";
    const rows = GATES[mode] * hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const layerInput = layer === 0 ? inputSize : hiddenSize * directions;
      for (let direction = 0; direction < directions; direction++) {
        const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
        this.registerParameter(`weight_ih${suffix}`, new Parameter(empty([rows, layerInput], dtype)));
        this.registerParameter(`weight_hh${suffix}`, new Parameter(empty([rows, hiddenSize], dtype)));
        if (this.hasBias) {
          this.registerParameter(`bias_ih${suffix}`, new Parameter(empty([rows], dtype)));
          this.registerParameter(`bias_hh${suffix}`, new Parameter(empty([rows], dtype)));
        }
      }
    }
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const parameter of this.parameters()) uniform_(parameter, -bound, bound);
  }

  private weights(layer: number, direction: number): { weightIh: Tensor; weightHh: Tensor; biasIh: Tensor | null; biasHh: Tensor | null } {
    const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
    const named = Object.fromEntries(this.namedParameters({ recurse: false }));
    return {
      weightIh: named[`weight_ih${suffix}`],
      weightHh: named[`weight_hh${suffix}`],
      biasIh: named[`bias_ih${suffix}`] ?? null,
      biasHh: named[`bias_hh${suffix}`] ?? null,
    };
  }

  /** Runs the stack over [time, batch, features] and returns the output and final states. */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null, options: SequenceOptions): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    let sequence = this.batchFirst ? transpose(input, 0, 1) : input;
    if (sequence.ndim !== 3 || sequence.shape[2] !== this.inputSize) {
      const expected = this.batchFirst ? `[batch, time, ${this.inputSize}]` : `[time, batch, ${this.inputSize}]`;
      throw new ShapeError(`${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}): expected input of shape ${expected}, got ${formatShape(input.shape)}.`);
    }
    const [steps, batch] = sequence.shape;
    if (steps === 0) {
      throw new ShapeError(`${this.constructor.name}: the input has 0 time steps (shape ${formatShape(input.shape)}); a sequence needs at least one step.`);
    }
    const directions = this.bidirectional ? 2 : 1;
    const stateShape = [this.numLayers * directions, batch, this.hiddenSize];
    const dtype = this.weights(0, 0).weightIh.dtype as "float32" | "float64";
    for (const [name, state] of [["h0", h0], ["c0", c0]] as const) {
      if (state && state.shape.join() !== stateShape.join()) {
        throw new ShapeError(`${this.constructor.name}: ${name} must have shape ${formatShape(stateShape)} (numLayers·directions, batch, hiddenSize), got ${formatShape(state.shape)}.`);
      }
    }
    checkKeys(this.constructor.name, "forward options", options, ["lengths", "mask"]);
    const masks = options.mask ? this.maskSteps(options.mask, steps, batch, dtype) : this.stepMasks(options.lengths, steps, batch, dtype);
    const finalH: Tensor[] = [];
    const finalC: Tensor[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let direction = 0; direction < directions; direction++) {
        const index = layer * directions + direction;
        const { weightIh, weightHh, biasIh, biasHh } = this.weights(layer, direction);
        let h = h0 ? select(h0, 0, index) : zeros([batch, this.hiddenSize], { dtype });
        let c: Tensor | null = null;
        if (this.mode === "LSTM") c = c0 ? select(c0, 0, index) : zeros([batch, this.hiddenSize], { dtype });
        // W_hh h + b_hh adds b_hh at every step. Outside GRU, where r multiplies W_hn h + b_hn,
        // b_hh is added to the whole sequence's projection at once instead.
        const foldBias = this.mode !== "GRU" && biasHh !== null;
        let projected = reshape(linearPart(reshape(sequence, [steps * batch, -1]), weightIh, biasIh), [steps, batch, -1]);
        if (foldBias) projected = add(projected, biasHh);
        if (this.mode === "LSTM" && !masks) {
          const [stepOutputs, hLast, cLast] = lstmSequence(projected, h, c!, weightHh, direction === 1);
          outputs.push(stepOutputs);
          finalH.push(hLast);
          finalC.push(cLast);
          continue;
        }
        const weightHhT = transpose(weightHh, 0, 1);
        const stepOutputs: Tensor[] = new Array(steps);
        for (let k = 0; k < steps; k++) {
          const t = direction === 0 ? k : steps - 1 - k;
          const [hNew, cNew] = cellStep(this.mode, select(projected, 0, t), h, c, weightHhT, foldBias ? null : biasHh, this.hiddenSize);
          if (masks) {
            const m = masks[t];
            h = add(mul(hNew, m), mul(h, sub(1, m)));
            if (c && cNew) c = add(mul(cNew, m), mul(c, sub(1, m)));
            stepOutputs[t] = mul(hNew, m);
          } else {
            h = hNew;
            c = cNew;
            stepOutputs[t] = hNew;
          }
        }
        outputs.push(stack(stepOutputs, 0));
        finalH.push(h);
        if (c) finalC.push(c);
      }
      sequence = directions === 2 ? cat(outputs, 2) : outputs[0];
      if (layer < this.numLayers - 1 && this.dropoutP > 0) sequence = dropout(sequence, this.dropoutP, this.training);
    }
    const output = this.batchFirst ? transpose(sequence, 0, 1) : sequence;
    return { output, hN: stack(finalH, 0), cN: finalC.length ? stack(finalC, 0) : null };
  }

  /** Per-step [batch, 1] float masks from a [batch, time] or [time, batch] mask tensor. */
  private maskSteps(mask: Tensor, steps: number, batch: number, dtype: "float32" | "float64"): Tensor[] {
    const expected = this.batchFirst ? [batch, steps] : [steps, batch];
    if (mask.shape.join() !== expected.join()) {
      throw new ShapeError(`${this.constructor.name}: mask must have shape ${formatShape(expected)} (${this.batchFirst ? "batch, time" : "time, batch"}), got ${formatShape(mask.shape)}.`);
    }
    const values = mask.dataSync();
    return Array.from({ length: steps }, (_, t) => {
      const step = empty([batch, 1], dtype);
      for (let b = 0; b < batch; b++) {
        const position = this.batchFirst ? b * steps + t : t * batch + b;
        step.storage.data[b] = values[position] ? 1 : 0;
      }
      return step;
    });
  }

  /** A [batch, 1] float mask per step (1 where the step is within the sequence), or null. */
  private stepMasks(lengths: SequenceOptions["lengths"], steps: number, batch: number, dtype: "float32" | "float64"): Tensor[] | null {
    if (lengths === undefined) return null;
    if (!Array.isArray(lengths) && !(lengths instanceof Tensor)) {
      throw new InvalidArgumentError(
        `${this.constructor.name}: lengths must be an array or a 1-d tensor of ${batch} integers, got ${typeof lengths === "string" ? JSON.stringify(lengths) : typeof lengths}; ` +
          `pass one length per sequence, such as [${Array.from({ length: Math.min(batch, 3) }, () => steps).join(", ")}].`,
      );
    }
    const values = Array.isArray(lengths) ? lengths : Array.from(lengths.dataSync());
    if (values.length !== batch || values.some((v) => !Number.isInteger(v) || v < 0 || v > steps)) {
      throw new InvalidArgumentError(`${this.constructor.name}: lengths ${JSON.stringify(values)} are invalid; expected ${batch} integers in [0, ${steps}], one per sequence.`);
    }
    return Array.from({ length: steps }, (_, t) => {
      const mask = empty([batch, 1], dtype);
      for (let b = 0; b < batch; b++) mask.storage.data[b] = t < values[b] ? 1 : 0;
      return mask;
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.hasBias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batchFirst=true");
    if (this.dropoutP) parts.push(`dropout=${this.dropoutP}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    return parts.join(", ");
  }
}

/** A multi-layer Elman RNN. forward returns [output, hN]. */
export class RNN extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(options.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0 ?? null, null, options);
    return [output, hN];
  }
}

/** A multi-layer LSTM. forward returns [output, [hN, cN]]. */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, state?: [Tensor, Tensor] | null, options: SequenceOptions = {}): [Tensor, [Tensor, Tensor]] {
    const { output, hN, cN } = this.run(input, state?.[0] ?? null, state?.[1] ?? null, options);
    return [output, [hN, cN!]];
  }
}

/** A multi-layer GRU. forward returns [output, hN]. */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0 ?? null, null, options);
    return [output, hN];
  }
}

/** Rejects option names that the layer does not know, naming the valid ones and a camelCase fix. */
function checkKeys<T extends object>(owner: string, what: string, options: T, allowed: readonly string[]): T {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${owner}: ${what} must be an object such as { ${allowed[0]}: ... }, got ${JSON.stringify(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const hint = camel !== key && allowed.includes(camel) ? ` Did you mean "${camel}"?` : "";
    throw new InvalidArgumentError(`${owner}: unknown ${what === "options" ? "option" : "forward option"} "${key}"; valid options are ${allowed.join(", ")}.${hint}`);
  }
  return options;
}
