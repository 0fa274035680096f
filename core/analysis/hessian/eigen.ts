import { InvalidArgumentError } from "../../tensor/index.js";

/** Eigenvalues in descending order, with the matching unit eigenvectors. */
export interface SymmetricEigen {
  values: Float64Array;
  /** vectors[k] is the eigenvector of values[k]. */
  vectors: Float64Array[];
  /** Jacobi sweeps until the off-diagonal part fell below the tolerance. */
  sweeps: number;
}

/**
 * Eigendecomposition of a symmetric n×n matrix (row-major, float64) by the cyclic Jacobi method:
 * each rotation zeroes one off-diagonal entry A[p][q], and sweeps repeat until the off-diagonal
 * Frobenius norm is below 1e-14·‖A‖_F. Jacobi computes small eigenvalues to high relative
 * accuracy, so the result can check the iterative estimators. Cost O(n³) per sweep, and
 * usually 6 to 10 sweeps. The input is not changed.
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 50): SymmetricEigen {
  if (matrix.length !== n * n) {
    throw new InvalidArgumentError(`symmetricEigen: expected ${n}×${n} = ${n * n} entries, got ${matrix.length}.`);
  }
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * a[i];
  const threshold = 1e-28 * total;

  let sweeps = 0;
  while (sweeps < maxSweeps && offDiagonalSquared(a, n) > threshold) {
    sweeps++;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
    }
  }
  return sortedPairs(a, v, n, sweeps);
}

function offDiagonalSquared(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) sum += 2 * a[i * n + j] * a[i * n + j];
  }
  return sum;
}

/** Applies the rotation in the (p, q) plane that zeroes a[p][q], to A (both sides) and to V. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q];
  if (apq === 0) return;
  const app = a[p * n + p];
  const aqq = a[q * n + q];
  // t = tan θ is the smaller root of t² + 2τt − 1 = 0, which keeps the rotation angle ≤ π/4.
  const tau = (aqq - app) / (2 * apq);
  const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p];
    const vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function sortedPairs(a: Float64Array, v: Float64Array, n: number, sweeps: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = order.map((col) => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = v[k * n + col];
    return out;
  });
  return { values, vectors, sweeps };
}

/**
 * Eigendecomposition of the symmetric tridiagonal matrix with diagonal `alpha` (length m) and
 * off-diagonal `beta` (length m − 1), as Lanczos produces it.
 */
export function tridiagonalEigen(alpha: ArrayLike<number>, beta: ArrayLike<number>): SymmetricEigen {
  const m = alpha.length;
  const matrix = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    matrix[i * m + i] = alpha[i];
    if (i + 1 < m) {
      matrix[i * m + i + 1] = beta[i];
      matrix[(i + 1) * m + i] = beta[i];
    }
  }
  return symmetricEigen(matrix, m);
}
