import { noGrad } from "../../autograd/grad_mode.js";
import { LeakyReLU, ReLU } from "../../nn/layers/activation.js";
import type { Module } from "../../nn/module.js";
import { DTypeError, InvalidArgumentError } from "../../tensor/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { withMode } from "../complexity/summary.js";
import { tensorsIn } from "../complexity/trace.js";
import { type Point, modelDtype } from "./plane.js";

/**
 * Exact linear regions of a ReLU network along a segment x(t) = start + t·(end − start),
 * t ∈ [0, 1]. Inside a region every pre-activation is affine in t, so from two nearby points the
 * walk extrapolates where the next unit changes sign, steps just past it and repeats. Each
 * breakpoint is found to floating-point accuracy, not sampled.
 */

export interface LineRegionsOptions {
  start: Point;
  end: Point;
  /** The shape of one input without the batch dimension; the shape of `start` by default. */
  inputShape?: readonly number[];
  /** The step in t used to measure slopes and to step past a breakpoint. Default 1e-7. */
  step?: number;
  /** The maximum number of breakpoints before the walk stops. Default 100000. */
  maxBreakpoints?: number;
}

export interface LineRegions {
  /** Regions along the segment: breakpoints + 1. */
  count: number;
  /** Values of t in (0, 1) where some ReLU unit changes state, increasing. */
  breakpoints: number[];
  toString(): string;
}

function values(name: string, point: Point): Float64Array {
  if (!(point instanceof Tensor) && !Array.isArray(point)) {
    throw new InvalidArgumentError(`linearRegionsAlongLine: ${name} is invalid; expected a non-empty array or tensor of finite numbers, such as [0, 0].`);
  }
  const list = point instanceof Tensor ? Array.from(point.dataSync()) : [...point];
  if (list.length === 0 || list.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new InvalidArgumentError(`linearRegionsAlongLine: ${name} is invalid; expected a non-empty array or tensor of finite numbers.`);
  }
  return Float64Array.from(list);
}

/** Evaluates the pre-activations of every ReLU unit at two values of t, as two flat arrays. */
function preActivations(model: Module, relus: readonly Module[], line: (t: number) => Float64Array, shape: number[], t0: number, t1: number): [Float64Array, Float64Array] {
  const [a, b] = [line(t0), line(t1)];
  const batch = new Float64Array(a.length * 2);
  batch.set(a, 0);
  batch.set(b, a.length);
  const captured: Float64Array[] = [];
  const removers = relus.map((relu) => relu.registerForwardPreHook((_m, args) => void captured.push(Float64Array.from(tensorsIn(args)[0].dataSync()))));
  try {
    (model.forward as (x: unknown) => unknown)(Tensor.fromTypedArray(batch, [2, ...shape]));
  } finally {
    for (const remove of removers) remove();
  }
  const halves = captured.map((c) => [c.subarray(0, c.length / 2), c.subarray(c.length / 2)] as const);
  const join = (k: 0 | 1): Float64Array => Float64Array.from(halves.flatMap((h) => Array.from(h[k])));
  return [join(0), join(1)];
}

const samePattern = (a: Float64Array, b: Float64Array): boolean => a.every((v, i) => v > 0 === b[i] > 0);

/**
 * Counts the linear regions of a ReLU network exactly along a segment of its input space. The
 * network needs float64 parameters (call `model.double()`), because slopes come from points
 * `step` apart. Regions shorter than `step` in t merge with a neighbor.
 *
 * ```ts
 * analysis.linearRegionsAlongLine(mlp.double(), { start: [-1, 0], end: [1, 0] }).count;
 * ```
 */
export function linearRegionsAlongLine(model: Module, options: LineRegionsOptions): LineRegions {
  const missing = ["start", "end"].filter((key) => (options as Partial<LineRegionsOptions> | undefined)?.[key as "start" | "end"] === undefined);
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `linearRegionsAlongLine: options.${missing.join(" and options.")} ${missing.length === 1 ? "is" : "are"} missing; ` +
        `pass the segment's end points, such as { start: [0, 0], end: [1, 1] }.`,
    );
  }
  const start = values("start", options.start);
  const end = values("end", options.end);
  if (start.length !== end.length) throw new InvalidArgumentError(`linearRegionsAlongLine: start has ${start.length} values but end has ${end.length}; expected points of the same size.`);
  let shape = [start.length];
  if (options.inputShape) shape = [...options.inputShape];
  else if (options.start instanceof Tensor) shape = [...options.start.shape];
  const step = options.step ?? 1e-7;
  const maxBreakpoints = options.maxBreakpoints ?? 100_000;
  if (!(step > 0 && step < 0.01)) throw new InvalidArgumentError(`linearRegionsAlongLine: step=${step} is invalid; expected a number in (0, 0.01).`);
  if (modelDtype(model) !== "float64") throw new DTypeError(`linearRegionsAlongLine: ${model.constructor.name} has float32 parameters; call model.double() first, because slopes measured over step=${step} need float64.`);
  const relus = [...model.modules()].filter((m) => m instanceof ReLU || m instanceof LeakyReLU);
  if (relus.length === 0) throw new InvalidArgumentError(`linearRegionsAlongLine: ${model.constructor.name} has no nn.ReLU or nn.LeakyReLU modules; build the network with nn.ReLU layers.`);
  const line = (t: number): Float64Array => start.map((s, i) => s + t * (end[i] - s));

  const breakpoints: number[] = [];
  withMode(model, false, () =>
    noGrad(() => {
      let t = 0;
      while (t < 1 && breakpoints.length < maxBreakpoints) {
        const [z0, z1] = preActivations(model, relus, line, shape, t, t + step);
        if (!samePattern(z0, z1)) {
          // A breakpoint lies within one step: record its midpoint and move past it.
          if (t + step < 1) breakpoints.push(t + step / 2);
          t += step;
          continue;
        }
        let next = Infinity;
        z0.forEach((z, i) => {
          const slope = (z1[i] - z) / step;
          const crossing = slope === 0 ? Infinity : t - z / slope;
          if (crossing > t + step && crossing < next) next = crossing;
        });
        if (next >= 1) break;
        breakpoints.push(next);
        t = next + step;
      }
    }),
  );
  const count = breakpoints.length + 1;
  return { count, breakpoints, toString: () => `${count} linear regions along the segment (${breakpoints.length} breakpoints)` };
}
