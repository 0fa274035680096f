import { Generator, defaultGenerator } from "../../tensor/index.js";
import { logger } from "./logger.js";
import { positiveInteger } from "./power.js";
import type { LinearOperator } from "./types.js";
import { dot, rademacher } from "./vector.js";

export interface HutchinsonOptions {
  /** Maximum number of probe vectors. Default 1000. */
  probes?: number;
  /** Stop once the standard error of the estimate is ≤ tol·|estimate|. Default 0 (use every probe). */
  tol?: number;
  generator?: Generator;
}

export interface TraceEstimate {
  trace: number;
  /** The standard error of the mean over probes, s/√m. */
  standardError: number;
  probes: number;
  /** True when tol was met (always true when tol is 0 and every probe ran). */
  converged: boolean;
}

/**
 * Hutchinson's trace estimator: tr(H) = E[zᵀHz] for z with independent Rademacher (±1) entries,
 * averaged over m probes. Its variance per probe is 2·Σ_{i≠j} H_ij², so the error shrinks as
 * 1/√m and is smallest for diagonally dominant H. One Hessian-vector product per probe.
 */
export function hutchinsonTrace(operator: LinearOperator, options: HutchinsonOptions = {}): TraceEstimate {
  const { probes, tol, generator } = readOptions("hutchinsonTrace", options);
  let mean = 0;
  let squares = 0;
  let count = 0;
  while (count < probes) {
    const z = rademacher(operator.size, generator);
    const sample = dot(z, operator.apply(z));
    count++;
    const delta = sample - mean;
    mean += delta / count;
    squares += delta * (sample - mean);
    if (tol > 0 && count >= 10 && standardError(squares, count) <= tol * Math.abs(mean)) break;
  }
  const error = standardError(squares, count);
  const converged = tol === 0 || error <= tol * Math.abs(mean);
  if (!converged) logger.warn(`hutchinsonTrace: the standard error ${error.toExponential(2)} is above tol·|trace| = ${(tol * Math.abs(mean)).toExponential(2)} after ${count} probes; raise probes.`);
  return { trace: mean, standardError: error, probes: count, converged };
}

export interface DiagonalEstimate {
  /** The estimate of diag(H), flat, in parameter order. */
  diagonal: Float64Array;
  /** The standard error of each entry. */
  standardError: Float64Array;
  probes: number;
  /** True when the largest entry's standard error is ≤ tol·max|diag| (true when tol is 0). */
  converged: boolean;
}

/**
 * Hutchinson's diagonal estimator: diag(H) = E[z ⊙ Hz] for Rademacher z, averaged over probes.
 * Entry i has variance Σ_{j≠i} H_ij² per probe.
 */
export function hutchinsonDiagonal(operator: LinearOperator, options: HutchinsonOptions = {}): DiagonalEstimate {
  const { probes, tol, generator } = readOptions("hutchinsonDiagonal", options);
  const n = operator.size;
  const mean = new Float64Array(n);
  const squares = new Float64Array(n);
  let count = 0;
  let converged = tol === 0;
  while (count < probes) {
    const z = rademacher(n, generator);
    const hz = operator.apply(z);
    count++;
    for (let i = 0; i < n; i++) {
      const sample = z[i] * hz[i];
      const delta = sample - mean[i];
      mean[i] += delta / count;
      squares[i] += delta * (sample - mean[i]);
    }
    if (tol > 0 && count >= 10) {
      converged = worstError(squares, count) <= tol * maxAbs(mean);
      if (converged) break;
    }
  }
  const errors = Float64Array.from(squares, (s) => standardError(s, count));
  if (!converged) logger.warn(`hutchinsonDiagonal: the largest standard error ${worstError(squares, count).toExponential(2)} is above tol·max|diag| after ${count} probes; raise probes.`);
  return { diagonal: mean, standardError: errors, probes: count, converged };
}

function readOptions(owner: string, options: HutchinsonOptions) {
  return {
    probes: positiveInteger(owner, "probes", options.probes ?? 1000),
    tol: options.tol ?? 0,
    generator: options.generator ?? defaultGenerator,
  };
}

function standardError(squares: number, count: number): number {
  return count > 1 ? Math.sqrt(squares / (count - 1) / count) : Infinity;
}

function worstError(squares: Float64Array, count: number): number {
  let worst = 0;
  for (const s of squares) worst = Math.max(worst, standardError(s, count));
  return worst;
}

function maxAbs(values: Float64Array): number {
  let best = 0;
  for (const v of values) best = Math.max(best, Math.abs(v));
  return best;
}
