import { grad, noGrad } from "../../autograd/index.js";
import { Generator, InvalidArgumentError, Tensor, defaultGenerator } from "../../tensor/index.js";
import { betaPair, nonNegative } from "../options.js";
import { type BaseOptions, Optimizer, type OptimizerSpec, type ParamsInput } from "../optimizer.js";
import { lossValue, requireLossClosure, setParams } from "./flat.js";
import { updateThroughStep } from "./options.js";

export interface AdaHessianOptions extends BaseOptions {
  lr: number;
  /** Decay rates [β₁, β₂] of the gradient average and of the squared Hessian-diagonal average. */
  betas: [number, number];
  eps: number;
  /** Decoupled weight decay, as in AdamW. */
  weightDecay: number;
  /** The exponent k of the denominator (√v̂)ᵏ, in [0, 1]; 1 is the full Hessian scaling. */
  hessianPower: number;
}

export const ADAHESSIAN_SPEC: OptimizerSpec<AdaHessianOptions> = {
  name: "AdaHessian",
  defaults: { lr: 0.15, betas: [0.9, 0.999], eps: 1e-4, weightDecay: 0, hessianPower: 1 },
  checks: {
    lr: nonNegative,
    betas: betaPair,
    eps: nonNegative,
    weightDecay: nonNegative,
    hessianPower: (owner, name, value) => {
      if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a number in [0, 1].`);
    },
  },
  transform: updateThroughStep("AdaHessian"),
};

/**
 * AdaHessian (Yao et al., "ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning",
 * AAAI 2021): Adam with the squared gradient replaced by a squared estimate of the Hessian
 * diagonal. Each `step(closure)` draws one Rademacher vector z and computes D = z ⊙ (H·z), the
 * Hutchinson estimate of diag(H), with one Hessian-vector product. For a convolution kernel
 * [out, in, kh, kw] D is averaged over each kh×kw window (spatial averaging); other parameters use
 * D as is. Then, with t the step count,
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·D ⊙ D,
 *   θ ← θ − lr·( (m / (1 − β₁ᵗ)) / ((√(v / (1 − β₂ᵗ)))ᵏ + ε) + weightDecay·θ ).
 * The closure returns the loss tensor without calling backward. Rademacher vectors come from
 * `generator` (the default generator unless one is passed to the constructor).
 */
export class AdaHessian extends Optimizer<AdaHessianOptions> {
  constructor(
    params: ParamsInput<AdaHessianOptions>,
    options?: Partial<AdaHessianOptions>,
    private readonly generator: Generator = defaultGenerator,
  ) {
    super(params, options, ADAHESSIAN_SPEC);
  }

  override step<T = unknown>(closure?: () => T): T | undefined {
    const params = this.paramGroups.flatMap((group) => group.params);
    const evaluate = requireLossClosure("AdaHessian", closure, params);
    const original = evaluate();
    if (!(original instanceof Tensor)) throw new InvalidArgumentError("AdaHessian.step: the closure must return the loss tensor (with its graph), not a number.");
    lossValue("AdaHessian", original);
    if (!original.requiresGrad) throw new InvalidArgumentError("AdaHessian.step: the loss does not require grad; return the loss tensor computed from the parameters, without calling backward.");

    const grads = grad([original], params, { createGraph: true, allowUnused: true });
    const probes = params.map((p) => rademacherLike(p, this.generator));
    const used = grads.map((g, i) => [g, probes[i]] as const).filter(([g]) => g !== null && g.requiresGrad);
    const products = used.length === 0 ? params.map(() => null) : grad(used.map(([g]) => g!), params, { gradOutputs: used.map(([, z]) => z), allowUnused: true });

    let index = 0;
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        const g = grads[index];
        const hz = products[index];
        const z = probes[index];
        index++;
        if (g === null) continue;
        this.update(group, param, g.detach().dataSync(), hz === null ? null : hutchinsonDiagonal(param, z.dataSync(), hz.dataSync()));
      }
    }
    return original;
  }

  private update(group: AdaHessianOptions & { params: Tensor[] }, param: Tensor, g: ArrayLike<number>, diagonal: Float64Array | null): void {
    const n = param.numel();
    const previous = this.state.get(param);
    const step = ((previous?.step as number | undefined) ?? 0) + 1;
    const m = previous ? Float64Array.from((previous.expAvg as Tensor).dataSync()) : new Float64Array(n);
    const v = previous ? Float64Array.from((previous.expHessianDiagSq as Tensor).dataSync()) : new Float64Array(n);
    const [beta1, beta2] = group.betas;
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    const theta = Float64Array.from(param.dataSync());
    for (let i = 0; i < n; i++) {
      const d = diagonal === null ? 0 : diagonal[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * d * d;
      const denominator = Math.sqrt(v[i] / correction2) ** group.hessianPower + group.eps;
      theta[i] -= group.lr * (m[i] / correction1 / denominator + group.weightDecay * theta[i]);
    }
    noGrad(() => setParams([param], theta));
    this.state.set(param, { step, expAvg: tensorLike(param, m), expHessianDiagSq: tensorLike(param, v) });
  }
}

function rademacherLike(param: Tensor, generator: Generator): Tensor {
  const data = param.dtype === "float64" ? new Float64Array(param.numel()) : new Float32Array(param.numel());
  for (let i = 0; i < data.length; i++) data[i] = generator.nextUint32() & 1 ? 1 : -1;
  return Tensor.fromTypedArray(data, param.shape);
}

function tensorLike(param: Tensor, values: Float64Array): Tensor {
  return Tensor.fromTypedArray(param.dtype === "float64" ? values : Float32Array.from(values), param.shape);
}

/** z ⊙ Hz, averaged over each kh×kw window for a 4-D convolution kernel. */
export function hutchinsonDiagonal(param: Tensor, z: ArrayLike<number>, hz: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(hz, (x, i) => x * z[i]);
  if (param.ndim !== 4) return out;
  const window = param.shape[2] * param.shape[3];
  for (let start = 0; start < out.length; start += window) {
    let sum = 0;
    for (let i = start; i < start + window; i++) sum += out[i];
    out.fill(sum / window, start, start + window);
  }
  return out;
}
