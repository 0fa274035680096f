import type { StridedOperand } from "../backend/elementwise.js";
import type { Tensor } from "../tensor/tensor.js";

export * from "../tensor/convert.js";

/** The strided description of `t` that backend loops read. */
export function operand(t: Tensor): StridedOperand {
  return { data: t.storage.data, offset: t.offset, strides: t.strides };
}
