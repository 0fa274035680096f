import { noGrad } from "../../autograd/grad_mode.js";
import { figureBundle, lineFigure } from "../../display/figure.js";
import { DISPLAY, type MimeBundle, textTable } from "../../display/protocol.js";
import { Sequential } from "../../nn/layers/containers.js";
import { Module } from "../../nn/module.js";
import { InvalidArgumentError } from "../../tensor/errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { withMode } from "../complexity/summary.js";
import { tensorsIn, traceForward } from "../complexity/trace.js";
import { type PlaneOptions, modelDtype, planeBatch, resolvePlane } from "./plane.js";

/**
 * Trajectory length through depth, after Raghu et al., "On the Expressive Power of Deep Neural
 * Networks" (ICML 2017). A closed circle in input space is pushed through the network. After
 * each layer, the length of its image is the length of the closed polygon through the images of
 * the sample points. For random networks with large weight variance it grows exponentially with depth.
 */

export interface TrajectoryOptions extends PlaneOptions {
  /** Sample points on the circle. Default 1000. */
  points?: number;
  /** The circle's radius in (u, v) coordinates. Default 1. */
  radius?: number;
}

export interface TrajectoryLayer {
  /** "input", the layer's index in a list or Sequential, or the dotted module name. */
  name: string;
  type: string;
  /** Length of the closed polygon through the images of the sample points. */
  length: number;
}

export interface TrajectoryLength {
  layers: TrajectoryLayer[];
  /** length[k] / length[k − 1] for k ≥ 1. */
  growth: number[];
  toString(): string;
  [DISPLAY](): MimeBundle;
}

/** Measures the closed-polygon length through the rows of a [points, ...] tensor. */
export function polygonLength(images: Tensor): number {
  const points = images.shape[0];
  const values = images.dataSync();
  const size = points === 0 ? 0 : values.length / points;
  let total = 0;
  for (let p = 0; p < points; p++) {
    const q = (p + 1) % points;
    let squared = 0;
    for (let i = 0; i < size; i++) squared += (values[q * size + i] - values[p * size + i]) ** 2;
    total += Math.sqrt(squared);
  }
  return total;
}

/** Runs the batch and collects the output after each layer of a list or Sequential, or after every leaf module call of another model. */
function layerOutputs(model: Module | readonly Module[], batch: Tensor): { name: string; type: string; output: Tensor }[] {
  let layers: readonly Module[] | null = null;
  if (Array.isArray(model)) layers = model;
  else if (model instanceof Sequential) layers = [...model.children()];
  if (layers) {
    let x: unknown = batch;
    return layers.map((layer, i) => {
      x = (layer.forward as (input: unknown) => unknown)(x);
      return { name: String(i), type: layer.constructor.name, output: tensorsIn(x)[0] };
    });
  }
  const trace = traceForward(model as Module, [batch]);
  return trace.calls
    .filter((call) => call.children.length === 0 && tensorsIn(call.output)[0]?.shape[0] === batch.shape[0])
    .map((call) => ({ name: call.name, type: call.module.constructor.name, output: tensorsIn(call.output)[0] }));
}

/**
 * Measures the length of the circle center + r·(cos t·d1 + sin t·d2), t ∈ [0, 2π), after every
 * layer of `model` (a list of layers, a Sequential, or any Module, whose leaf calls are used).
 * Runs in eval mode without gradients.
 *
 * ```ts
 * const result = analysis.trajectoryLength(deepNet, { points: 2000, radius: 1 });
 * result.layers.map((l) => l.length); display(result);  // length against depth
 * ```
 */
export function trajectoryLength(model: Module | readonly Module[], options: TrajectoryOptions = {}): TrajectoryLength {
  const points = options.points ?? 1000;
  const radius = options.radius ?? 1;
  if (!Number.isInteger(points) || points < 3) throw new InvalidArgumentError(`trajectoryLength: points=${points} is invalid; expected an integer of at least 3.`);
  if (!(radius > 0 && Number.isFinite(radius))) throw new InvalidArgumentError(`trajectoryLength: radius=${radius} is invalid; expected a positive number.`);
  const modules = Array.isArray(model) ? model : [model as Module];
  if (modules.length === 0 || !modules.every((m) => m instanceof Module)) {
    throw new InvalidArgumentError("trajectoryLength: model must be an nn.Module or a non-empty list of modules.");
  }
  const plane = resolvePlane("trajectoryLength", model, options);
  const circle = Array.from({ length: points }, (_, i) => {
    const t = (2 * Math.PI * i) / points;
    return [radius * Math.cos(t), radius * Math.sin(t)] as const;
  });
  const batch = planeBatch(plane, circle, modelDtype(model));

  const measure = (): TrajectoryLayer[] =>
    noGrad(() => [{ name: "input", type: "", length: polygonLength(batch) }, ...layerOutputs(model, batch).map(({ name, type, output }) => ({ name, type, length: polygonLength(output) }))]);
  const layers = modules.reduceRight<() => TrajectoryLayer[]>((inner, m) => () => withMode(m, false, inner), measure)();
  const growth = layers.slice(1).map((layer, k) => layer.length / layers[k].length);
  return withDisplay({ layers, growth });
}

function withDisplay(data: { layers: TrajectoryLayer[]; growth: number[] }): TrajectoryLength {
  const rows = data.layers.map((layer, k) => [layer.name, layer.type, layer.length.toPrecision(6), k === 0 ? "" : data.growth[k - 1].toFixed(3)]);
  const summary = `Trajectory length through depth\n${textTable(["layer", "type", "length", "growth"], rows)}`;
  const figure = lineFigure([{ name: "trajectory length", x: data.layers.map((_, k) => k), y: data.layers.map((l) => l.length) }], {
    title: "Trajectory length through depth",
    xTitle: "layer (0 = input)",
    yTitle: "length",
    logY: true,
  });
  (figure.data[0] as { text?: string[]; mode?: string }).text = data.layers.map((l) => `${l.name} ${l.type}`.trim());
  figure.data[0].mode = "lines+markers";
  return { ...data, toString: () => summary, [DISPLAY]: (): MimeBundle => figureBundle(figure, summary) };
}
