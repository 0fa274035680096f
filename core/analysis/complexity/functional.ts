import type { Tensor } from "../../tensor/tensor.js";
import { type CallRecord, tensorsIn } from "./trace.js";

/**
 * Counts the functional ops a module's forward runs itself, between its inputs and the outputs of
 * its submodule calls, such as the add and tanh of `pl.add(x, pl.tanh(this.fc.forward(x)))`. The
 * ops are found by walking the autograd graph back from the call's outputs.
 * NOTE: only ops recorded with grad mode on and an input or parameter that requires grad are seen,
 * so work on int32 inputs or frozen parameters alone stays invisible.
 *
 * FLOPs per output element: 1 for add, sub, mul, div, neg, abs, pow, relu, maximum, minimum,
 * clamp, where and sign. The transcendental exp, log, log1p, sqrt, rsqrt, tanh, erf, sin and cos
 * also count 1, the convention of counters.ts. leakyRelu counts 2, sigmoid, softplus and elu 3,
 * softmax and logSoftmax 5, as ACTIVATION_FLOPS does.
 * Reductions (sum, max, min, prod) count one FLOP per element folded in (input − output elements),
 * and norm counts 2 per input element. matmul counts m·n·k MACs and 2·m·n·k FLOPs. conv1d and
 * conv2d count output elements · (in channels / groups) · kernel size MACs and twice as many FLOPs,
 * linear output elements · in features MACs and twice as many FLOPs, each plus one FLOP per output
 * element for a bias. lstmGates counts 15 FLOPs per hidden unit.
 * Views, copies and concatenation count 0. Other ops are reported as not counted.
 */

const PER_ELEMENT: Record<string, number> = {
  add: 1, sub: 1, mul: 1, div: 1, neg: 1, abs: 1, pow: 1, relu: 1, maximum: 1, minimum: 1, clamp: 1, where: 1, sign: 1,
  exp: 1, log: 1, log1p: 1, sqrt: 1, rsqrt: 1, tanh: 1, erf: 1, sin: 1, cos: 1,
  leakyRelu: 2, sigmoid: 3, softplus: 3, elu: 3, softmax: 5, logSoftmax: 5,
};
const REDUCTIONS = new Set(["sum", "max", "min", "prod", "amax", "amin"]);
const FREE = new Set(["view", "permute", "expand", "squeeze", "unsqueeze", "slice", "cat", "contiguous", "clone", "cast", "pad", "flip", "select", "reshape", "transpose"]);

export interface FunctionalCount {
  flops: number;
  macs: number;
  /** How many recorded ops were found, counted or not. */
  ops: number;
  /** Names of the ops found without a rule, in the order first seen. */
  uncounted: string[];
}

interface GraphNode {
  name: string;
  inputs?: readonly Tensor[];
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Returns the FLOPs and MACs of the op that produced `output`, or null when no rule exists. */
function opCost(name: string, output: Tensor, inputs: readonly Tensor[]): { flops: number; macs: number } | null {
  const n = output.numel();
  if (name in PER_ELEMENT) return { flops: PER_ELEMENT[name] * n, macs: 0 };
  if (FREE.has(name)) return { flops: 0, macs: 0 };
  if (REDUCTIONS.has(name)) return { flops: Math.max(0, (inputs[0]?.numel() ?? n) - n), macs: 0 };
  if (name === "norm") return { flops: 2 * (inputs[0]?.numel() ?? n), macs: 0 };
  if (name === "matmul" && inputs.length >= 1) {
    const a = inputs[0].shape;
    const macs = n * (a.length === 0 ? 1 : a[a.length - 1]);
    return { flops: 2 * macs, macs };
  }
  // A bias (third input) adds one FLOP per output element, as a separate add would.
  const biasFlops = inputs.length >= 3 ? n : 0;
  if ((name === "conv1d" || name === "conv2d") && inputs.length >= 2) {
    const macs = n * numel(inputs[1].shape.slice(1));
    return { flops: 2 * macs + biasFlops, macs };
  }
  if (name === "linear" && inputs.length >= 2) {
    const macs = n * inputs[1].shape[inputs[1].ndim - 1];
    return { flops: 2 * macs + biasFlops, macs };
  }
  // Per hidden unit (two output elements, h' and c'): three sigmoids and two tanh as above (11),
  // f·c + i·g (3) and o·tanh(c') (1).
  if (name === "lstmGates") return { flops: (15 * n) / 2, macs: 0 };
  return null;
}

/**
 * Numbers the calls in the order they ended (children before their parent). A call's walk stops
 * at the outputs of calls that ended before it did.
 */
export function endOrder(root: CallRecord): Map<CallRecord, number> {
  const order = new Map<CallRecord, number>();
  const visit = (call: CallRecord): void => {
    for (const child of call.children) visit(child);
    order.set(call, order.size);
  };
  visit(root);
  return order;
}

/**
 * Counts the ops recorded between `call`'s inputs and its outputs, stopping at the outputs of
 * calls that ended before it (its submodules and earlier modules) and at leaves.
 */
export function countFunctional(call: CallRecord, calls: readonly CallRecord[], order: Map<CallRecord, number>): FunctionalCount {
  const stops = new Set<Tensor>(tensorsIn(call.inputs));
  const position = order.get(call)!;
  for (const other of calls) if (other !== call && order.get(other)! < position) for (const t of tensorsIn(other.output)) stops.add(t);

  const result: FunctionalCount = { flops: 0, macs: 0, ops: 0, uncounted: [] };
  const seen = new Set<GraphNode>();
  const queue = tensorsIn(call.output);
  while (queue.length > 0) {
    const t = queue.pop()!;
    const node = t.gradFn as GraphNode | null;
    if (stops.has(t) || !node || seen.has(node)) continue;
    seen.add(node);
    const inputs = node.inputs ?? [];
    const cost = opCost(node.name, t, inputs);
    result.ops++;
    if (cost) {
      result.flops += cost.flops;
      result.macs += cost.macs;
    } else if (!result.uncounted.includes(node.name)) {
      result.uncounted.push(node.name);
    }
    queue.push(...inputs);
  }
  return result;
}
