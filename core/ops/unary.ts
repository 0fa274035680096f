import { record } from "../autograd/node.js";
import { unaryLoop } from "../backend/elementwise.js";
import { erf as erfScalar } from "../backend/special.js";
import { type DType, isFloating } from "../tensor/dtype.js";
import { InvalidArgumentError } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { cast, mul, neg, add, sub, div } from "./arithmetic.js";
import { empty, operand, toTensor, type TensorLike } from "./util.js";

/**
 * Unary math and activations. Each has a forward expression run by the elementwise backend and
 * a gradient rule in differentiable ops. Integer inputs are computed in float32, as PyTorch does.
 */

function floatInput(op: string, value: TensorLike): Tensor {
  const x = toTensor(op, value);
  return isFloating(x.dtype) ? x : cast(x, "float32");
}

/** Runs `expression` elementwise into a new tensor of `dtype` (the input's by default). */
export function mapUnary(x: Tensor, expression: string, dtype: DType = x.dtype): Tensor {
  const out = empty(x.shape, dtype);
  unaryLoop(expression)(out.storage.data, operand(x), x.shape);
  return out;
}

/** A float mask (1 where `expression` holds, else 0) that carries no gradient. */
export function maskWhere(x: Tensor, expression: string): Tensor {
  return mapUnary(x, `(${expression}) ? 1 : 0`, isFloating(x.dtype) ? x.dtype : "float32");
}

export function exp(input: TensorLike): Tensor {
  const x = floatInput("exp", input);
  const out = mapUnary(x, "Math.exp(x)");
  return record(out, "exp", [x], (g, [y]) => [mul(g, y)], [out]);
}

export function log(input: TensorLike): Tensor {
  const x = floatInput("log", input);
  return record(mapUnary(x, "Math.log(x)"), "log", [x], (g, [xs]) => [div(g, xs)], [x]);
}

export function log1p(input: TensorLike): Tensor {
  const x = floatInput("log1p", input);
  return record(mapUnary(x, "Math.log1p(x)"), "log1p", [x], (g, [xs]) => [div(g, add(xs, 1))], [x]);
}

export function sqrt(input: TensorLike): Tensor {
  const x = floatInput("sqrt", input);
  const out = mapUnary(x, "Math.sqrt(x)");
  return record(out, "sqrt", [x], (g, [y]) => [div(g, mul(y, 2))], [out]);
}

export function rsqrt(input: TensorLike): Tensor {
  const x = floatInput("rsqrt", input);
  const out = mapUnary(x, "1 / Math.sqrt(x)");
  return record(out, "rsqrt", [x], (g, [y]) => [mul(g, mul(pow3(y), -0.5))], [out]);
}

function pow3(y: Tensor): Tensor {
  return mul(mul(y, y), y);
}

export function abs(input: TensorLike): Tensor {
  const x = toTensor("abs", input);
  return record(mapUnary(x, "Math.abs(x)"), "abs", [x], (g, [xs]) => [mul(g, sign(xs))], [x]);
}

/** −1, 0 or 1 by the sign of each element; its gradient is zero. */
export function sign(input: TensorLike): Tensor {
  const x = toTensor("sign", input);
  const out = mapUnary(x, "x > 0 ? 1 : x < 0 ? -1 : 0");
  return record(out, "sign", [x], (g) => [mul(g, 0)]);
}

export function sin(input: TensorLike): Tensor {
  const x = floatInput("sin", input);
  return record(mapUnary(x, "Math.sin(x)"), "sin", [x], (g, [xs]) => [mul(g, cos(xs))], [x]);
}

export function cos(input: TensorLike): Tensor {
  const x = floatInput("cos", input);
  return record(mapUnary(x, "Math.cos(x)"), "cos", [x], (g, [xs]) => [neg(mul(g, sin(xs)))], [x]);
}

export function tanh(input: TensorLike): Tensor {
  const x = floatInput("tanh", input);
  const out = mapUnary(x, "Math.tanh(x)");
  return record(out, "tanh", [x], (g, [y]) => [mul(g, sub(1, mul(y, y)))], [out]);
}

/** The logistic function 1 / (1 + e^(−x)), computed without overflow for large |x|. */
export function sigmoid(input: TensorLike): Tensor {
  const x = floatInput("sigmoid", input);
  const out = mapUnary(x, "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))");
  return record(out, "sigmoid", [x], (g, [y]) => [mul(g, mul(y, sub(1, y)))], [out]);
}

export function relu(input: TensorLike): Tensor {
  const x = toTensor("relu", input);
  // NaN stays NaN, as in PyTorch.
  return record(mapUnary(x, "x > 0 || x !== x ? x : 0"), "relu", [x], (g, [xs]) => [mul(g, maskWhere(xs, "x > 0"))], [x]);
}

/** max(0, x) + negativeSlope · min(0, x). */
export function leakyRelu(input: TensorLike, negativeSlope = 0.01): Tensor {
  checkFinite("leakyRelu", "negativeSlope", negativeSlope);
  const x = floatInput("leakyRelu", input);
  const out = mapUnary(x, `x > 0 ? x : x * ${negativeSlope}`);
  return record(out, "leakyRelu", [x], (g, [xs]) => [mul(g, mapUnary(xs, `x > 0 ? 1 : ${negativeSlope}`))], [x]);
}

/** x for x > 0, alpha · (e^x − 1) otherwise. */
export function elu(input: TensorLike, alpha = 1): Tensor {
  checkFinite("elu", "alpha", alpha);
  const x = floatInput("elu", input);
  const out = mapUnary(x, `x > 0 ? x : ${alpha} * Math.expm1(x)`);
  return record(
    out,
    "elu",
    [x],
    (g, [xs]) => {
      const positive = maskWhere(xs, "x > 0");
      const negativePart = mul(mul(exp(xs), alpha), sub(1, positive));
      return [mul(g, add(positive, negativePart))];
    },
    [x],
  );
}

/** The error function, elementwise. */
export function erf(input: TensorLike): Tensor {
  const x = floatInput("erf", input);
  const out = empty(x.shape, x.dtype);
  const source = x.dataSync();
  const target = out.storage.data;
  for (let i = 0; i < source.length; i++) target[i] = erfScalar(source[i]);
  return record(out, "erf", [x], (g, [xs]) => [mul(g, mul(exp(neg(mul(xs, xs))), 2 / Math.sqrt(Math.PI)))], [x]);
}

/**
 * GELU, x · Φ(x). The default is the exact form with erf; `approximate: "tanh"` uses
 * 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch's option of the same name.
 */
export function gelu(input: TensorLike, options: { approximate?: "none" | "tanh" } = {}): Tensor {
  const x = floatInput("gelu", input);
  const approximate = options.approximate ?? "none";
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(pow3(x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") {
    throw new InvalidArgumentError(`gelu: approximate="${approximate}" is invalid; expected "none" or "tanh".`);
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** SiLU (swish), x · sigmoid(x). */
export function silu(input: TensorLike): Tensor {
  const x = floatInput("silu", input);
  return mul(x, sigmoid(x));
}

/**
 * Softplus, (1/beta) · log(1 + e^(beta·x)), reverting to x where beta·x > threshold, as PyTorch.
 */
export function softplus(input: TensorLike, options: { beta?: number; threshold?: number } = {}): Tensor {
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  checkFinite("softplus", "beta", beta);
  const x = floatInput("softplus", input);
  const out = mapUnary(x, `x * ${beta} > ${threshold} ? x : (Math.max(x * ${beta}, 0) + Math.log1p(Math.exp(-Math.abs(x * ${beta})))) / ${beta}`);
  return record(
    out,
    "softplus",
    [x],
    (g, [xs]) => {
      const linear = maskWhere(xs, `x * ${beta} > ${threshold}`);
      const smooth = mul(sigmoid(mul(xs, beta)), sub(1, linear));
      return [mul(g, add(linear, smooth))];
    },
    [x],
  );
}

function checkFinite(op: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${op}: ${name}=${String(value)} is invalid; expected a finite number.`);
  }
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    elu(alpha?: number): Tensor;
    erf(): Tensor;
    gelu(options?: { approximate?: "none" | "tanh" }): Tensor;
    silu(): Tensor;
    softplus(options?: { beta?: number; threshold?: number }): Tensor;
  }
}

const methods = { exp, log, log1p, sqrt, rsqrt, abs, sign, sin, cos, tanh, sigmoid, relu, erf, silu };
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor) {
      return fn(this);
    },
    writable: true,
    configurable: true,
  });
}
Tensor.prototype.leakyRelu = function (negativeSlope) {
  return leakyRelu(this, negativeSlope);
};
Tensor.prototype.elu = function (alpha) {
  return elu(this, alpha);
};
Tensor.prototype.gelu = function (options) {
  return gelu(this, options);
};
Tensor.prototype.softplus = function (options) {
  return softplus(this, options);
};
