import { InvalidArgumentError } from "../../tensor/index.js";
import type { OptionCheck } from "../options.js";
import type { UpdateTransform } from "../transform.js";

/** Raises unless the option is a positive integer. */
export const positiveInteger: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a positive integer.`);
  }
};

/** Raises unless the option is a number > 0. */
export const positive: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a number > 0.`);
  }
};

/**
 * Fills the per-parameter transform slot of an OptimizerSpec for optimizers that update all their
 * parameters together in their own `step(closure)`. The transform raises if it is ever built.
 */
export function updateThroughStep(name: string): () => UpdateTransform {
  return () => {
    throw new InvalidArgumentError(`${name}: updates run only through ${name}.step(closure), which treats all parameters as one vector.`);
  };
}
