import { normalizeDim } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { permute } from "../ops/shape.js";

/** Moves dimension `source` to position `destination`, keeping the order of the others. */
export function movedim(input: Tensor, source: number, destination: number): Tensor {
  const from = normalizeDim("movedim", source, input.ndim, "source");
  const to = normalizeDim("movedim", destination, input.ndim, "destination");
  const order = input.shape.map((_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  return permute(input, order);
}
