import { describe } from "../tensor/convert.js";
import { noGrad } from "../autograd/index.js";
import { clamp_, mul_ } from "../ops/index.js";
import { InvalidArgumentError, Tensor, tensor } from "../tensor/index.js";
import { checkKnownOptions } from "./options.js";

/** Gradient clipping, applied in place to the `.grad` of each parameter, as torch.nn.utils does. */

function gradsOf(owner: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  let list: unknown[];
  if (params instanceof Tensor) {
    list = [params];
  } else if (params !== null && typeof params === "object" && Symbol.iterator in params) {
    list = [...params];
  } else {
    throw new InvalidArgumentError(`${owner}: params must be a tensor or an iterable of tensors, got ${describe(params)}.`);
  }
  list.forEach((param, i) => {
    if (!(param instanceof Tensor)) throw new InvalidArgumentError(`${owner}: params[${i}] is ${describe(param)}, not a tensor.`);
  });
  return (list as Tensor[]).flatMap((param) => (param.grad === null ? [] : [param.grad]));
}

export interface ClipGradNormOptions {
  /** Raise when the total norm is NaN or infinite instead of scaling by it. */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the `normType`-norm of all
 * gradients together, as if concatenated into one vector. `normType` is a number > 0 or Infinity
 * (the maximum absolute value). Returns the total norm before clipping as a 0-d tensor of the
 * first gradient's dtype (float32 when no parameter has a gradient).
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): Tensor {
  const owner = "clipGradNorm";
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) throw new InvalidArgumentError(`${owner}: invalid maxNorm=${maxNorm}; expected a number >= 0.`);
  if (typeof normType !== "number" || !(normType > 0)) {
    throw new InvalidArgumentError(`${owner}: invalid normType=${normType}; expected a number > 0, or Infinity for the maximum norm.`);
  }
  checkKnownOptions(owner, options, ["errorIfNonfinite"]);
  const grads = gradsOf(owner, params);
  if (grads.length === 0) return tensor(0);

  const totalNorm = vectorNorm(grads, normType);
  if (options.errorIfNonfinite && !Number.isFinite(totalNorm)) {
    throw new InvalidArgumentError(
      `${owner}: the total ${normType}-norm of the gradients is ${totalNorm}, so they cannot be clipped. ` +
        `Pass { errorIfNonfinite: false } to scale by it anyway, or find where the loss became non-finite.`,
    );
  }
  const coefficient = Math.min(maxNorm / (totalNorm + 1e-6), 1);
  noGrad(() => grads.forEach((grad) => mul_(grad, coefficient)));
  return tensor(totalNorm, { dtype: grads[0].dtype });
}

function vectorNorm(grads: readonly Tensor[], normType: number): number {
  let total = 0;
  for (const grad of grads) {
    const values = grad.dataSync();
    for (let i = 0; i < values.length; i++) {
      const magnitude = Math.abs(values[i]);
      if (normType === Infinity) total = magnitude > total || Number.isNaN(magnitude) ? magnitude : total;
      else total += magnitude ** normType;
    }
  }
  return normType === Infinity ? total : total ** (1 / normType);
}

/** Clamps every gradient element to [−clipValue, clipValue] in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const owner = "clipGradValue";
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new InvalidArgumentError(`${owner}: invalid clipValue=${clipValue}; expected a number >= 0.`);
  }
  const grads = gradsOf(owner, params);
  noGrad(() => grads.forEach((grad) => clamp_(grad, { min: -clipValue, max: clipValue })));
}
