import type { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor/tensor.js";
import { type CallRecord, tensorsIn } from "./trace.js";

/**
 * FLOP and MAC rules per layer type, for the work a module does itself (submodule calls are
 * counted by their own hooks and added to the parent's inclusive totals).
 *
 * Conventions:
 * - A MAC is one multiply-accumulate of a matrix product or convolution. Only those count as MACs.
 * - FLOPs = 2·MACs (one multiply and one add per MAC) + one add per bias element + the
 *   elementwise work listed below. Exponentials, logarithms, tanh and erf count as one FLOP each.
 * - Linear: MACs = rows·in·out, where rows is the product of the leading input dimensions.
 * - Conv1d/Conv2d: MACs = outputElements·(inChannels/groups)·prod(kernelSize).
 * - MaxPool: window−1 comparisons per output. AvgPool: window−1 adds and one divide per output.
 *   AdaptiveAvgPool2d: one FLOP per input element (exact when the input size is a multiple of the
 *   output size).
 * - BatchNorm in eval mode: 2 per element (subtract the mean, multiply by 1/std) plus 2 for the
 *   affine scale and shift. In training mode and for LayerNorm add 4 per element for the
 *   statistics (one add for the mean; subtract, square and add for the variance).
 * - Activations, per element: see ACTIVATION_FLOPS.
 * - Embedding, Flatten, Identity and Dropout in eval mode: 0 (lookups and copies).
 * - RNN/LSTM/GRU with G gates (1, 4, 3), hidden size H and layer input size I, per step, batch
 *   row, layer and direction: MACs = G·H·(I + H); FLOPs = 2·MACs + G·H (adding the two products)
 *   + 2·G·H bias adds + the cell's elementwise work (RNN: tanh = 1·H; LSTM: 3 sigmoids, 2 tanh,
 *   c = f·c + i·g, h = o·tanh(c) = 15·H; GRU: 2 sigmoids, r·(W_hn·h + b_hn), add, tanh,
 *   h = (1−z)·n + z·h = 13·H).
 * - RNNCell/LSTMCell/GRUCell: the same per call, for one step.
 * - MultiheadAttention (B batch, L queries, S keys, E embedDim, h heads): MACs = B·L·E·E (query
 *   projection) + B·S·kdim·E + B·S·vdim·E (key and value projections) + B·L·S·E (QKᵀ) +
 *   B·L·S·E (weights·V). FLOPs add the 3 projection biases (B·L·E + 2·B·S·E), the scaling
 *   (B·h·L·S) and the softmax (5·B·h·L·S). The output projection is its Linear submodule.
 * - TransformerEncoderLayer/DecoderLayer: the residual adds (2 or 3 per output element) and the
 *   feed-forward activation; attention, linears and norms are submodules.
 * - MixtureOfExperts: the routing softmax (5 per gate logit) and combining the expert outputs
 *   (a multiply and an add per routed token and output feature). The gate and the experts are
 *   submodules, and only the experts that received tokens run, so only they are counted.
 * - Other modules: the functional ops in their forward (a residual add in a user-defined block,
 *   say), found through the autograd graph by functional.ts and counted by its rules as the
 *   module's own FLOPs. Ops without a rule there are listed as not counted.
 */

export interface Count {
  flops: number;
  macs: number;
  /** False when no rule exists for this type and it has no submodules, so its work is missing. */
  counted: boolean;
}

/** FLOPs per element of the elementwise activations. */
export const ACTIVATION_FLOPS: Record<string, number> = {
  ReLU: 1, // max(x, 0)
  LeakyReLU: 2, // compare, multiply
  ELU: 3, // exp, subtract, multiply
  GELU: 5, // divide by √2, erf, add 1, multiply by x and by 0.5
  SiLU: 4, // x·sigmoid(x)
  Softplus: 3, // exp, add 1, log
  Sigmoid: 3, // exp(−x), add 1, divide
  Tanh: 1,
  Softmax: 5, // subtract the max, compare for the max, exp, add to the sum, divide
  LogSoftmax: 5, // subtract the max, compare for the max, exp, add to the sum, subtract log-sum
};

const ZERO_COST = new Set(["Embedding", "Flatten", "Identity", "Sequential", "ModuleList", "ModuleDict"]);
const GATES: Record<string, number> = { RNN: 1, LSTM: 4, GRU: 3, RNNCell: 1, LSTMCell: 4, GRUCell: 3 };
const CELL_ELEMENTWISE: Record<string, number> = { RNN: 1, LSTM: 15, GRU: 13, RNNCell: 1, LSTMCell: 15, GRUCell: 13 };

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);

function firstTensor(value: unknown): Tensor | null {
  return tensorsIn(value)[0] ?? null;
}

function tuple(value: unknown, rank: number, fallback: number): number[] {
  if (value === undefined || value === null) return new Array(rank).fill(fallback);
  return typeof value === "number" ? new Array(rank).fill(value) : [...(value as number[])];
}

type Rule = (module: Module & Record<string, unknown>, call: CallRecord, input: Tensor, output: Tensor) => { flops: number; macs: number };

function linearRule(m: Module & Record<string, unknown>, _call: CallRecord, _input: Tensor, output: Tensor): { flops: number; macs: number } {
  const outFeatures = m.outFeatures as number;
  const rows = outFeatures === 0 ? 0 : output.numel() / outFeatures;
  const macs = rows * (m.inFeatures as number) * outFeatures;
  return { macs, flops: 2 * macs + (m.bias ? output.numel() : 0) };
}

function convRule(m: Module & Record<string, unknown>, _call: CallRecord, _input: Tensor, output: Tensor): { flops: number; macs: number } {
  const groups = ((m.options as { groups?: number }).groups ?? 1) as number;
  const macs = output.numel() * ((m.inChannels as number) / groups) * product(m.kernelSize as number[]);
  return { macs, flops: 2 * macs + (m.bias ? output.numel() : 0) };
}

function poolRule(rank: number, extra: number): Rule {
  return (m, _call, _input, output) => ({ macs: 0, flops: output.numel() * (product(tuple(m.kernelSize, rank, 1)) - 1 + extra) });
}

function normRule(alwaysStatistics: boolean): Rule {
  return (m, _call, _input, output) => {
    const affine = Boolean(m.weight);
    const statistics = alwaysStatistics || m.training;
    return { macs: 0, flops: output.numel() * (2 + (affine ? 2 : 0) + (statistics ? 4 : 0)) };
  };
}

function recurrentRule(m: Module & Record<string, unknown>, _call: CallRecord, input: Tensor): { flops: number; macs: number } {
  const type = ruleType(m);
  const gates = GATES[type];
  const hidden = m.hiddenSize as number;
  const directions = m.bidirectional ? 2 : 1;
  const steps = m.batchFirst ? input.shape[1] : input.shape[0];
  const batch = m.batchFirst ? input.shape[0] : input.shape[1];
  const hasBias = m.namedParameters({ recurse: false }).some(([name]) => name.startsWith("bias_"));
  let macs = 0;
  let flops = 0;
  for (let layer = 0; layer < (m.numLayers as number); layer++) {
    const layerInput = layer === 0 ? (m.inputSize as number) : hidden * directions;
    const stepMacs = gates * hidden * (layerInput + hidden);
    const stepFlops = 2 * stepMacs + gates * hidden + (hasBias ? 2 * gates * hidden : 0) + CELL_ELEMENTWISE[type] * hidden;
    macs += steps * batch * directions * stepMacs;
    flops += steps * batch * directions * stepFlops;
  }
  return { macs, flops };
}

/** One step of an RNNCell, LSTMCell or GRUCell on [batch, inputSize] or [inputSize], by the recurrent rule. */
function cellRule(m: Module & Record<string, unknown>, _call: CallRecord, input: Tensor): { flops: number; macs: number } {
  const type = ruleType(m);
  const [gates, hidden, inputSize] = [GATES[type], m.hiddenSize as number, m.inputSize as number];
  const batch = input.numel() / inputSize;
  const macs = batch * gates * hidden * (inputSize + hidden);
  const flops = 2 * macs + batch * (gates * hidden + (m.bias_ih ? 2 * gates * hidden : 0) + CELL_ELEMENTWISE[type] * hidden);
  return { macs, flops };
}

function attentionRule(m: Module & Record<string, unknown>, call: CallRecord): { flops: number; macs: number } {
  const [query, key] = tensorsIn(call.inputs);
  const batchFirst = Boolean(m.batchFirst);
  const batch = batchFirst ? query.shape[0] : query.shape[1];
  const queries = batchFirst ? query.shape[1] : query.shape[0];
  const keys = batchFirst ? key.shape[1] : key.shape[0];
  const [embed, heads, kdim, vdim] = [m.embedDim, m.numHeads, m.kdim, m.vdim] as number[];
  const projections = batch * queries * embed * embed + batch * keys * kdim * embed + batch * keys * vdim * embed;
  const macs = projections + 2 * batch * queries * keys * embed;
  const hasBias = m.namedParameters({ recurse: false }).some(([name]) => name === "in_proj_bias");
  const biasAdds = hasBias ? batch * queries * embed + 2 * batch * keys * embed : 0;
  const scores = batch * heads * queries * keys;
  return { macs, flops: 2 * macs + biasAdds + scores + ACTIVATION_FLOPS.Softmax * scores };
}

function transformerLayerRule(residualAdds: number): Rule {
  return (m, _call, _input, output) => {
    const tokens = output.numel() / (m.dModel as number);
    const feedForward = (m.options as { dimFeedforward?: number }).dimFeedforward ?? 2048;
    const activation = m.activation === "gelu" ? ACTIVATION_FLOPS.GELU : ACTIVATION_FLOPS.ReLU;
    return { macs: 0, flops: residualAdds * output.numel() + tokens * feedForward * activation };
  };
}

function mixtureRule(m: Module & Record<string, unknown>, call: CallRecord, input: Tensor): { flops: number; macs: number } {
  const tokens = input.numel() / (m.inputSize as number);
  const routing = call.routing as { tokensPerExpert: number[] } | undefined;
  const routed = routing ? routing.tokensPerExpert.reduce((a, b) => a + b, 0) : tokens * (m.topK as number);
  return { macs: 0, flops: ACTIVATION_FLOPS.Softmax * tokens * (m.numExperts as number) + 2 * routed * (m.outputSize as number) };
}

const RULES: Record<string, Rule> = {
  Linear: linearRule,
  Conv1d: convRule,
  Conv2d: convRule,
  MaxPool1d: poolRule(1, 0),
  MaxPool2d: poolRule(2, 0),
  AvgPool2d: poolRule(2, 1),
  AdaptiveAvgPool2d: (_m, _call, input) => ({ macs: 0, flops: input.numel() }),
  BatchNorm1d: normRule(false),
  BatchNorm2d: normRule(false),
  LayerNorm: normRule(true),
  Dropout: (m, _call, _input, output) => ({ macs: 0, flops: m.training && (m.p as number) > 0 ? 2 * output.numel() : 0 }),
  RNN: recurrentRule,
  LSTM: recurrentRule,
  GRU: recurrentRule,
  RNNCell: cellRule,
  LSTMCell: cellRule,
  GRUCell: cellRule,
  MultiheadAttention: attentionRule,
  TransformerEncoderLayer: transformerLayerRule(2),
  TransformerDecoderLayer: transformerLayerRule(3),
  MixtureOfExperts: mixtureRule,
  SinusoidalPositionalEncoding: (_m, _call, _input, output) => ({ macs: 0, flops: output.numel() }),
  LearnedPositionalEncoding: (_m, _call, _input, output) => ({ macs: 0, flops: output.numel() }),
};

/** The nearest class name in the module's prototype chain that has a rule, so subclasses of Linear count as Linear. */
function ruleType(module: Module): string {
  for (let proto = Object.getPrototypeOf(module); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto.constructor as { name: string }).name;
    if (name in RULES || name in ACTIVATION_FLOPS || ZERO_COST.has(name)) return name;
  }
  return module.constructor.name;
}

/**
 * Whether the call's own ops are counted from the autograd graph: true for types without a rule
 * above, except leaves that cost 0 (Embedding, Flatten, Identity).
 */
export function countsFunctionalOps(call: CallRecord): boolean {
  const type = ruleType(call.module);
  if (type in RULES || type in ACTIVATION_FLOPS) return false;
  return !(ZERO_COST.has(type) && call.children.length === 0);
}

/** The FLOPs and MACs one call does itself, by the rules above. */
export function countCall(call: CallRecord): Count {
  const module = call.module as Module & Record<string, unknown>;
  const type = ruleType(module);
  const input = firstTensor(call.inputs);
  const output = firstTensor(call.output);
  if (type in ACTIVATION_FLOPS) return { macs: 0, flops: ACTIVATION_FLOPS[type] * (output?.numel() ?? 0), counted: true };
  if (ZERO_COST.has(type)) return { macs: 0, flops: 0, counted: true };
  const rule = RULES[type];
  if (rule && input && output) return { ...rule(module, call, input, output), counted: true };
  return { macs: 0, flops: 0, counted: call.children.length > 0 };
}

export { numel };
