import { Generator, defaultGenerator } from "../../tensor/index.js";
import { tridiagonalEigen } from "./eigen.js";
import { logger } from "./logger.js";
import { positiveInteger } from "./power.js";
import { type EigenResult, type LinearOperator, checkTopK } from "./types.js";
import { axpy, dot, gaussian, norm, orthogonalize, scaled } from "./vector.js";

/** The Lanczos tridiagonalization Qᵀ H Q = T after m steps. */
export interface LanczosRun {
  /** Diagonal of T, length m. */
  alpha: number[];
  /** Off-diagonal of T, length m − 1; `next` is β_m, the norm of the next residual. */
  beta: number[];
  next: number;
  /** Orthonormal Lanczos vectors q₁…q_m. */
  basis: Float64Array[];
}

/**
 * Runs up to `steps` Lanczos steps from `start`: q_{j+1}β_j = Hq_j − α_j q_j − β_{j−1}q_{j−1},
 * with full reorthogonalization of every new vector against all earlier ones (twice, which keeps
 * the basis orthogonal to rounding in float64). It stops early when β_j vanishes, which means
 * an invariant subspace was found and T's eigenvalues are exact eigenvalues of H.
 * `onStep(run)` may return true to stop after a step.
 */
export function lanczosRun(operator: LinearOperator, start: Float64Array, steps: number, onStep?: (run: LanczosRun) => boolean): LanczosRun {
  const run: LanczosRun = { alpha: [], beta: [], next: 0, basis: [] };
  let q = scaled(1 / norm(start), start);
  for (let j = 0; j < steps; j++) {
    run.basis.push(q);
    const w = operator.apply(q);
    const alpha = dot(q, w);
    run.alpha.push(alpha);
    orthogonalize(w, run.basis);
    orthogonalize(w, run.basis);
    const beta = norm(w);
    run.next = beta;
    if (onStep?.(run) || j === steps - 1 || beta <= 1e-12 * Math.max(Math.abs(alpha), 1e-300)) break;
    run.beta.push(beta);
    q = scaled(1 / beta, w);
  }
  return run;
}

export interface LanczosOptions {
  topK?: number;
  /** Maximum Lanczos steps (Hessian-vector products). Default min(n, max(100, 4·topK)). */
  maxIter?: number;
  /** Stop when each of the topK Ritz pairs has estimated residual ≤ tol·|θ|. Default 1e-10. */
  tol?: number;
  generator?: Generator;
}

/**
 * The topK eigenvalues of largest magnitude by the Lanczos method with full
 * reorthogonalization. After step m the Ritz values θ (eigenvalues of T_m) approximate the
 * extreme eigenvalues of H, and the residual of the Ritz vector Q_m·y is β_m·|y_m| exactly in
 * exact arithmetic. The convergence test runs every step; after n steps T is H in another basis.
 */
export function lanczos(operator: LinearOperator, options: LanczosOptions = {}): EigenResult {
  const owner = "lanczos";
  const n = operator.size;
  const topK = checkTopK(owner, options.topK ?? 1, n);
  const maxIter = Math.min(n, positiveInteger(owner, "maxIter", options.maxIter ?? Math.max(100, 4 * topK)));
  const tol = options.tol ?? 1e-10;
  const generator = options.generator ?? defaultGenerator;

  let ritz = { values: [] as number[], coefficients: [] as Float64Array[], residuals: [] as number[] };
  const run = lanczosRun(operator, gaussian(n, generator), maxIter, (partial) => {
    const m = partial.alpha.length;
    // Each check costs an O(m³) eigendecomposition of T, so long runs check every 10 steps.
    if (m < topK || (m > 40 && m % 10 !== 0)) return false;
    ritz = topRitzPairs(partial, topK);
    return ritz.residuals.every((r, k) => r <= tol * Math.abs(ritz.values[k]));
  });
  ritz = topRitzPairs(run, Math.min(topK, run.alpha.length));
  const vectors = ritz.coefficients.map((y) => {
    const v = new Float64Array(n);
    y.forEach((c, j) => axpy(c, run.basis[j], v));
    return v;
  });
  const converged = ritz.values.length === topK && ritz.residuals.every((r, k) => r <= tol * Math.abs(ritz.values[k]) || r === 0);
  if (!converged) {
    logger.warn(`${owner}: the top ${topK} Ritz pairs did not converge in ${run.alpha.length} steps; estimated residuals ${ritz.residuals.map((r) => r.toExponential(2)).join(", ")}. Raise maxIter.`);
  }
  return { method: "lanczos", values: ritz.values, vectors, residuals: ritz.residuals, converged, iterations: run.alpha.length, products: run.alpha.length };
}

function topRitzPairs(run: LanczosRun, topK: number) {
  const eigen = tridiagonalEigen(run.alpha, run.beta);
  const m = run.alpha.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => Math.abs(eigen.values[j]) - Math.abs(eigen.values[i])).slice(0, topK);
  return {
    values: order.map((i) => eigen.values[i]),
    coefficients: order.map((i) => eigen.vectors[i]),
    residuals: order.map((i) => Math.abs(run.next * eigen.vectors[i][m - 1])),
  };
}
