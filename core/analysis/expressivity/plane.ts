import { Conv1d, Conv2d } from "../../nn/layers/conv.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { Linear } from "../../nn/layers/linear.js";
import type { Module } from "../../nn/module.js";
import { InvalidArgumentError } from "../../tensor/errors.js";
import { Tensor } from "../../tensor/tensor.js";

/**
 * A 2-D plane through a network's input space, x(u, v) = center + u·d1 + v·d2, shared by the
 * linear-region count (a grid on the plane) and the trajectory length (a circle in it).
 */

export type Point = readonly number[] | Tensor;

export interface PlaneOptions {
  /** The plane's origin; zeros of `inputShape` by default. */
  center?: Point;
  /** Two directions spanning the plane; the first two unit vectors by default. */
  directions?: readonly [Point, Point];
  /** The shape of one input without the batch dimension; from center or the first Linear by default. */
  inputShape?: readonly number[];
}

export interface Plane {
  inputShape: number[];
  center: Float64Array;
  directions: [Float64Array, Float64Array];
}

function flat(op: string, name: string, value: Point, size: number): Float64Array {
  const values = value instanceof Tensor ? Array.from(value.dataSync()) : [...value];
  if (values.length !== size || values.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new InvalidArgumentError(`${op}: ${name} has ${values.length} values; expected ${size} finite numbers, one per input element.`);
  }
  return Float64Array.from(values);
}

/** Finds the input shape of one example in the options or from the model's first Linear. */
function inferInputShape(op: string, model: Module | readonly Module[], options: PlaneOptions): number[] {
  if (options.inputShape) return [...options.inputShape];
  if (options.center instanceof Tensor) return [...options.center.shape];
  if (Array.isArray(options.center)) return [options.center.length];
  const modules = Array.isArray(model) ? model.flatMap((m) => [...m.modules()]) : [...(model as Module).modules()];
  const first = modules.find((m) => m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d || m instanceof Embedding);
  if (first instanceof Linear) return [first.inFeatures];
  throw new InvalidArgumentError(`${op}: cannot infer the input shape of ${Array.isArray(model) ? "the layers" : (model as Module).constructor.name}; pass inputShape (one example, without the batch dimension) or center.`);
}

export function resolvePlane(op: string, model: Module | readonly Module[], options: PlaneOptions): Plane {
  const inputShape = inferInputShape(op, model, options);
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (size < 2 && !options.directions) throw new InvalidArgumentError(`${op}: the input has ${size} element; a plane needs at least 2, or pass directions.`);
  const center = options.center ? flat(op, "center", options.center, size) : new Float64Array(size);
  const unit = (i: number): Float64Array => {
    const v = new Float64Array(size);
    v[i] = 1;
    return v;
  };
  const directions: [Float64Array, Float64Array] = options.directions
    ? [flat(op, "directions[0]", options.directions[0], size), flat(op, "directions[1]", options.directions[1], size)]
    : [unit(0), unit(1)];
  return { inputShape, center, directions };
}

/** Builds a batch [points.length, ...inputShape] of the plane's points at (u, v) coordinates. */
export function planeBatch(plane: Plane, points: readonly (readonly [number, number])[], dtype: "float32" | "float64"): Tensor {
  const size = plane.center.length;
  const data = dtype === "float64" ? new Float64Array(points.length * size) : new Float32Array(points.length * size);
  const [d1, d2] = plane.directions;
  points.forEach(([u, v], p) => {
    for (let i = 0; i < size; i++) data[p * size + i] = plane.center[i] + u * d1[i] + v * d2[i];
  });
  return Tensor.fromTypedArray(data, [points.length, ...plane.inputShape]);
}

/** Returns the dtype of the model's first parameter (float32 when it has none). */
export function modelDtype(model: Module | readonly Module[]): "float32" | "float64" {
  const modules = Array.isArray(model) ? model : [model as Module];
  const parameter = modules.flatMap((m) => m.parameters())[0];
  return parameter?.dtype === "float64" ? "float64" : "float32";
}
