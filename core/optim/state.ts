import { describe } from "../tensor/convert.js";
import { InvalidArgumentError } from "../tensor/index.js";
import type { Tensor } from "../tensor/index.js";
import type { ParamState } from "./transform.js";

/** Reads the buffer `key` of a transform's state, which its `init` always sets. */
export function buffer(state: ParamState, key: string): Tensor {
  const value = state[key];
  if (value === null || typeof value === "number" || value === undefined) {
    throw new InvalidArgumentError(`optimizer state: field "${key}" is ${describe(value)}, but a tensor was expected. The state was changed outside the optimizer; reload it with loadStateDict.`);
  }
  return value;
}

/** Reads the count `key` of a transform's state. */
export function count(state: ParamState, key: string): number {
  const value = state[key];
  if (typeof value !== "number") {
    throw new InvalidArgumentError(`optimizer state: field "${key}" is ${describe(value)}, but a number was expected. The state was changed outside the optimizer; reload it with loadStateDict.`);
  }
  return value;
}
