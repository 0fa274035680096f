import { InvalidArgumentError } from "../../tensor/index.js";
import type { OptionCheck } from "../options.js";
import type { UpdateTransform } from "../transform.js";

/** A positive integer option. */
export const positiveInteger: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a positive integer.`);
  }
};

/** A number > 0. */
export const positive: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || !(value > 0)) {
    throw new InvalidArgumentError(`${owner}: invalid ${name}=${String(value)}; expected a number > 0.`);
  }
};

/**
 * The per-parameter transform slot of an OptimizerSpec, for optimizers that update all their
 * parameters together in their own `step(closure)` and so never run a per-parameter transform.
 */
export function updateThroughStep(name: string): () => UpdateTransform {
  return () => {
    throw new InvalidArgumentError(`${name}: updates run only through ${name}.step(closure), which treats all parameters as one vector.`);
  };
}
