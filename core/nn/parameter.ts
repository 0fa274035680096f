import { isFloating } from "../tensor/dtype.js";
import { DTypeError } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * A tensor that a Module registers as a trainable parameter. It shares storage with the tensor
 * it wraps and requires grad unless told otherwise.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    if (requiresGrad && !isFloating(data.dtype)) {
      throw new DTypeError(`Parameter: only floating tensors can require gradients, got dtype ${data.dtype}. Convert it with .float().`);
    }
    this.requiresGrad = requiresGrad;
  }
}
