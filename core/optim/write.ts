import { add, mul, writeStrided } from "../ops/index.js";
import type { Tensor } from "../tensor/index.js";

/**
 * In-place writes that optimizers make to parameters and gradients. Each writes through the
 * tensor's strides into its storage and bumps the storage version, as in-place ops do, so a
 * backward pass that saved the old values raises instead of using the new ones.
 * Callers run them inside noGrad.
 */

/** Sets `target` to the values of `source` (same shape and dtype). */
export function assign(target: Tensor, source: Tensor): void {
  writeStrided(target, source);
  target.storage.bumpVersion();
}

/** Adds `update` to `param` in place. */
export function addInPlace(param: Tensor, update: Tensor): void {
  assign(param, add(param, update));
}

/** Multiplies `tensor` by `factor` in place. */
export function scaleInPlace(tensor: Tensor, factor: number): void {
  assign(tensor, mul(tensor, factor));
}
