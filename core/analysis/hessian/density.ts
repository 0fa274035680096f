import { Generator, InvalidArgumentError, defaultGenerator } from "../../tensor/index.js";
import { tridiagonalEigen } from "./eigen.js";
import { lanczosRun } from "./lanczos.js";
import { positiveInteger } from "./power.js";
import type { LinearOperator } from "./types.js";
import { gaussian, norm, orthogonalize, scaled } from "./vector.js";

export interface DensityOptions {
  /**
   * Lanczos runs averaged. Default min(n, 10); an explicit runs > n is an error. Their start vectors are Gaussian vectors made orthonormal
   * by Gram–Schmidt (a uniformly random orthonormal frame), so with runs = n the quadrature of each
   * moment sums over a full basis and the estimate of tr(f(H))/n has no sampling error.
   */
  runs?: number;
  /** Lanczos steps per run, the number of quadrature nodes per run. Default min(n, 40). */
  steps?: number;
  /** Standard deviation of the Gaussian kernel, in eigenvalue units. Default 1% of the node range. */
  sigma?: number;
  /** Points of the evaluation grid. Default enough for 8 points per sigma, between 200 and 10,000. */
  points?: number;
  generator?: Generator;
}

/** A spectral density φ(t) ≈ (1/n)·Σᵢ δ(t − λᵢ), smoothed, on a grid. */
export interface SpectralDensity {
  /** Grid points t, ascending, from min node − 6σ to max node + 6σ. */
  grid: number[];
  /** φ(t) on the grid; it integrates to 1 (up to the trapezoid rule's error). */
  density: number[];
  /** The quadrature nodes (Ritz values) of each run. */
  nodes: number[][];
  /** The weight of each node: the squared first component of its eigenvector of T. */
  weights: number[][];
  sigma: number;
  runs: number;
  steps: number;
}

/**
 * Estimates the spectral density of H by stochastic Lanczos quadrature. For a random unit vector v,
 * vᵀf(H)v = Σᵢ f(λᵢ)(uᵢᵀv)², whose mean over the sphere is tr(f(H))/n, and m Lanczos steps from v give the Gauss quadrature of that sum:
 * nodes θ_k (eigenvalues of T_m) with weights τ_k = (e₁ᵀy_k)², the squared first components of
 * T_m's eigenvectors. Averaged over runs and with f a Gaussian kernel of width σ this gives
 * φ(t) = (1/runs)·Σ_runs Σ_k τ_k·N(t; θ_k, σ²). Each run's weights sum to 1, so φ integrates to 1;
 * its mean is an estimate of tr(H)/n and its second moment of tr(H²)/n + σ².
 */
export function spectralDensity(operator: LinearOperator, options: DensityOptions = {}): SpectralDensity {
  const owner = "spectralDensity";
  const runs = positiveInteger(owner, "runs", options.runs ?? Math.min(operator.size, 10));
  const steps = Math.min(operator.size, positiveInteger(owner, "steps", options.steps ?? 40));
  const generator = options.generator ?? defaultGenerator;

  if (runs > operator.size) {
    throw new InvalidArgumentError(`${owner}: runs=${runs} is more than n = ${operator.size}, the number of orthogonal start vectors there are; pass runs ≤ ${operator.size}.`);
  }
  const nodes: number[][] = [];
  const weights: number[][] = [];
  const starts: Float64Array[] = [];
  for (let r = 0; r < runs; r++) {
    const start = gaussian(operator.size, generator);
    orthogonalize(start, starts);
    orthogonalize(start, starts);
    starts.push(scaled(1 / norm(start), start));
    const run = lanczosRun(operator, starts[r], steps);
    const eigen = tridiagonalEigen(run.alpha, run.beta);
    nodes.push(Array.from(eigen.values));
    weights.push(eigen.vectors.map((y) => y[0] * y[0]));
  }

  const all = nodes.flat();
  const [low, high] = [Math.min(...all), Math.max(...all)];
  const sigma = options.sigma ?? Math.max((high - low) * 0.01, 1e-12 * Math.max(Math.abs(low), Math.abs(high), 1));
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new InvalidArgumentError(`${owner}: invalid sigma=${sigma}; expected a positive number (the kernel width in eigenvalue units).`);
  }
  const points = options.points ?? Math.min(10_000, Math.max(200, Math.ceil(((high - low) / sigma + 12) * 8)));
  const grid = linearGrid(low - 6 * sigma, high + 6 * sigma, positiveInteger(owner, "points", points));
  const density = smooth(grid, nodes, weights, sigma);
  return { grid, density, nodes, weights, sigma, runs, steps };
}

function linearGrid(low: number, high: number, points: number): number[] {
  if (points === 1) return [(low + high) / 2];
  return Array.from({ length: points }, (_, i) => low + ((high - low) * i) / (points - 1));
}

function smooth(grid: number[], nodes: number[][], weights: number[][], sigma: number): number[] {
  const density = new Array<number>(grid.length).fill(0);
  const scale = 1 / (nodes.length * sigma * Math.sqrt(2 * Math.PI));
  nodes.forEach((runNodes, r) => {
    runNodes.forEach((theta, k) => {
      const weight = weights[r][k] * scale;
      for (let i = 0; i < grid.length; i++) {
        const z = (grid[i] - theta) / sigma;
        if (z > -10 && z < 10) density[i] += weight * Math.exp(-0.5 * z * z);
      }
    });
  });
  return density;
}

/** ∫ tᵖ φ(t) dt on the grid by the trapezoid rule (p = 0 gives the total mass). */
export function densityMoment(result: Pick<SpectralDensity, "grid" | "density">, power: number): number {
  const { grid, density } = result;
  let sum = 0;
  for (let i = 1; i < grid.length; i++) {
    const left = density[i - 1] * grid[i - 1] ** power;
    const right = density[i] * grid[i] ** power;
    sum += 0.5 * (left + right) * (grid[i] - grid[i - 1]);
  }
  return sum;
}
