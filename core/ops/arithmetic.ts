import { record } from "../autograd/node.js";
import { binaryLoop, unaryLoop } from "../backend/elementwise.js";
import { type DType, isFloating, promoteTypes, promoteWithScalar } from "../tensor/dtype.js";
import { InvalidArgumentError } from "../tensor/errors.js";
import { broadcastShapes, broadcastStrides } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sumToShape } from "./shape.js";
import { type TensorLike, describe, empty, operand, scalarTensor, toTensor } from "./util.js";

/**
 * Broadcasting arithmetic (add, sub, mul, div, pow, maximum, minimum), negation and dtype casts,
 * each with its gradient rule written in these same differentiable ops.
 */

/** Coerces two operands to tensors, treating a JavaScript number as a weak scalar. */
export function coercePair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor) return [a, coerceScalar(op, b, a.dtype)];
  if (b instanceof Tensor) return [coerceScalar(op, a, b.dtype), b];
  return [toTensor(op, a), toTensor(op, b)];
}

function coerceScalar(op: string, value: TensorLike, tensorDtype: DType): Tensor {
  if (typeof value === "number" || typeof value === "boolean") return scalarTensor(value, promoteWithScalar(tensorDtype, value));
  if (value === null || value === undefined) {
    throw new InvalidArgumentError(`${op}: the other operand is ${describe(value)}; expected a tensor or a number.`);
  }
  return toTensor(op, value);
}

/** Computes `expression(x, y)` over the broadcast of `a` and `b` into a new tensor of `dtype`. */
export function broadcastBinary(op: string, a: Tensor, b: Tensor, expression: string, dtype: DType): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = empty(shape, dtype);
  const left = { ...operand(a), strides: broadcastStrides(a.shape, a.strides, shape) };
  const right = { ...operand(b), strides: broadcastStrides(b.shape, b.strides, shape) };
  binaryLoop(expression)(out.storage.data, left, right, shape);
  return out;
}

/** The shape and dtype of an op input, which is all that many gradient rules keep of it. */
export interface InputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export function metaOf(input: Tensor): InputMeta {
  return { shape: input.shape, dtype: input.dtype };
}

/** Reduces a broadcast gradient to the shape and dtype of the input it belongs to. */
export function gradFor(grad: Tensor, input: InputMeta): Tensor {
  const reduced = sumToShape(grad, input.shape);
  return reduced.dtype === input.dtype ? reduced : cast(reduced, input.dtype);
}

function arithmeticDtype(a: Tensor, b: Tensor): DType {
  const dtype = promoteTypes(a.dtype, b.dtype);
  return dtype === "bool" ? "int32" : dtype;
}

/** `a + b` with broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair("add", a, b);
  const out = broadcastBinary("add", x, y, "x + y", arithmeticDtype(x, y));
  const [xMeta, yMeta] = [metaOf(x), metaOf(y)];
  return record(out, "add", [x, y], (g, _saved, needs) => [needs[0] ? gradFor(g, xMeta) : null, needs[1] ? gradFor(g, yMeta) : null]);
}

/** `a - b` with broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair("sub", a, b);
  const out = broadcastBinary("sub", x, y, "x - y", arithmeticDtype(x, y));
  const [xMeta, yMeta] = [metaOf(x), metaOf(y)];
  return record(out, "sub", [x, y], (g, _saved, needs) => [needs[0] ? gradFor(g, xMeta) : null, needs[1] ? gradFor(neg(g), yMeta) : null]);
}

/** `a * b` with broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair("mul", a, b);
  const out = broadcastBinary("mul", x, y, "x * y", arithmeticDtype(x, y));
  return record(
    out,
    "mul",
    [x, y],
    (g, [xs, ys], needs) => [needs[0] ? gradFor(mul(g, ys), xs) : null, needs[1] ? gradFor(mul(g, xs), ys) : null],
    [x, y],
  );
}

/** `a / b` with broadcasting; integer operands divide as floats (true division). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair("div", a, b);
  let dtype = promoteTypes(x.dtype, y.dtype);
  if (!isFloating(dtype)) dtype = "float32";
  const out = broadcastBinary("div", x, y, "x / y", dtype);
  return record(
    out,
    "div",
    [x, y],
    (g, [xs, ys], needs) => [
      needs[0] ? gradFor(div(g, ys), xs) : null,
      needs[1] ? gradFor(neg(div(mul(g, xs), mul(ys, ys))), ys) : null,
    ],
    [x, y],
  );
}

/** `-a`. */
export function neg(a: TensorLike): Tensor {
  const x = toTensor("neg", a);
  const out = empty(x.shape, x.dtype === "bool" ? "int32" : x.dtype);
  unaryLoop("-x")(out.storage.data, operand(x), x.shape);
  return record(out, "neg", [x], (g) => [neg(g)]);
}

/**
 * `a ** b` elementwise. The gradient with respect to the base is b·a^(b−1); with respect to the
 * exponent it is a^b·log(a), which is NaN for negative bases, as in PyTorch.
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair("pow", a, b);
  const out = broadcastBinary("pow", x, y, "Math.pow(x, y)", arithmeticDtype(x, y));
  return record(
    out,
    "pow",
    [x, y],
    (g, [xs, ys], needs) => [
      needs[0] ? gradFor(mul(g, mul(ys, pow(xs, sub(ys, 1)))), xs) : null,
      needs[1] ? gradFor(mul(g, mul(pow(xs, ys), xs.log())), ys) : null,
    ],
    [x, y],
  );
}

/**
 * The elementwise maximum. Where both are equal the gradient is split evenly between them, so
 * the rule stays symmetric, as PyTorch does.
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return extremum("maximum", a, b, "x > y ? x : y", "x > y ? 1 : x === y ? 0.5 : 0");
}

/** The elementwise minimum, with the gradient split evenly at ties. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return extremum("minimum", a, b, "x < y ? x : y", "x < y ? 1 : x === y ? 0.5 : 0");
}

function extremum(op: string, a: TensorLike, b: TensorLike, pick: string, weight: string): Tensor {
  const [x, y] = coercePair(op, a, b);
  const dtype = arithmeticDtype(x, y);
  const out = broadcastBinary(op, x, y, pick, dtype);
  return record(
    out,
    op,
    [x, y],
    (g, [xs, ys], needs) => {
      const floatType = isFloating(g.dtype) ? g.dtype : "float32";
      const towardX = broadcastBinary(op, xs, ys, weight, floatType);
      return [
        needs[0] ? gradFor(mul(g, towardX), xs) : null,
        needs[1] ? gradFor(mul(g, sub(1, towardX)), ys) : null,
      ];
    },
    [x, y],
  );
}

/** Converts to `dtype`; the gradient converts back. Floats convert to int32 by truncation. */
export function cast(input: Tensor, dtype: DType): Tensor {
  if (input.dtype === dtype) return input;
  const out = empty(input.shape, dtype);
  let expression = "x";
  if (dtype === "bool") expression = "x !== 0 ? 1 : 0";
  else if (dtype === "int32") expression = "Math.trunc(x)";
  unaryLoop(expression)(out.storage.data, operand(input), input.shape);
  if (!isFloating(dtype) || !isFloating(input.dtype)) return out;
  const from = input.dtype;
  return record(out, "cast", [input], (g) => [cast(g, from)]);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    neg(): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    /** Converts to `dtype`, returning this tensor when it already has it. */
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
  }
}

Tensor.prototype.add = function (other) {
  return add(this, other);
};
Tensor.prototype.sub = function (other) {
  return sub(this, other);
};
Tensor.prototype.mul = function (other) {
  return mul(this, other);
};
Tensor.prototype.div = function (other) {
  return div(this, other);
};
Tensor.prototype.pow = function (exponent) {
  return pow(this, exponent);
};
Tensor.prototype.neg = function () {
  return neg(this);
};
Tensor.prototype.maximum = function (other) {
  return maximum(this, other);
};
Tensor.prototype.minimum = function (other) {
  return minimum(this, other);
};
Tensor.prototype.to = function (dtype) {
  return cast(this, dtype);
};
Tensor.prototype.float = function () {
  return cast(this, "float32");
};
Tensor.prototype.double = function () {
  return cast(this, "float64");
};
Tensor.prototype.int = function () {
  return cast(this, "int32");
};
