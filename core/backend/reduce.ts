import type { TypedArray } from "../tensor/dtype.js";
import type { StridedOperand } from "./elementwise.js";

/**
 * Reductions that fold input elements into an output of the same rank, where reduced dimensions
 * have size 1 (keepdim form). Each input element at index i combines into the output element at
 * the same index with the reduced coordinates set to 0.
 */
export type ReduceLoop = (out: TypedArray, x: StridedOperand, shape: readonly number[], reduced: readonly boolean[]) => void;

const cache = new Map<string, ReduceLoop>();

/**
 * Builds a reduction. `init` fills the output first (an expression such as "0" or "-Infinity"),
 * and `combine` gives the new accumulator from `acc` and the element `x`, for example "acc + x".
 */
export function reduceLoop(init: string, combine: string): ReduceLoop {
  const key = `${init}|${combine}`;
  const found = cache.get(key);
  if (found) return found;
  const body = `
    const rank = shape.length;
    const outStrides = new Array(rank);
    let outSize = 1;
    for (let d = rank - 1; d >= 0; d--) { outStrides[d] = reduced[d] ? 0 : outSize; outSize *= reduced[d] ? 1 : shape[d]; }
    for (let i = 0; i < outSize; i++) out[i] = ${init};
    let size = 1; for (let d = 0; d < rank; d++) size *= shape[d];
    if (size === 0) return;
    const xd = x.data, xs = x.strides;
    if (rank === 0) { const acc = out[0], v = xd[x.offset]; out[0] = ((acc, x) => ${combine})(acc, v); return; }
    const inner = shape[rank - 1], xInner = xs[rank - 1], oInner = outStrides[rank - 1];
    const index = new Int32Array(rank);
    let xp = x.offset, op = 0;
    for (let start = 0; start < size; start += inner) {
      let xq = xp, oq = op;
      if (oInner === 0) {
        let acc = out[oq];
        for (let i = 0; i < inner; i++) { const x = xd[xq]; acc = ${combine}; xq += xInner; }
        out[oq] = acc;
      } else {
        for (let i = 0; i < inner; i++) { const x = xd[xq]; const acc = out[oq]; out[oq] = ${combine}; xq += xInner; oq += oInner; }
      }
      for (let d = rank - 2; d >= 0; d--) {
        index[d]++; xp += xs[d]; op += outStrides[d];
        if (index[d] < shape[d]) break;
        xp -= xs[d] * shape[d]; op -= outStrides[d] * shape[d]; index[d] = 0;
      }
    }`;
  const loop = new Function("out", "x", "shape", "reduced", body) as ReduceLoop;
  cache.set(key, loop);
  return loop;
}
