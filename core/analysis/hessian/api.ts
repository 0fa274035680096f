import type { Module } from "../../nn/index.js";
import { Generator, InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { type DensityOptions, type SpectralDensity, spectralDensity } from "./density.js";
import { type ExactHessianOptions, checkExactSize, exactHessian } from "./exact.js";
import { symmetricEigen } from "./eigen.js";
import { type DiagonalEstimate, type TraceEstimate, hutchinsonDiagonal, hutchinsonTrace } from "./hutchinson.js";
import { lanczos } from "./lanczos.js";
import { type HessianData, type HessianOperatorOptions, HessianOperator, type LossFunction } from "./operator.js";
import { powerIteration } from "./power.js";
import { HessianSpectrum } from "./spectrum.js";
import type { EigenResult } from "./types.js";
import { checkTopK } from "./types.js";
import { flatten, unflatten } from "./vector.js";

/**
 * Hessian analysis of a model's loss, as `fn(model, lossFn, data, options)`. `data` is one batch
 * [inputs, targets] or a DataLoader, whose batch losses are then averaged. `options.params` picks
 * a subset of the parameters by tensor or name prefix (for example "fc1").
 * Random probes come from a Generator seeded with `options.seed` (default 0), so results repeat.
 */

export interface SeedOptions {
  /** Seed of the random start and probe vectors. Default 0. */
  seed?: number;
}

export interface EigenOptions extends HessianOperatorOptions, SeedOptions {
  topK?: number;
  /** "lanczos" (default) or "power" (power iteration with deflation). */
  method?: "lanczos" | "power";
  maxIter?: number;
  tol?: number;
}

/** Builds the Hessian of the loss as a linear operator on flat vectors (see HessianOperator). */
export function operator(model: Module, lossFn: LossFunction, data: HessianData, options: HessianOperatorOptions = {}): HessianOperator {
  return new HessianOperator(model, lossFn, data, options);
}

/** H·v, with v and the result as tensors shaped like the chosen parameters. */
export function hvp(model: Module, lossFn: LossFunction, data: HessianData, v: readonly Tensor[], options: HessianOperatorOptions = {}): Tensor[] {
  const op = new HessianOperator(model, lossFn, data, options, "hvp");
  if (!Array.isArray(v) || v.length !== op.params.length || v.some((t, i) => !(t instanceof Tensor) || t.numel() !== op.params[i].numel())) {
    throw new InvalidArgumentError(`hvp: v must be an array of ${op.params.length} tensors shaped like the parameters (${op.params.map((p) => `[${p.shape.join(", ")}]`).join(", ")}).`);
  }
  return unflatten(op.apply(flatten(v, op.params)), op.params);
}

/** Finds the topK eigenpairs of largest magnitude, by Lanczos or by power iteration with deflation. */
export function topEigenvalues(model: Module, lossFn: LossFunction, data: HessianData, options: EigenOptions = {}): EigenResult {
  const op = new HessianOperator(model, lossFn, data, options, "topEigenvalues");
  return eigenOf(op, options);
}

function eigenOf(op: HessianOperator, options: EigenOptions): EigenResult {
  const method = options.method ?? "lanczos";
  const settings = { topK: options.topK ?? 1, maxIter: options.maxIter, tol: options.tol, generator: new Generator(options.seed ?? 0) };
  if (method === "lanczos") return lanczos(op, settings);
  if (method === "power") return powerIteration(op, settings);
  throw new InvalidArgumentError(`topEigenvalues: invalid method "${String(method)}"; expected "lanczos" or "power".`);
}

export interface TraceOptions extends HessianOperatorOptions, SeedOptions {
  probes?: number;
  tol?: number;
}

/** tr(H) by Hutchinson's method with Rademacher probes. */
export function trace(model: Module, lossFn: LossFunction, data: HessianData, options: TraceOptions = {}): TraceEstimate {
  const op = new HessianOperator(model, lossFn, data, options, "trace");
  return hutchinsonTrace(op, { probes: options.probes, tol: options.tol, generator: new Generator(options.seed ?? 0) });
}

/** diag(H) by Hutchinson's method, with `tensors` shaped like the parameters. */
export function diagonal(model: Module, lossFn: LossFunction, data: HessianData, options: TraceOptions = {}): DiagonalEstimate & { tensors: Tensor[] } {
  const op = new HessianOperator(model, lossFn, data, options, "diagonal");
  const result = hutchinsonDiagonal(op, { probes: options.probes, tol: options.tol, generator: new Generator(options.seed ?? 0) });
  return { ...result, tensors: unflatten(result.diagonal, op.params) };
}

export interface HessianDensityOptions extends HessianOperatorOptions, SeedOptions, Omit<DensityOptions, "generator"> {}

/** Estimates the smoothed spectral density by stochastic Lanczos quadrature. */
export function density(model: Module, lossFn: LossFunction, data: HessianData, options: HessianDensityOptions = {}): SpectralDensity {
  const op = new HessianOperator(model, lossFn, data, options, "density");
  return spectralDensity(op, { ...options, generator: new Generator(options.seed ?? 0) });
}

export interface ExactResult {
  /** H as a float64 tensor [n, n]. */
  matrix: Tensor;
  /** All n eigenvalues in descending order, float64 [n]. */
  eigenvalues: Tensor;
  /** Eigenvectors as the rows of a float64 [n, n] tensor, row k for eigenvalue k. */
  eigenvectors: Tensor;
}

/**
 * The exact Hessian (n Hessian-vector products) and its full eigendecomposition in float64 by
 * the Jacobi method, for models small enough that two n×n float64 matrices fit in maxBytes.
 */
export function exact(model: Module, lossFn: LossFunction, data: HessianData, options: HessianOperatorOptions & ExactHessianOptions = {}): ExactResult {
  const owner = "hessian.exact";
  const size = countParams(model, options);
  checkExactSize(owner, size, 2, options);
  const op = new HessianOperator(model, lossFn, data, options, owner);
  const matrix = exactHessian(op, options, owner);
  const eigen = symmetricEigen(matrix, op.size);
  const vectors = new Float64Array(op.size * op.size);
  eigen.vectors.forEach((v, k) => vectors.set(v, k * op.size));
  return {
    matrix: Tensor.fromTypedArray(matrix, [op.size, op.size]),
    eigenvalues: Tensor.fromTypedArray(eigen.values, [op.size]),
    eigenvectors: Tensor.fromTypedArray(vectors, [op.size, op.size]),
  };
}

/** Counts the parameters an operator would use, before building its gradient graph. */
function countParams(model: Module, options: HessianOperatorOptions): number {
  if (options.params !== undefined && options.params.every((p) => p instanceof Tensor)) {
    return (options.params as readonly Tensor[]).reduce((n, p) => n + p.numel(), 0);
  }
  return model.parameters().filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
}

export interface SpectrumOptions extends EigenOptions {
  /** Also estimate the spectral density: true for the defaults, or its options. */
  density?: boolean | Omit<DensityOptions, "generator">;
}

/**
 * Computes the top eigenvalues of the Hessian and, with `density`, its spectral density, as a
 * displayable HessianSpectrum. Example: `analysis.hessian.spectrum(model, nn.functional.crossEntropy, [x, y], { topK: 5, density: true })`.
 */
export function spectrum(model: Module, lossFn: LossFunction, data: HessianData, options: SpectrumOptions = {}): HessianSpectrum {
  const op = new HessianOperator(model, lossFn, data, options, "spectrum");
  // The default of 5 eigenvalues is clamped to n; an explicit topK > n is an error.
  const topK = checkTopK("spectrum", options.topK ?? Math.min(5, op.size), op.size);
  const eigen = eigenOf(op, { ...options, topK });
  let densityResult: SpectralDensity | null = null;
  if (options.density) {
    const settings = typeof options.density === "object" ? options.density : {};
    densityResult = spectralDensity(op, { ...settings, generator: new Generator((options.seed ?? 0) + 1) });
  }
  return new HessianSpectrum(op.size, eigen, densityResult, op.lossAndGradient().loss);
}
