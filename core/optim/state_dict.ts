import { describe } from "../tensor/convert.js";
import { cast, clone } from "../ops/index.js";
import { formatShape } from "../tensor/errors.js";
import { InvalidArgumentError, ShapeError, Tensor } from "../tensor/index.js";
import type { ParamState, StateValue } from "./transform.js";

/** An optimizer's state as plain data, the form `stateDict()` returns and `loadStateDict()` takes. */
export interface OptimizerStateDict {
  /** Per-parameter fields, keyed by the parameter's index counted across groups in order. */
  state: Record<number, ParamState>;
  /** Each group's options, with `params` as the indices of its parameters. */
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Checks that a saved state dict has the same group sizes as `groups` and returns this
 * optimizer's parameters in index order.
 */
export function matchSavedGroups(owner: string, stateDict: OptimizerStateDict, groups: readonly { params: Tensor[] }[]): Tensor[] {
  if (typeof stateDict !== "object" || stateDict === null || !Array.isArray(stateDict.paramGroups) || typeof stateDict.state !== "object" || stateDict.state === null) {
    throw new InvalidArgumentError(`${owner}: expected { state, paramGroups } as stateDict() returns it, got ${describe(stateDict)}.`);
  }
  const savedSizes = stateDict.paramGroups.map((group) => (Array.isArray(group.params) ? group.params.length : -1));
  const sizes = groups.map((group) => group.params.length);
  if (savedSizes.length !== sizes.length || savedSizes.some((size, i) => size !== sizes[i])) {
    throw new InvalidArgumentError(
      `${owner}: the saved state has parameter groups of sizes [${savedSizes.join(", ")}], but this optimizer has [${sizes.join(", ")}]; ` +
        `load a state saved from an optimizer over the same parameters.`,
    );
  }
  const params = groups.flatMap((group) => group.params);
  for (const key of Object.keys(stateDict.state)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= params.length) {
      throw new InvalidArgumentError(`${owner}: the saved state has an entry for parameter ${key}, but the valid indices are 0 to ${params.length - 1}.`);
    }
  }
  return params;
}

/** Copies one parameter's saved fields, casting buffers to the parameter's dtype after checking their shape. */
export function restoreParamState(owner: string, index: number, fields: ParamState, param: Tensor): ParamState {
  const out: Record<string, StateValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Tensor) {
      if (value.shape.length !== param.shape.length || value.shape.some((size, i) => size !== param.shape[i])) {
        throw new ShapeError(
          `${owner}: state field "${key}" of parameter ${index} has shape ${formatShape(value.shape)}, but the parameter has shape ${formatShape(param.shape)}.`,
        );
      }
      out[key] = clone(cast(value, param.dtype));
    } else if (value === null || typeof value === "number") {
      out[key] = value;
    } else {
      throw new InvalidArgumentError(`${owner}: state field "${key}" of parameter ${index} is ${describe(value)}; expected a tensor, a number or null.`);
    }
  }
  return out;
}
