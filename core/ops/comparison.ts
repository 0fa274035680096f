import { record } from "../autograd/node.js";
import { ternaryLoop } from "../backend/elementwise.js";
import { type DType, promoteTypes, promoteWithScalar } from "../tensor/dtype.js";
import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { broadcastShapes, broadcastStrides, normalizeDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { broadcastBinary, coercePair, gradFor, metaOf } from "./arithmetic.js";
import { type ReduceOptions, reduceKept, reducedShapes } from "./reduce.js";
import { mapUnary } from "./unary.js";
import { type TensorLike, empty, operand, scalarTensor, toTensor } from "./util.js";

/**
 * Comparisons and logical ops returning bool tensors, `where`, `clamp`, the NaN and infinity
 * tests, and the any/all reductions. All broadcast as NumPy does and treat numbers as weak scalars.
 * Only where and clamp are differentiable.
 */

function compare(op: string, a: TensorLike, b: TensorLike, expression: string): Tensor {
  const [x, y] = coercePair(op, a, b);
  return broadcastBinary(op, x, y, `${expression} ? 1 : 0`, "bool");
}

/** Compares `a == b` elementwise into a bool tensor. NaN equals nothing, itself included. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare("eq", a, b, "x === y");
}

/** Compares `a != b` elementwise into a bool tensor. */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare("ne", a, b, "x !== y");
}

/** Compares `a < b` elementwise into a bool tensor. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare("lt", a, b, "x < y");
}

/** Compares `a <= b` elementwise into a bool tensor. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare("le", a, b, "x <= y");
}

/** Compares `a > b` elementwise into a bool tensor. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare("gt", a, b, "x > y");
}

/** Compares `a >= b` elementwise into a bool tensor. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare("ge", a, b, "x >= y");
}

/** Computes the elementwise AND of the truth values (nonzero is true, NaN included) into a bool tensor. */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return compare("logicalAnd", a, b, "x !== 0 && y !== 0");
}

/** Computes the elementwise OR of the truth values into a bool tensor. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return compare("logicalOr", a, b, "x !== 0 || y !== 0");
}

/** Computes the elementwise exclusive OR of the truth values into a bool tensor. */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return compare("logicalXor", a, b, "(x !== 0) !== (y !== 0)");
}

/** Computes the elementwise NOT, which is true where the input is zero. */
export function logicalNot(a: TensorLike): Tensor {
  return mapUnary(toTensor("logicalNot", a), "x === 0 ? 1 : 0", "bool");
}

/** Tests each element for NaN. */
export function isnan(a: TensorLike): Tensor {
  return mapUnary(toTensor("isnan", a), "x !== x ? 1 : 0", "bool");
}

/** Tests each element for +Infinity or −Infinity. */
export function isinf(a: TensorLike): Tensor {
  return mapUnary(toTensor("isinf", a), "x === Infinity || x === -Infinity ? 1 : 0", "bool");
}

/** Tests that each element is neither NaN nor infinite. */
export function isfinite(a: TensorLike): Tensor {
  return mapUnary(toTensor("isfinite", a), "Number.isFinite(x) ? 1 : 0", "bool");
}

/**
 * Computes `expression(x, y, z)` over the broadcast of three operands into a new tensor of `dtype`.
 * `names` label the operands in the shape error.
 */
function broadcastTernary(op: string, operands: readonly [Tensor, Tensor, Tensor], names: readonly string[], expression: string, dtype: DType): Tensor {
  let shape: number[];
  try {
    shape = broadcastShapes(op, broadcastShapes(op, operands[0].shape, operands[1].shape), operands[2].shape);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    const described = operands.map((t, i) => `${names[i]} ${formatShape(t.shape)}`).join(", ");
    throw new ShapeError(
      `${op}: the shapes of ${described} cannot be broadcast together. ` +
        `Reshape or unsqueeze the operands so that each dimension matches or is 1.`,
    );
  }
  const out = empty(shape, dtype);
  const [a, b, c] = operands.map((t) => ({ ...operand(t), strides: broadcastStrides(t.shape, t.strides, shape) }));
  ternaryLoop(expression)(out.storage.data, a, b, c, shape);
  return out;
}

/**
 * Picks `input` where `condition` is true and `other` where it is false, broadcasting all three.
 * The condition must be bool (a comparison result). The gradient goes to `input` where the
 * condition is true and to `other` elsewhere.
 * Example: `where(x.gt(0), x, 0)` is relu.
 */
export function where(condition: TensorLike, input: TensorLike, other: TensorLike): Tensor {
  const mask = toTensor("where", condition);
  if (mask.dtype !== "bool") {
    throw new DTypeError(
      `where: condition has dtype ${mask.dtype}, but a bool tensor is required. Compare to get one, for example x.gt(0) or x.ne(0).`,
    );
  }
  const [x, y] = coercePair("where", input, other);

  const out = broadcastTernary("where", [mask, x, y], ["condition", "input", "other"], "x !== 0 ? y : z", promoteTypes(x.dtype, y.dtype));

  const [xMeta, yMeta] = [metaOf(x), metaOf(y)];
  return record(
    out,
    "where",
    [x, y],
    (g, [m], needs) => [needs[0] ? gradFor(where(m, g, 0), xMeta) : null, needs[1] ? gradFor(where(m, 0, g), yMeta) : null],
    [mask],
  );
}

/** Bounds of clamp. Each is a number or a tensor that broadcasts against the input. */
export interface ClampOptions {
  min?: TensorLike;
  max?: TensorLike;
}

function coerceBound(name: string, value: TensorLike, input: Tensor): Tensor {
  if (typeof value === "number") return scalarTensor(value, promoteWithScalar(input.dtype, value));
  const bound = toTensor("clamp", value);
  if (bound.dtype === "bool") {
    throw new DTypeError(`clamp: ${name} is a bool tensor; expected a number or a numeric tensor.`);
  }
  return bound;
}

/**
 * Limits each element to [min, max] as min(max(x, min), max), so where min > max every element
 * becomes max, as in PyTorch. NaN stays NaN. The gradient is 1 for x inside the range (bounds
 * included) and 0 outside. Tensor bounds receive it where they are the result.
 * Example: `clamp(x, { min: 0 })`, or `clamp(x, { min: lower, max: upper })` with tensors.
 */
export function clamp(input: TensorLike, options: ClampOptions = {}): Tensor {
  const x = toTensor("clamp", input);
  if (x.dtype === "bool") throw new DTypeError(`clamp: input has dtype bool; convert it first with .to("int32") or .to("float32").`);
  if (options.min === undefined && options.max === undefined) {
    throw new InvalidArgumentError("clamp: neither min nor max is given; pass { min }, { max } or both.");
  }
  const low = options.min === undefined ? null : coerceBound("min", options.min, x);
  const high = options.max === undefined ? null : coerceBound("max", options.max, x);

  // A missing bound becomes an infinite float64 constant, which the loops read like any operand.
  const lowOperand = low ?? scalarTensor(-Infinity, "float64");
  const highOperand = high ?? scalarTensor(Infinity, "float64");
  const dtype = [low, high].reduce((d: DType, t) => (t ? promoteTypes(d, t.dtype) : d), x.dtype);
  const names = ["input", "min", "max"];
  const out = broadcastTernary("clamp", [x, lowOperand, highOperand], names, "Math.min(Math.max(x, y), z)", dtype);

  const inputs = [x, ...(low ? [low] : []), ...(high ? [high] : [])];
  const metas = inputs.map(metaOf);
  return record(
    out,
    "clamp",
    inputs,
    (g, [xs, ls, hs], needs) => {
      const operands = [xs, ls, hs] as const;
      const routed = (expression: string, meta: (typeof metas)[number]): Tensor =>
        gradFor(where(broadcastTernary("clamp", operands, names, `${expression} ? 1 : 0`, "bool"), g, 0), meta);
      const grads: (Tensor | null)[] = [needs[0] ? routed("x >= y && x <= z", metas[0]) : null];
      if (low) grads.push(needs[1] ? routed("x < y && y < z", metas[1]) : null);
      if (high) grads.push(needs[grads.length] ? routed("x > z || z < y", metas[grads.length]) : null);
      return grads;
    },
    [x, lowOperand, highOperand],
  );
}

function truthReduce(op: string, input: TensorLike, dim: number | readonly number[] | undefined, options: ReduceOptions, init: string, combine: string): Tensor {
  const x = toTensor(op, input);
  const dims = normalizeDims(op, dim, x.ndim);
  const kept = reduceKept(x, dims, "bool", init, combine);
  return new Tensor(kept.storage, reducedShapes(x, dims, options.keepdim ?? false).out);
}

/** Tests whether any element over `dim` (all dimensions when omitted) is nonzero. An empty slice gives false. */
export function any(input: TensorLike, dim?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return truthReduce("any", input, dim, options, "0", "acc !== 0 || x !== 0 ? 1 : 0");
}

/** Tests whether every element over `dim` (all dimensions when omitted) is nonzero. An empty slice gives true. */
export function all(input: TensorLike, dim?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return truthReduce("all", input, dim, options, "1", "acc !== 0 && x !== 0 ? 1 : 0");
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalXor(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    /** Picks this tensor where `condition` is true and `other` elsewhere, as `where(condition, this, other)`. */
    where(condition: TensorLike, other: TensorLike): Tensor;
    clamp(options: ClampOptions): Tensor;
    any(dim?: number | readonly number[], options?: ReduceOptions): Tensor;
    all(dim?: number | readonly number[], options?: ReduceOptions): Tensor;
  }
}

const binaryMethods = { eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor };
for (const [name, fn] of Object.entries(binaryMethods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, other: TensorLike) {
      return fn(this, other);
    },
    writable: true,
    configurable: true,
  });
}
const unaryMethods = { logicalNot, isnan, isinf, isfinite };
for (const [name, fn] of Object.entries(unaryMethods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor) {
      return fn(this);
    },
    writable: true,
    configurable: true,
  });
}
Tensor.prototype.where = function (condition, other) {
  return where(condition, this, other);
};
Tensor.prototype.clamp = function (options) {
  return clamp(this, options);
};
Tensor.prototype.any = function (dim, options) {
  return any(this, dim, options);
};
Tensor.prototype.all = function (dim, options) {
  return all(this, dim, options);
};
