import { isGradEnabled } from "../autograd/grad_mode.js";
import { binaryLoop, ternaryLoop, unaryLoop } from "../backend/elementwise.js";
import { type DType, isFloating, promoteTypes } from "../tensor/dtype.js";
import { AutogradError, DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { broadcastShapes, broadcastStrides, shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { coercePair } from "./arithmetic.js";
import type { ClampOptions } from "./comparison.js";
import { writeStrided } from "./shape.js";
import { type TensorLike, empty, operand, scalarTensor, toTensor } from "./util.js";

/**
 * In-place ops, named with a trailing underscore as in PyTorch. Each writes its result into the
 * target's storage through the target's strides, so a write to a view changes the tensor it views,
 * and bumps the storage version, so a tensor saved for backward and changed afterwards is detected.
 * They are not differentiable: with grad mode on they raise when the target or an operand requires
 * grad. Optimizers and initializers call them inside noGrad.
 */

/** The out-of-place op named in errors, where it is not the in-place name without its underscore. */
const OUT_OF_PLACE: Record<string, string> = { fill_: "fullLike", zero_: "zerosLike", copy_: "clone" };

function checkTarget(op: string, target: Tensor, operands: readonly Tensor[]): void {
  if (!(target instanceof Tensor)) {
    throw new InvalidArgumentError(`${op}: the target must be a tensor, got ${typeof target}.`);
  }
  if (isGradEnabled() && (target.requiresGrad || operands.some((t) => t.requiresGrad))) {
    const offender = target.requiresGrad ? "the target" : "an operand";
    throw new AutogradError(
      `${op}: ${offender} requires grad, and in-place ops are not recorded by autograd. ` +
        `Use the out-of-place op (${OUT_OF_PLACE[op] ?? op.slice(0, -1)}) to keep gradients, or run the update inside noGrad(() => ...).`,
    );
  }
  target.shape.forEach((size, d) => {
    if (size > 1 && target.strides[d] === 0) {
      throw new InvalidArgumentError(
        `${op}: the target of shape ${formatShape(target.shape)} is an expanded view (stride 0 in dimension ${d}), so several elements share one memory location. ` +
          `Write into a contiguous copy instead (.contiguous() or clone()).`,
      );
    }
  });
}

/** Raises unless `other` broadcasts to the target's shape without growing it. */
function checkBroadcast(op: string, target: Tensor, other: Tensor): void {
  const shape = broadcastShapes(op, target.shape, other.shape);
  if (!shapesEqual(shape, target.shape)) {
    throw new ShapeError(
      `${op}: the operand of shape ${formatShape(other.shape)} broadcasts the target of shape ${formatShape(target.shape)} to ${formatShape(shape)}, ` +
        `but an in-place result must keep the target's shape. Use the out-of-place op.`,
    );
  }
}

/** Raises unless a result of `resultType` can be stored in the target's dtype without losing its kind. */
function checkResultType(op: string, target: Tensor, resultType: DType): void {
  if (resultType === target.dtype) return;
  if (isFloating(target.dtype) && (isFloating(resultType) || resultType === "int32" || resultType === "bool")) return;
  if (target.dtype === "int32" && resultType === "bool") return;
  throw new DTypeError(
    `${op}: the result has dtype ${resultType}, which cannot be stored in the ${target.dtype} target in place. ` +
      `Convert the target first (for example x = x.to("${resultType}")) or use the out-of-place op.`,
  );
}

/** Writes `values` (of the target's shape) into the target's storage and bumps its version. */
function commit(target: Tensor, values: Tensor): Tensor {
  writeStrided(target, values);
  target.storage.bumpVersion();
  return target;
}

/** Stores a computed value in the target's dtype: truncation for int32, nonzero test for bool. */
function storeExpression(dtype: DType, expression: string): string {
  if (dtype === "int32") return `Math.trunc(${expression})`;
  if (dtype === "bool") return `((${expression}) !== 0 ? 1 : 0)`;
  return expression;
}

function binaryInPlace(op: string, target: Tensor, value: TensorLike, expression: string, trueDivision = false): Tensor {
  const [self, other] = coercePair(op, target, value);
  checkTarget(op, target, [other]);
  checkBroadcast(op, target, other);
  let resultType = promoteTypes(self.dtype, other.dtype);
  if (trueDivision && !isFloating(resultType)) resultType = "float32";
  if (resultType === "bool" && op !== "mul_") resultType = "int32";
  checkResultType(op, target, resultType);

  const out = empty(target.shape, target.dtype);
  const right = { ...operand(other), strides: broadcastStrides(other.shape, other.strides, target.shape) };
  binaryLoop(storeExpression(target.dtype, expression))(out.storage.data, operand(target), right, target.shape);

  return commit(target, out);
}

/** Adds `other` (broadcast to this tensor's shape) to `target` in place: target += other. */
export function add_(target: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("add_", target, other, "x + y");
}

/** Subtracts `other` from `target` in place: target −= other. */
export function sub_(target: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("sub_", target, other, "x - y");
}

/** Multiplies `target` by `other` in place: target ·= other. */
export function mul_(target: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("mul_", target, other, "x * y");
}

/** Divides `target` by `other` in place (true division, so the target must be floating). */
export function div_(target: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("div_", target, other, "x / y", true);
}

/** Sets every element of `target` to `value`, converted to the target's dtype. */
export function fill_(target: Tensor, value: number | boolean | Tensor): Tensor {
  return fillInPlace("fill_", target, value);
}

/** Sets every element of `target` to zero. */
export function zero_(target: Tensor): Tensor {
  return fillInPlace("zero_", target, 0);
}

function fillInPlace(op: string, target: Tensor, value: number | boolean | Tensor): Tensor {
  let source: Tensor;
  if (value instanceof Tensor) {
    if (value.ndim > 0) {
      throw new InvalidArgumentError(`${op}: the value must be a number or a 0-d tensor, got a tensor of shape ${formatShape(value.shape)}. Use copy_ to copy a tensor.`);
    }
    source = value;
  } else if (typeof value === "number" || typeof value === "boolean") {
    source = scalarTensor(Number(value), "float64");
  } else {
    throw new InvalidArgumentError(`${op}: the value must be a number, a boolean or a 0-d tensor, got ${typeof value}.`);
  }
  checkTarget(op, target, [source]);

  const out = empty(target.shape, target.dtype);
  const broadcast = { ...operand(source), strides: target.shape.map(() => 0) };
  unaryLoop(storeExpression(target.dtype, "x"))(out.storage.data, broadcast, target.shape);

  return commit(target, out);
}

/** Copies `source` (broadcast to the target's shape, converted to its dtype) into `target`. */
export function copy_(target: Tensor, source: TensorLike): Tensor {
  const op = "copy_";
  const other = toTensor(op, source, source instanceof Tensor ? undefined : target.dtype);
  checkTarget(op, target, [other]);
  checkBroadcast(op, target, other);

  const out = empty(target.shape, target.dtype);
  const broadcast = { ...operand(other), strides: broadcastStrides(other.shape, other.strides, target.shape) };
  unaryLoop(storeExpression(target.dtype, "x"))(out.storage.data, broadcast, target.shape);

  return commit(target, out);
}

/**
 * Clamps `target` in place to [min, max], with the options of clamp: either bound may be omitted,
 * but not both. Where min > max every element becomes max, and NaN stays NaN, as in PyTorch.
 * Example: `noGrad(() => w.clamp_({ min: -1, max: 1 }))`.
 */
export function clamp_(target: Tensor, options: ClampOptions = {}): Tensor {
  const op = "clamp_";
  const { min, max } = options;
  if (min === undefined && max === undefined) {
    throw new InvalidArgumentError(`${op}: neither min nor max is given; pass { min }, { max } or both.`);
  }
  const low = min === undefined ? null : coercePair(op, target, min)[1];
  const high = max === undefined ? null : coercePair(op, target, max)[1];
  const bounds = [low, high].filter((b): b is Tensor => b !== null);
  checkTarget(op, target, bounds);
  for (const bound of bounds) {
    checkBroadcast(op, target, bound);
    checkResultType(op, target, promoteTypes(target.dtype, bound.dtype));
  }

  const out = empty(target.shape, target.dtype);
  const spread = (t: Tensor) => ({ ...operand(t), strides: broadcastStrides(t.shape, t.strides, target.shape) });
  if (low && high) {
    ternaryLoop("Math.min(Math.max(x, y), z)")(out.storage.data, operand(target), spread(low), spread(high), target.shape);
  } else {
    binaryLoop(low ? "Math.max(x, y)" : "Math.min(x, y)")(out.storage.data, operand(target), spread((low ?? high)!), target.shape);
  }

  return commit(target, out);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    add_(other: TensorLike): this;
    sub_(other: TensorLike): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike): this;
    fill_(value: number | boolean | Tensor): this;
    zero_(): this;
    copy_(source: TensorLike): this;
    clamp_(options: ClampOptions): this;
  }
}

Tensor.prototype.add_ = function (other) {
  return add_(this, other) as typeof this;
};
Tensor.prototype.sub_ = function (other) {
  return sub_(this, other) as typeof this;
};
Tensor.prototype.mul_ = function (other) {
  return mul_(this, other) as typeof this;
};
Tensor.prototype.div_ = function (other) {
  return div_(this, other) as typeof this;
};
Tensor.prototype.fill_ = function (value) {
  return fill_(this, value) as typeof this;
};
Tensor.prototype.zero_ = function () {
  return zero_(this) as typeof this;
};
Tensor.prototype.copy_ = function (source) {
  return copy_(this, source) as typeof this;
};
Tensor.prototype.clamp_ = function (options) {
  return clamp_(this, options) as typeof this;
};
