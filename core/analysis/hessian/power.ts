import { Generator, InvalidArgumentError, defaultGenerator } from "../../tensor/index.js";
import { logger } from "./logger.js";
import { type LinearOperator, type EigenResult, checkTopK } from "./types.js";
import { axpy, dot, gaussian, norm, orthogonalize, scaled } from "./vector.js";

export interface PowerIterationOptions {
  topK?: number;
  /** Maximum iterations per eigenvalue. Default 1000. */
  maxIter?: number;
  /** Stop when ‖H'v − λv‖ ≤ tol·|λ₁|, with λ₁ the first (largest) eigenvalue found. Default 1e-9. */
  tol?: number;
  generator?: Generator;
}

/**
 * Finds the topK eigenvalues of largest magnitude by power iteration with deflation: eigenpair k is
 * found by iterating v ← H'v/‖H'v‖ with H' = H − Σ_{i<k} λᵢvᵢvᵢᵀ (and v kept orthogonal to
 * the earlier vᵢ), where λ is the Rayleigh quotient vᵀHv. The tolerance is relative to |λ₁| ≈ ‖H‖
 * rather than to each |λ_k|, because the rounding left in λ₁'s vector by deflation limits how small
 * the later residuals can get. Each iteration costs one
 * Hessian-vector product. Convergence for pair k goes as |λ_{k+1}/λ_k|ᵗ, so close eigenvalues
 * need many iterations; a pair that reaches maxIter is returned with converged false and its
 * residual.
 */
export function powerIteration(operator: LinearOperator, options: PowerIterationOptions = {}): EigenResult {
  const owner = "powerIteration";
  const topK = checkTopK(owner, options.topK ?? 1, operator.size);
  const maxIter = positiveInteger(owner, "maxIter", options.maxIter ?? 1000);
  const tol = options.tol ?? 1e-9;
  const generator = options.generator ?? defaultGenerator;

  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const residuals: number[] = [];
  const iterations: number[] = [];
  for (let k = 0; k < topK; k++) {
    const scale = k === 0 ? null : Math.abs(values[0]);
    const found = dominantPair(operator, values, vectors, maxIter, tol, scale, generator);
    values.push(found.value);
    vectors.push(found.vector);
    residuals.push(found.residual);
    iterations.push(found.iterations);
  }
  const unconverged = residuals.filter((r) => r > tol * Math.abs(values[0])).length;
  const converged = unconverged === 0;
  if (!converged) {
    logger.warn(`${owner}: ${unconverged} of ${topK} eigenpairs did not converge in ${maxIter} iterations; residuals ‖H′v − λv‖ of the deflated operator = ${residuals.map((r) => r.toExponential(2)).join(", ")}. Raise maxIter or use lanczos.`);
  }
  return { method: "power", values, vectors, residuals, converged, iterations: iterations.reduce((a, b) => a + b, 0), products: iterations.reduce((a, b) => a + b, 0) };
}

function dominantPair(operator: LinearOperator, values: number[], vectors: Float64Array[], maxIter: number, tol: number, scale: number | null, generator: Generator) {
  const deflated = (v: Float64Array): Float64Array => {
    const out = operator.apply(v);
    values.forEach((lambda, i) => axpy(-lambda * dot(vectors[i], v), vectors[i], out));
    return out;
  };
  let v = gaussian(operator.size, generator);
  orthogonalize(v, vectors);
  v = scaled(1 / norm(v), v);
  let value = 0;
  let residual = Infinity;
  let iteration = 0;
  while (iteration < maxIter) {
    iteration++;
    const hv = deflated(v);
    value = dot(v, hv);
    const r = Float64Array.from(hv);
    axpy(-value, v, r);
    residual = norm(r);
    if (residual <= tol * (scale ?? Math.abs(value))) break;
    orthogonalize(hv, vectors);
    const length = norm(hv);
    if (length === 0) {
      residual = 0;
      break;
    }
    v = scaled(1 / length, hv);
  }
  return { value, vector: v, residual, iterations: iteration };
}

export function positiveInteger(owner: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${value}; expected a positive integer.`);
  }
  return value;
}
