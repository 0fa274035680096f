import { grad } from "../../autograd/index.js";
import { InvalidArgumentError, type Tensor } from "../../tensor/index.js";
import { gatherValues, numelOf, splitVector } from "./flat.js";

/**
 * The gradient of a loss with its graph kept (createGraph), so that Hessian-vector products
 * H·v = ∇(∇fᵀv) can be taken from it, each costing one more backward pass.
 */
export class GradientGraph {
  readonly gradient: Float64Array;
  private readonly grads: (Tensor | null)[];

  constructor(
    readonly owner: string,
    readonly loss: Tensor,
    readonly params: readonly Tensor[],
  ) {
    if (!loss.requiresGrad) {
      throw new InvalidArgumentError(`${owner}.step: the loss the closure returned does not require grad; return the loss tensor itself, computed from the parameters, without calling backward on it.`);
    }
    this.grads = grad([loss], [...params], { createGraph: true, allowUnused: true });
    this.gradient = gatherValues(this.grads, params);
  }

  /** H·v for a flat vector v. */
  hvp(v: Float64Array): Float64Array {
    const vs = splitVector(v, this.params);
    const pairs = this.grads.map((g, i) => [g, vs[i]] as const).filter(([g]) => g !== null && g.requiresGrad);
    if (pairs.length === 0) return new Float64Array(v.length);
    const products = grad(pairs.map(([g]) => g!), [...this.params], { gradOutputs: pairs.map(([, u]) => u), retainGraph: true, allowUnused: true });
    return gatherValues(products, this.params);
  }

  /** Builds the dense n×n Hessian, row-major, from n products with unit vectors, and symmetrizes it. */
  hessian(): Float64Array {
    const n = numelOf(this.params);
    const matrix = new Float64Array(n * n);
    const unit = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      unit[j] = 1;
      const column = this.hvp(unit);
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
}

/**
 * Solves (A + λI)x = b for symmetric A by Cholesky factorization. Returns null when A + λI is not
 * positive definite (a pivot ≤ 0), so the caller can raise λ.
 */
export function dampedCholeskySolve(a: Float64Array, n: number, damping: number, b: Float64Array): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] + (i === j ? damping : 0);
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}
