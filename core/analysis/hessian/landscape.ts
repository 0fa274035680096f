import { noGrad } from "../../autograd/index.js";
import { DISPLAY, type Figure, type MimeBundle, PLOTLY_MIME, renderSvg } from "../../display/index.js";
import type { Module } from "../../nn/index.js";
import { copy_ } from "../../ops/index.js";
import { Generator, InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { lanczos } from "./lanczos.js";
import { type HessianData, HessianOperator, type LossFunction, toBatches } from "./operator.js";
import { formatValue } from "./spectrum.js";
import { countOf } from "./types.js";
import { flatten, unflatten } from "./vector.js";

export interface LandscapeOptions {
  /**
   * "random" (default): filter-normalized Gaussian directions; "eigen": the unit eigenvectors of
   * the largest-magnitude Hessian eigenvalues.
   */
  directions?: "random" | "eigen";
  /** 1 for a curve along one direction, 2 (default) for a surface over two. */
  dims?: 1 | 2;
  /** Coefficient range [low, high] along each direction. Default [-1, 1]. */
  range?: [number, number];
  /** Grid points per direction. Default 21 (2-D) or 41 (1-D). */
  steps?: number;
  seed?: number;
}

/**
 * Losses on a 1-D or 2-D slice of parameter space, L(θ + αd₁ + βd₂), from
 * `analysis.hessian.landscape`. In a notebook a 2-D slice shows as a contour plot with the
 * surface in Plotly, and a 1-D slice as a curve.
 */
export class Landscape {
  constructor(
    readonly directions: "random" | "eigen",
    /** Coefficients α along direction 1. */
    readonly alphas: number[],
    /** Coefficients β along direction 2 (empty for a 1-D slice). */
    readonly betas: number[],
    /** losses[j][i] is the loss at (alphas[i], betas[j]); one row for a 1-D slice. */
    readonly losses: number[][],
    /** The loss at θ itself. */
    readonly center: number,
    /** The direction vectors d₁ (and d₂), flat over the parameters in `model.parameters()` order. */
    readonly vectors: Float64Array[] = [],
  ) {}

  get dims(): 1 | 2 {
    return this.betas.length === 0 ? 1 : 2;
  }

  figure(): Figure {
    const label = this.directions === "eigen" ? "eigenvector" : "filter-normalized direction";
    if (this.dims === 1) {
      return {
        data: [{ type: "scatter", mode: "lines", name: "loss", x: this.alphas, y: this.losses[0] }],
        layout: { title: { text: `Loss along a ${label}` }, xaxis: { title: { text: "α" } }, yaxis: { title: { text: "loss" } } },
      };
    }
    return {
      data: [
        { type: "contour", name: "loss", x: this.alphas, y: this.betas, z: this.losses, colorscale: "Viridis", contours: { coloring: "heatmap" } },
        { type: "surface", name: "loss surface", x: this.alphas, y: this.betas, z: this.losses, colorscale: "Viridis", visible: false },
      ],
      layout: {
        title: { text: `Loss landscape along two ${label}s` },
        xaxis: { title: { text: "α (direction 1)" } },
        yaxis: { title: { text: "β (direction 2)" } },
        updatemenus: [{ type: "buttons", direction: "left", x: 0, y: 1.12, buttons: [
          { label: "contour", method: "restyle", args: ["visible", [true, false]] },
          { label: "surface", method: "restyle", args: ["visible", [false, true]] },
        ] }],
      },
    };
  }

  toString(): string {
    const flat = this.losses.flat();
    const grid = this.dims === 1 ? `${this.alphas.length} points` : `${this.alphas.length}×${this.betas.length} grid`;
    return `Landscape: ${this.dims}-D slice along ${this.directions} directions, ${grid} over α ∈ [${formatValue(this.alphas[0])}, ${formatValue(this.alphas[this.alphas.length - 1])}]; loss at θ ${formatValue(this.center)}, min ${formatValue(Math.min(...flat))}, max ${formatValue(Math.max(...flat))}`;
  }

  [DISPLAY](): MimeBundle {
    const figure = this.figure();
    const drawable = { ...figure, data: figure.data.filter((trace) => trace.type !== "surface") };
    return { [PLOTLY_MIME]: figure, "image/svg+xml": renderSvg(drawable), "text/plain": this.toString() };
  }
}

/**
 * Evaluates the loss on a slice of parameter space around the current parameters θ (Li et al.,
 * "Visualizing the Loss Landscape of Neural Nets", 2018). Random directions are drawn from
 * N(0, 1) and filter-normalized: for each weight of rank ≥ 2, each filter (slice along dim 0)
 * of d is scaled to the norm of the same filter of θ. Biases and other rank-1 parameters get a
 * zero direction, so the slice does not move them. Eigen directions are unit eigenvectors from
 * Lanczos. The model runs in eval mode without gradients, and θ is restored afterwards.
 */
export function landscape(model: Module, lossFn: LossFunction, data: HessianData, options: LandscapeOptions = {}): Landscape {
  const owner = "landscape";
  const params = model.parameters().filter((p) => p.requiresGrad);
  if (params.length === 0) {
    throw new InvalidArgumentError(`${owner}: the model has no parameters that require grad, so there is no parameter space to slice; pass a model with parameters (model.parameters() is empty).`);
  }
  const dims = options.dims ?? 2;
  if (dims !== 1 && dims !== 2) throw new InvalidArgumentError(`${owner}: invalid dims=${String(dims)}; expected 1 or 2.`);
  const [low, high] = options.range ?? [-1, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new InvalidArgumentError(`${owner}: invalid range=[${low}, ${high}]; expected [low, high] with low < high.`);
  }
  const steps = options.steps ?? (dims === 2 ? 21 : 41);
  if (!Number.isInteger(steps) || steps < 2) throw new InvalidArgumentError(`${owner}: invalid steps=${steps}; expected an integer ≥ 2.`);
  const kind = options.directions ?? "random";
  if (kind !== "random" && kind !== "eigen") throw new InvalidArgumentError(`${owner}: invalid directions "${String(kind)}"; expected "random" or "eigen".`);

  const n = params.reduce((total, p) => total + p.numel(), 0);
  if (kind === "eigen" && dims > n) {
    throw new InvalidArgumentError(
      `${owner}: directions "eigen" with dims=${dims} needs ${dims} Hessian eigenvectors, but the model has ${countOf(n, "parameter")}, ` +
        `so its Hessian has only ${n}; pass dims: ${n} or directions: "random".`,
    );
  }

  const generator = new Generator(options.seed ?? 0);
  const directions = kind === "random"
    ? Array.from({ length: dims }, () => filterNormalized(params, generator))
    : lanczos(new HessianOperator(model, lossFn, data, {}, owner), { topK: dims, generator }).vectors;

  const theta = flatten(params, params);
  const axis = Array.from({ length: steps }, (_, i) => low + ((high - low) * i) / (steps - 1));
  const evaluate = lossEvaluator(model, lossFn, data, params, owner);
  try {
    const center = evaluate(theta);
    const betas = dims === 2 ? axis : [];
    const rows = (dims === 2 ? axis : [0]).map((beta) =>
      axis.map((alpha) => evaluate(shifted(theta, directions, alpha, dims === 2 ? beta : 0))),
    );
    return new Landscape(kind, axis, betas, rows, center, directions);
  } finally {
    writeParams(params, theta);
  }
}

function filterNormalized(params: Tensor[], generator: Generator): Float64Array {
  const parts = params.map((param) => {
    const values = param.dataSync();
    const out = new Float64Array(values.length);
    if (param.ndim < 2) return out;
    const filters = param.shape[0];
    const width = values.length / filters;
    for (let f = 0; f < filters; f++) {
      let thetaNorm = 0;
      let directionNorm = 0;
      for (let i = f * width; i < (f + 1) * width; i++) {
        out[i] = generator.normal();
        thetaNorm += values[i] * values[i];
        directionNorm += out[i] * out[i];
      }
      const scale = directionNorm > 0 ? Math.sqrt(thetaNorm / directionNorm) : 0;
      for (let i = f * width; i < (f + 1) * width; i++) out[i] *= scale;
    }
    return out;
  });
  const flat = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    flat.set(part, offset);
    offset += part.length;
  }
  return flat;
}

function shifted(theta: Float64Array, directions: Float64Array[], alpha: number, beta: number): Float64Array {
  const out = Float64Array.from(theta);
  for (let i = 0; i < out.length; i++) out[i] += alpha * directions[0][i] + (directions.length > 1 ? beta * directions[1][i] : 0);
  return out;
}

function writeParams(params: Tensor[], values: Float64Array): void {
  const parts = unflatten(values, params);
  noGrad(() => params.forEach((p, i) => copy_(p, parts[i])));
}

/** Returns a function that sets the parameters to a flat vector and computes the loss (eval mode, no grad). */
function lossEvaluator(model: Module, lossFn: LossFunction, data: HessianData, params: Tensor[], owner: string) {
  const batches = toBatches(owner, data);
  const total = batches.reduce((n, b) => n + b[0].shape[0], 0);
  return (values: Float64Array): number => {
    writeParams(params, values);
    const modules = [...model.modules()];
    const flags = modules.map((m) => m.training);
    model.eval();
    try {
      return noGrad(() => batches.reduce((sum, [x, y]) => sum + (x.shape[0] / total) * (lossFn((model.forward as (input: Tensor) => Tensor)(x), y) as Tensor).item(), 0));
    } finally {
      modules.forEach((m, i) => (m.training = flags[i]));
    }
  };
}
