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

  /**
   * Replaces the values, shape and dtype with those of `data` while keeping this object, so
   * optimizers and other holders of the parameter see the change (PyTorch's `param.data = ...`).
   * The gradient is cleared because it no longer matches.
   */
  setData(data: Tensor): this {
    const target = this as unknown as { storage: Tensor["storage"]; shape: readonly number[]; strides: readonly number[]; offset: number };
    target.storage = data.storage;
    target.shape = Object.freeze([...data.shape]);
    target.strides = Object.freeze([...data.strides]);
    target.offset = data.offset;
    this.grad = null;
    return this;
  }
}
