import { InvalidArgumentError } from "../../tensor/index.js";
import { symmetricEigen, type SymmetricEigen } from "./eigen.js";
import type { LinearOperator } from "./types.js";

export interface ExactHessianOptions {
  /** The maximum memory in bytes for the matrix and its eigenvectors. Default 1 GiB. */
  maxBytes?: number;
}

/** Returns the bytes of an n×n float64 matrix. */
export function matrixBytes(n: number): number {
  return n * n * 8;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * Raises when the exact Hessian of n parameters (and, for `eigen`, its eigenvectors) would take
 * more than maxBytes, saying how much it would take and which estimators to use instead.
 */
export function checkExactSize(owner: string, n: number, copies: number, options: ExactHessianOptions): void {
  const maxBytes = options.maxBytes ?? 2 ** 30;
  const bytes = copies * matrixBytes(n);
  if (bytes > maxBytes) {
    throw new InvalidArgumentError(
      `${owner}: the exact Hessian of this model has ${n} parameters, so it is a ${n}×${n} float64 matrix that needs ${formatBytes(bytes)}` +
        `${copies > 1 ? ` with its eigenvectors` : ""}, more than maxBytes = ${formatBytes(maxBytes)}. ` +
        `Use the estimators that need only Hessian-vector products: topEigenvalues (Lanczos or power iteration), trace (Hutchinson) and density (stochastic Lanczos quadrature), or pass params to analyze a subset of the parameters.`,
    );
  }
}

/**
 * Builds the exact Hessian as a row-major n×n float64 matrix, built column by column from n
 * Hessian-vector products with the unit vectors and then symmetrized as (H + Hᵀ)/2, which only
 * removes rounding differences.
 */
export function exactHessian(operator: LinearOperator, options: ExactHessianOptions = {}, owner = "exactHessian"): Float64Array {
  const n = operator.size;
  checkExactSize(owner, n, 1, options);
  const matrix = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    const column = operator.apply(unit);
    unit[j] = 0;
    for (let i = 0; i < n; i++) matrix[i * n + j] = column[i];
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
      matrix[i * n + j] = mean;
      matrix[j * n + i] = mean;
    }
  }
  return matrix;
}

/** The full spectrum of the exact Hessian in float64 (descending), by the Jacobi method. */
export function exactEigen(operator: LinearOperator, options: ExactHessianOptions = {}): SymmetricEigen {
  checkExactSize("exactEigen", operator.size, 2, options);
  return symmetricEigen(exactHessian(operator, options, "exactEigen"), operator.size);
}
