import { noGrad } from "../../autograd/grad_mode.js";
import { type Figure, figureBundle } from "../../display/figure.js";
import { DISPLAY, type MimeBundle } from "../../display/protocol.js";
import { LeakyReLU, ReLU } from "../../nn/layers/activation.js";
import type { Module } from "../../nn/module.js";
import { InvalidArgumentError } from "../../tensor/errors.js";
import { withMode } from "../complexity/summary.js";
import { tensorsIn } from "../complexity/trace.js";
import { type PlaneOptions, modelDtype, planeBatch, resolvePlane } from "./plane.js";

/**
 * Linear regions of a ReLU network on a 2-D slice of its input. Inside one activation region
 * (the inputs where every ReLU has the same on/off state) the network is affine, and for
 * networks of affine layers and ReLUs such a region is a convex polytope. The count is the
 * number of distinct activation patterns on a grid over the slice, so it is a lower bound: a
 * region smaller than a grid cell can be missed. Two patterns that happen to give the same
 * affine map still count as two regions, as in Hanin and Rolnick (2019).
 */

export interface LinearRegionsOptions extends PlaneOptions {
  /** Half-width of the square slice in (u, v) coordinates, or [low, high] for both. Default 1. */
  extent?: number | readonly [number, number];
  /** Grid points per side. Default 100. */
  resolution?: number;
  /** Points per forward batch. Default 4096. */
  batchSize?: number;
}

export interface LinearRegions {
  /** Distinct activation patterns found on the grid. */
  count: number;
  /** The grid's u and v coordinates. */
  u: number[];
  v: number[];
  /** Region id per grid point, indexed [v][u], ids in order of first appearance. */
  regionIds: number[][];
  /** The number of ReLU units whose state makes up a pattern. */
  units: number;
  toString(): string;
  [DISPLAY](): MimeBundle;
}

function grid(low: number, high: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (count === 1 ? (low + high) / 2 : low + ((high - low) * i) / (count - 1)));
}

function checkOptions(options: LinearRegionsOptions): { low: number; high: number; resolution: number; batchSize: number } {
  const extent = options.extent ?? 1;
  const [low, high] = typeof extent === "number" ? [-extent, extent] : extent;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new InvalidArgumentError(`linearRegions: extent ${JSON.stringify(options.extent)} is invalid; expected a positive number or [low, high] with low < high.`);
  }
  const resolution = options.resolution ?? 100;
  if (!Number.isInteger(resolution) || resolution < 2 || resolution > 2000) {
    throw new InvalidArgumentError(`linearRegions: resolution=${resolution} is invalid; expected an integer in [2, 2000] (grid points per side).`);
  }
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`linearRegions: batchSize=${batchSize} is invalid; expected a positive integer.`);
  return { low, high, resolution, batchSize };
}

/** Runs one batch and encodes the on/off state of every ReLU unit as one string per point. */
function patterns(model: Module, relus: readonly Module[], batch: ReturnType<typeof planeBatch>): { keys: string[]; units: number } {
  const states: Uint8Array[] = [];
  const removers = relus.map((relu) =>
    relu.registerForwardPreHook((_m, args) => {
      const input = tensorsIn(args)[0];
      const values = input.dataSync();
      const state = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) state[i] = values[i] > 0 ? 1 : 0;
      states.push(state);
    }),
  );
  try {
    (model.forward as (x: unknown) => unknown)(batch);
  } finally {
    for (const remove of removers) remove();
  }
  const points = batch.shape[0];
  const widths = states.map((s) => s.length / points);
  const units = widths.reduce((a, b) => a + b, 0);
  const keys = Array.from({ length: points }, (_, p) => {
    const bits: string[] = [];
    states.forEach((state, k) => {
      // 16 states per character keeps keys short for wide layers.
      for (let start = 0; start < widths[k]; start += 16) {
        let code = 0;
        for (let j = start; j < Math.min(start + 16, widths[k]); j++) code = (code << 1) | state[p * widths[k] + j];
        bits.push(String.fromCharCode(code + 1));
      }
      bits.push("|");
    });
    return bits.join("");
  });
  return { keys, units };
}

/**
 * Counts the linear regions of a ReLU network on the plane center + u·d1 + v·d2, for (u, v) on
 * a resolution × resolution grid over [low, high]², by activation-pattern hashing. The network's
 * nn.ReLU and nn.LeakyReLU modules define the pattern; a relu called as a function inside
 * another module's forward is not seen. Runs in eval mode without gradients.
 *
 * ```ts
 * const regions = analysis.linearRegions(mlp, { extent: 2, resolution: 200 });
 * regions.count; display(regions);  // a heatmap of region ids
 * ```
 */
export function linearRegions(model: Module, options: LinearRegionsOptions = {}): LinearRegions {
  const { low, high, resolution, batchSize } = checkOptions(options);
  const relus = [...model.modules()].filter((m) => m instanceof ReLU || m instanceof LeakyReLU);
  if (relus.length === 0) {
    throw new InvalidArgumentError(`linearRegions: ${model.constructor.name} has no nn.ReLU or nn.LeakyReLU modules; build the network with nn.ReLU layers so their activation patterns can be read.`);
  }
  const plane = resolvePlane("linearRegions", model, options);
  const dtype = modelDtype(model);
  const u = grid(low, high, resolution);
  const v = grid(low, high, resolution);
  const points = v.flatMap((y) => u.map((x) => [x, y] as const));

  const ids = new Map<string, number>();
  const flatIds: number[] = [];
  let units = 0;
  withMode(model, false, () =>
    noGrad(() => {
      for (let start = 0; start < points.length; start += batchSize) {
        const result = patterns(model, relus, planeBatch(plane, points.slice(start, start + batchSize), dtype));
        units = result.units;
        for (const key of result.keys) {
          if (!ids.has(key)) ids.set(key, ids.size);
          flatIds.push(ids.get(key)!);
        }
      }
    }),
  );
  const regionIds = v.map((_, row) => flatIds.slice(row * resolution, (row + 1) * resolution));
  return withDisplay({ count: ids.size, u, v, regionIds, units });
}

function withDisplay(data: Omit<LinearRegions, "toString" | typeof DISPLAY>): LinearRegions {
  const summary = `${data.count} linear regions on a 2-D slice (${data.u.length}×${data.v.length} grid over u ∈ [${data.u[0]}, ${data.u[data.u.length - 1]}], v ∈ [${data.v[0]}, ${data.v[data.v.length - 1]}], ${data.units} ReLU units)`;
  // Region ids are scrambled (a multiplicative hash) so neighboring regions get distinct colors.
  const scrambled = data.regionIds.map((row) => row.map((id) => ((id * 2654435761) >>> 0) % 1000));
  const figure: Figure = {
    data: [{ type: "heatmap", x: data.u, y: data.v, z: scrambled, colorscale: "Viridis", showscale: false, customdata: data.regionIds, hovertemplate: "u=%{x}<br>v=%{y}<br>region %{customdata}<extra></extra>" }],
    layout: { title: { text: `${data.count} linear regions` }, xaxis: { title: { text: "u (direction 1)" } }, yaxis: { title: { text: "v (direction 2)" }, scaleanchor: "x" } },
  };
  return { ...data, toString: () => summary, [DISPLAY]: (): MimeBundle => figureBundle(figure, summary) };
}
