import { add, clone, mul } from "../ops/index.js";
import { buffer } from "./state.js";
import { type UpdateTransform, identity } from "./transform.js";

export interface TraceMomentumOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

/**
 * Heavy-ball momentum as PyTorch's SGD defines it, for update d:
 *
 *   b ← d on the first step, then b ← μ·b + (1 − dampening)·d
 *   out = d + μ·b with Nesterov, otherwise b
 *
 * The buffer is the state field `momentumBuffer`, null until the first step.
 * A momentum of 0 returns the update unchanged and keeps no buffer.
 */
export function traceMomentum({ momentum, dampening, nesterov }: TraceMomentumOptions): UpdateTransform {
  if (momentum === 0) return identity;
  return {
    keys: ["momentumBuffer"],
    init: () => ({ momentumBuffer: null }),
    update(update, state) {
      const momentumBuffer =
        state.momentumBuffer === null ? clone(update) : add(mul(buffer(state, "momentumBuffer"), momentum), mul(update, 1 - dampening));
      const out = nesterov ? add(update, mul(momentumBuffer, momentum)) : momentumBuffer;
      return { update: out, state: { momentumBuffer } };
    },
  };
}
