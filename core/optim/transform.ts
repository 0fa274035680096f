import { add, mul, neg } from "../ops/index.js";
import { InvalidArgumentError } from "../tensor/index.js";
import type { Tensor } from "../tensor/index.js";

/**
 * Update transforms: small pure functions that turn a parameter's gradient into the change added
 * to it, in the style of optax. Each transform owns a few named fields of the per-parameter
 * state, starts them with `init` and returns new values from `update` without changing its
 * inputs. `chain` runs transforms one after another, so an optimizer is a short chain such as
 * `chain(addDecayedWeights(wd), scaleByAdam(...), scaleByLearningRate(lr))`.
 */

/** One value of the per-parameter state: a buffer shaped like the parameter, a count, or unset. */
export type StateValue = Tensor | number | null;

/** The state of one parameter, as named fields (for example `step`, `expAvg`, `expAvgSq`). */
export type ParamState = Readonly<Record<string, StateValue>>;

/** The result of one transform step: the transformed update and the transform's new fields. */
export interface TransformResult {
  readonly update: Tensor;
  readonly state: ParamState;
}

/** A pure update transform over the state fields named in `keys`. */
export interface UpdateTransform {
  /** The state fields this transform owns; a stateless transform owns none. */
  readonly keys: readonly string[];
  /** Returns the starting values of the fields in `keys` for `param`. */
  init(param: Tensor): ParamState;
  /**
   * Maps `update` (the gradient, or the output of the previous transform) to a new update.
   * `state` contains at least this transform's fields, and the returned state contains only them.
   */
  update(update: Tensor, state: ParamState, param: Tensor): TransformResult;
}

const STATELESS: ParamState = Object.freeze({});

/** Builds a transform without state from a function of the update and the parameter. */
export function stateless(map: (update: Tensor, param: Tensor) => Tensor): UpdateTransform {
  return {
    keys: [],
    init: () => STATELESS,
    update: (update, _state, param) => ({ update: map(update, param), state: STATELESS }),
  };
}

/** The transform that returns its input unchanged. */
export const identity: UpdateTransform = stateless((update) => update);

/**
 * Runs `transforms` in order, each on the output of the one before. The chain's state is the
 * union of their fields, so field names must differ between the transforms of one chain.
 * A field missing from the state (for example after an option turned a transform on) is
 * initialized before the transform that owns it runs.
 */
export function chain(...transforms: UpdateTransform[]): UpdateTransform {
  const keys = transforms.flatMap((t) => t.keys);
  const duplicate = keys.find((key, i) => keys.indexOf(key) !== i);
  if (duplicate !== undefined) {
    throw new InvalidArgumentError(`chain: two transforms own the state field "${duplicate}"; each field name must belong to one transform.`);
  }
  return {
    keys,
    init: (param) => Object.assign({}, ...transforms.map((t) => t.init(param))) as ParamState,
    update(update, state, param) {
      let current = update;
      const next: Record<string, StateValue> = {};
      for (const transform of transforms) {
        const own = transform.keys.every((key) => key in state) ? state : { ...transform.init(param), ...state };
        const result = transform.update(current, own, param);
        current = result.update;
        Object.assign(next, result.state);
      }
      return { update: current, state: next };
    },
  };
}

/** Multiplies the update by a constant `factor`. */
export function scale(factor: number): UpdateTransform {
  return factor === 1 ? identity : stateless((update) => mul(update, factor));
}

/** Scales by −lr, turning a descent direction into the change added to the parameter. */
export function scaleByLearningRate(lr: number): UpdateTransform {
  return scale(-lr);
}

/** Negates the update, so that the optimizer ascends the objective (`maximize`). */
export function flipSign(enabled = true): UpdateTransform {
  return enabled ? stateless((update) => neg(update)) : identity;
}

/**
 * Adds `weightDecay · param` to the update: L2 regularization when it comes before adaptive
 * scaling (Adam, SGD), decoupled weight decay when it comes after (AdamW).
 */
export function addDecayedWeights(weightDecay: number): UpdateTransform {
  return weightDecay === 0 ? identity : stateless((update, param) => add(update, mul(param, weightDecay)));
}
