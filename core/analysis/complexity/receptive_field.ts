import type { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { CallRecord } from "./trace.js";
import { tensorsIn } from "./trace.js";

/**
 * The receptive field of convolution and pooling stacks, per spatial dimension, by the standard
 * arithmetic: with an effective kernel k' = dilation·(k − 1) + 1, stride s and padding p,
 *   size_out  = size_in + (k' − 1)·jump_in
 *   jump_out  = jump_in·s
 *   start_out = start_in + ((k' − 1)/2 − p)·jump_in
 * where start is the center of the first output's field in input coordinates (input pixel i
 * has center i + 0.5). Elementwise layers keep the field; any other layer ends it.
 */

export interface ReceptiveField {
  size: number[];
  jump: number[];
  start: number[];
}

const PASS_THROUGH = new Set(["ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Sigmoid", "Tanh", "BatchNorm1d", "BatchNorm2d", "Dropout", "Identity"]);
const WINDOWED = new Set(["Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool2d"]);

function tuple(value: unknown, rank: number, fallback: number): number[] {
  if (value === undefined || value === null || typeof value === "string") return new Array(rank).fill(fallback);
  return typeof value === "number" ? new Array(rank).fill(value) : [...(value as number[])];
}

function classNames(module: Module): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(module); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) names.push(proto.constructor.name);
  return names;
}

function windowed(module: Module & Record<string, unknown>, type: string, field: ReceptiveField): ReceptiveField {
  const rank = field.size.length;
  const options = (module.options ?? {}) as { stride?: unknown; padding?: unknown; dilation?: unknown };
  const kernel = tuple(module.kernelSize, rank, 1);
  const isConv = type.startsWith("Conv");
  const stride = tuple(options.stride, rank, isConv ? 1 : NaN).map((s, d) => (Number.isNaN(s) ? kernel[d] : s));
  const dilation = tuple(options.dilation, rank, 1);
  const padding = options.padding === "same" ? kernel.map((k, d) => (dilation[d] * (k - 1)) / 2) : tuple(options.padding, rank, 0);
  const effective = kernel.map((k, d) => dilation[d] * (k - 1) + 1);
  return {
    size: field.size.map((r, d) => r + (effective[d] - 1) * field.jump[d]),
    jump: field.jump.map((j, d) => j * stride[d]),
    start: field.start.map((s, d) => s + ((effective[d] - 1) / 2 - padding[d]) * field.jump[d]),
  };
}

/**
 * Computes the receptive field after each leaf call, in call order. The model's first tensor
 * input of shape [batch, channels, ...spatial] starts the field. A leaf whose input has no known
 * field but has the shape of the last field's output continues it, because a functional op such
 * as relu may sit in between.
 */
export function receptiveFields(calls: readonly CallRecord[], modelInputs: readonly unknown[]): Map<CallRecord, ReceptiveField> {
  const fields = new Map<Tensor, ReceptiveField>();
  const result = new Map<CallRecord, ReceptiveField>();
  const first = tensorsIn(modelInputs)[0];
  if (!first || first.ndim < 3) return result;
  const rank = first.ndim - 2;
  fields.set(first, { size: new Array(rank).fill(1), jump: new Array(rank).fill(1), start: new Array(rank).fill(0.5) });
  let last: { shape: string; field: ReceptiveField } | null = null;
  for (const call of calls) {
    if (call.children.length > 0) continue;
    const input = tensorsIn(call.inputs)[0];
    const output = tensorsIn(call.output)[0];
    if (!input || !output) continue;
    const field: ReceptiveField | undefined = fields.get(input) ?? (last && last.shape === input.shape.join() ? last.field : undefined);
    if (!field || input.ndim - 2 !== field.size.length) continue;
    const type = classNames(call.module).find((name) => WINDOWED.has(name) || PASS_THROUGH.has(name));
    if (!type) continue;
    const next: ReceptiveField = WINDOWED.has(type) ? windowed(call.module as Module & Record<string, unknown>, type, field) : field;
    fields.set(output, next);
    result.set(call, next);
    last = { shape: output.shape.join(), field: next };
  }
  return result;
}
