import { InvalidArgumentError } from "../../tensor/index.js";

/** A symmetric linear operator on flat float64 vectors, such as the HessianOperator. */
export interface LinearOperator {
  readonly size: number;
  apply(v: Float64Array): Float64Array;
}

/** Eigenpairs from an iterative estimator, ordered by descending magnitude. */
export interface EigenResult {
  method: "power" | "lanczos" | "exact";
  values: number[];
  vectors: Float64Array[];
  /** ‖Hv − λv‖ for each pair (an estimate from the Lanczos recurrence for Lanczos). */
  residuals: number[];
  /** True when every pair met the tolerance. */
  converged: boolean;
  iterations: number;
  /** Hessian-vector products used. */
  products: number;
}

/** Raises unless topK is an integer in [1, n]. */
export function checkTopK(owner: string, topK: number, size: number): number {
  if (!Number.isInteger(topK) || topK < 1) {
    throw new InvalidArgumentError(`${owner}: invalid topK=${topK}; expected a positive integer.`);
  }
  if (topK > size) {
    throw new InvalidArgumentError(`${owner}: topK=${topK} eigenvalues were requested, but the Hessian is ${size}×${size} (the model has ${countOf(size, "parameter")}), so it has only ${size}; pass topK ≤ ${size}.`);
  }
  return topK;
}

/** "1 parameter", "2 parameters": a count with its noun in the right number. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
