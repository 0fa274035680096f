import { noGrad } from "../autograd/grad_mode.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { type Generator, defaultGenerator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkOptions } from "./options.js";

/**
 * Weight initialization (continuous parameterization): each function fills a tensor in place from
 * a distribution and returns it. Formulas and defaults follow torch.nn.init.
 */

export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";
export type FanMode = "fanIn" | "fanOut";

interface InitOptions {
  generator?: Generator;
}

/** Formats an argument for an error message: strings quoted, objects as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * Raises unless `value` is a finite number of at least `min` (when given). `op` and `name`
 * name the function and the argument in the message.
 */
function checkNumber(op: string, name: string, value: unknown, min?: number): number {
  const range = min === undefined ? "a finite number" : `a finite number ≥ ${min}`;
  if (typeof value !== "number" || !Number.isFinite(value) || (min !== undefined && value < min)) {
    throw new InvalidArgumentError(`${op}: ${name}=${formatValue(value)} is invalid; expected ${range}.`);
  }
  return value;
}

/** Fills `tensor` (contiguous or not) with values from `draw`, without recording the graph. */
function fill(tensor: Tensor, draw: (index: number) => number): Tensor {
  noGrad(() => {
    const data = tensor.storage.data;
    const index = new Array<number>(tensor.ndim).fill(0);
    const size = tensor.numel();
    for (let i = 0; i < size; i++) {
      let position = tensor.offset;
      for (let d = 0; d < tensor.ndim; d++) position += index[d] * tensor.strides[d];
      data[position] = draw(i);
      for (let d = tensor.ndim - 1; d >= 0; d--) {
        if (++index[d] < tensor.shape[d]) break;
        index[d] = 0;
      }
    }
    tensor.storage.bumpVersion();
  });
  return tensor;
}

/**
 * Fan-in and fan-out of a weight: for [out, in, ...kernel] they are in·k and out·k, where k is the
 * product of the kernel dimensions.
 */
export function calculateFanInAndFanOut(tensor: Tensor): { fanIn: number; fanOut: number } {
  if (tensor.ndim < 2) {
    throw new ShapeError(`init: fan in and fan out need a tensor of at least 2 dimensions, got shape ${formatShape(tensor.shape)}.`);
  }
  const receptive = tensor.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: tensor.shape[1] * receptive, fanOut: tensor.shape[0] * receptive };
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param === undefined ? 0.01 : checkNumber("calculateGain", "param", param);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new InvalidArgumentError(
        `calculateGain: nonlinearity "${String(nonlinearity)}" is unknown; expected linear, conv1d, conv2d, sigmoid, tanh, relu, leakyRelu or selu.`,
      );
  }
}

export function uniform_(tensor: Tensor, a = 0, b = 1, options: InitOptions = {}): Tensor {
  checkNumber("uniform_", "a", a);
  checkNumber("uniform_", "b", b);
  if (a > b) throw new InvalidArgumentError(`uniform_: bounds a=${a}, b=${b} are invalid; expected a ≤ b.`);
  checkOptions("uniform_", options, ["generator"]);
  const g = options.generator ?? defaultGenerator;
  return fill(tensor, () => a + (b - a) * g.uniform());
}

export function normal_(tensor: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  checkNumber("normal_", "mean", mean);
  checkNumber("normal_", "std", std, 0);
  checkOptions("normal_", options, ["generator"]);
  const g = options.generator ?? defaultGenerator;
  return fill(tensor, () => mean + std * g.normal());
}

/** Normal draws redrawn until they fall in [a, b] (absolute bounds, as PyTorch's trunc_normal_). */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2, options: InitOptions = {}): Tensor {
  checkNumber("truncNormal_", "mean", mean);
  checkNumber("truncNormal_", "std", std, 0);
  checkNumber("truncNormal_", "a", a);
  checkNumber("truncNormal_", "b", b);
  if (!(a < b)) throw new InvalidArgumentError(`truncNormal_: bounds a=${a}, b=${b} are invalid; expected a < b.`);
  checkOptions("truncNormal_", options, ["generator"]);
  const g = options.generator ?? defaultGenerator;
  return fill(tensor, () => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const value = mean + std * g.normal();
      if (value >= a && value <= b) return value;
    }
    return Math.min(Math.max(mean, a), b);
  });
}

export function constant_(tensor: Tensor, value: number): Tensor {
  checkNumber("constant_", "value", value);
  return fill(tensor, () => value);
}

export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

/** Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  checkNumber("xavierUniform_", "gain", gain, 0);
  checkOptions("xavierUniform_", options, ["generator"]);
  if (tensor.numel() === 0) return tensor;
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(tensor, -bound, bound, { generator: options.generator });
}

/** Glorot normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  checkNumber("xavierNormal_", "gain", gain, 0);
  checkOptions("xavierNormal_", options, ["generator"]);
  if (tensor.numel() === 0) return tensor;
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of leakyRelu (the `a` of PyTorch); 0 by default. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, tensor: Tensor, options: KaimingOptions): number {
  checkOptions(op, options, ["a", "mode", "nonlinearity", "generator"]);
  if (options.a !== undefined) checkNumber(op, "a", options.a);
  const mode = options.mode ?? "fanIn";
  if (mode !== "fanIn" && mode !== "fanOut") throw new InvalidArgumentError(`${op}: mode "${String(mode)}" is invalid; expected "fanIn" or "fanOut".`);
  const fans = calculateFanInAndFanOut(tensor);
  const fan = mode === "fanIn" ? fans.fanIn : fans.fanOut;
  const gain = calculateGain(options.nonlinearity ?? "leakyRelu", options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** He uniform: U(−b, b) with b = gain·√(3 / fan). */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd("kaimingUniform_", tensor, options);
  // A zero-element weight has fan 0 and an infinite bound, but there is nothing to fill.
  if (tensor.numel() === 0) return tensor;
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, -bound, bound, { generator: options.generator });
}

/** He normal: N(0, (gain / √fan)²). */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd("kaimingNormal_", tensor, options);
  if (tensor.numel() === 0) return tensor;
  return normal_(tensor, 0, std, { generator: options.generator });
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a normal draw, with the signs of R's
 * diagonal folded in so the result is uniformly distributed, scaled by `gain`.
 */
export function orthogonal_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  checkNumber("orthogonal_", "gain", gain);
  checkOptions("orthogonal_", options, ["generator"]);
  if (tensor.ndim < 2) throw new ShapeError(`orthogonal_: needs a tensor of at least 2 dimensions, got shape ${formatShape(tensor.shape)}.`);
  const g = options.generator ?? defaultGenerator;
  const rows = tensor.shape[0];
  const cols = tensor.numel() / rows;
  const transposed = rows < cols;
  const [m, n] = transposed ? [cols, rows] : [rows, cols];
  // Gram–Schmidt (modified) on the n columns of an m×n normal matrix, m ≥ n.
  const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => g.normal()));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[j][i] * q[k][i];
      for (let i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[j][i] /= norm;
  }
  return fill(tensor, (index) => {
    const r = Math.floor(index / cols);
    const c = index % cols;
    return gain * (transposed ? q[r][c] : q[c][r]);
  });
}
