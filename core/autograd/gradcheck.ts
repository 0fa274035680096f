import { randn, zerosLike } from "../tensor/creation.js";
import { AutogradError, InvalidArgumentError, formatShape } from "../tensor/errors.js";
import { Generator } from "../tensor/random.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { grad } from "./engine.js";
import { enableGrad } from "./grad_mode.js";

/**
 * Gradient checks: the analytic Jacobian that autograd computes, compared element by element with
 * float64 central differences (f(x + eps) − f(x − eps)) / 2eps, as torch.autograd.gradcheck does.
 */

/** A function of tensors whose gradients are checked; it returns one tensor or several. */
export type CheckedFunction = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

export interface GradcheckOptions {
  /** The central-difference step. Default 1e-6. */
  eps?: number;
  /** The absolute tolerance. Default 1e-5. */
  atol?: number;
  /** The relative tolerance, applied to the numerical value. Default 1e-3. */
  rtol?: number;
  /** Throw a GradcheckError on failure (the default); with false, return the result instead. */
  raiseException?: boolean;
}

export interface GradgradcheckOptions extends GradcheckOptions {
  /** The gradients of the outputs to differentiate through; random normal draws by default. */
  gradOutputs?: readonly Tensor[];
  /** The seed of the random gradOutputs. Default 0. */
  seed?: number;
}

/** The element of the Jacobian where analytic and numerical values disagree most. */
export interface GradcheckMismatch {
  /** The position of the input in the inputs array. */
  input: number;
  /** The position of the output in the function's outputs. */
  output: number;
  /** The multi-index of the input element. */
  index: number[];
  /** The multi-index of the output element. */
  outputIndex: number[];
  analytic: number;
  numerical: number;
  /** |analytic − numerical|. */
  error: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** The element with the largest error relative to its tolerance, or null when no element was compared. */
  worst: GradcheckMismatch | null;
}

/** A failed gradient check; `result` holds the worst element. */
export class GradcheckError extends AutogradError {
  override name = "GradcheckError";

  constructor(
    message: string,
    readonly result: GradcheckResult,
  ) {
    super(message);
  }
}

interface Jacobians {
  /** values[output][input] is a row-major matrix of shape [numel(output), numel(input)]. */
  values: Float64Array[][];
}

function toList(outputs: Tensor | readonly Tensor[]): Tensor[] {
  return outputs instanceof Tensor ? [outputs] : [...outputs];
}

function callChecked(op: string, fn: CheckedFunction, inputs: readonly Tensor[]): Tensor[] {
  const outputs = toList(fn(...inputs));
  outputs.forEach((output, i) => {
    if (!(output instanceof Tensor)) {
      throw new InvalidArgumentError(`${op}: output ${i} of the checked function is not a tensor; the function must return a tensor or an array of tensors.`);
    }
    if (output.dtype !== "float64") {
      throw new InvalidArgumentError(
        `${op}: output ${i} has dtype ${output.dtype}, but a gradient check needs float64 outputs. Compute the function in float64 (pass float64 inputs).`,
      );
    }
  });
  return outputs;
}

function checkInputs(op: string, inputs: readonly Tensor[]): number[] {
  const checked: number[] = [];
  inputs.forEach((input, i) => {
    if (!(input instanceof Tensor)) {
      throw new InvalidArgumentError(`${op}: input ${i} is not a tensor; pass a tensor or an array of tensors.`);
    }
    if (!input.requiresGrad) return;
    if (input.dtype !== "float64") {
      throw new InvalidArgumentError(
        `${op}: input ${i} has dtype ${input.dtype}, but central differences need float64 to be accurate. ` +
          `Create the input with { dtype: "float64" } or convert it with .double().requiresGrad_() on a leaf.`,
      );
    }
    checked.push(i);
  });
  checkSeparateStorage(op, inputs, checked);
  if (checked.length === 0) {
    throw new InvalidArgumentError(`${op}: no input requires grad, so there is nothing to check. Set requiresGrad on the inputs to differentiate.`);
  }
  return checked;
}

/**
 * Raises when a checked input shares storage with another input, because perturbing one element
 * would then change both and the numerical Jacobian would not match any single input.
 */
function checkSeparateStorage(op: string, inputs: readonly Tensor[], checked: readonly number[]): void {
  for (const i of checked) {
    const j = inputs.findIndex((other, k) => k !== i && other.storage === inputs[i].storage);
    if (j >= 0) {
      throw new InvalidArgumentError(
        `${op}: inputs ${Math.min(i, j)} and ${Math.max(i, j)} share storage (one is a view or a detached alias of the other). ` +
          `Pass independent tensors, for example by cloning one of them first.`,
      );
    }
  }
}

/** Lists the storage positions of a tensor's elements in row-major order. */
function storagePositions(t: Tensor): number[] {
  const positions: number[] = [];
  const size = t.numel();
  const index = new Array<number>(t.ndim).fill(0);
  for (let i = 0; i < size; i++) {
    let position = t.offset;
    for (let d = 0; d < t.ndim; d++) position += index[d] * t.strides[d];
    positions.push(position);
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return positions;
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function evaluateFlat(op: string, fn: CheckedFunction, inputs: readonly Tensor[]): Float64Array[] {
  return callChecked(op, fn, inputs).map((output) => output.dataSync() as Float64Array);
}

/**
 * Computes the Jacobians by central differences. Each input element is perturbed in its storage
 * and restored exactly afterwards. The raw write does not bump the storage version, so graphs the
 * function records along the way stay valid.
 */
function numericalJacobians(op: string, fn: CheckedFunction, inputs: readonly Tensor[], checked: readonly number[], eps: number): Jacobians {
  const base = evaluateFlat(op, fn, inputs);
  const values = base.map((out) => checked.map((i) => new Float64Array(out.length * inputs[i].numel())));
  checked.forEach((inputPosition, c) => {
    const input = inputs[inputPosition];
    const data = input.storage.data;
    const columns = input.numel();
    storagePositions(input).forEach((position, column) => {
      const original = data[position];
      data[position] = original + eps;
      const plus = evaluateFlat(op, fn, inputs);
      data[position] = original - eps;
      const minus = evaluateFlat(op, fn, inputs);
      data[position] = original;
      plus.forEach((plusOut, o) => {
        const matrix = values[o][c];
        for (let row = 0; row < plusOut.length; row++) matrix[row * columns + column] = (plusOut[row] - minus[o][row]) / (2 * eps);
      });
    });
  });
  return { values };
}

/** Computes the Jacobians with autograd, one backward pass per output element with a one-hot gradient. */
function analyticJacobians(op: string, fn: CheckedFunction, inputs: readonly Tensor[], checked: readonly number[]): Jacobians {
  const outputs = enableGrad(() => callChecked(op, fn, inputs));
  const targets = checked.map((i) => inputs[i]);
  const values = outputs.map((output) => {
    const matrices = targets.map((t) => new Float64Array(output.numel() * t.numel()));
    if (!output.requiresGrad) return matrices;
    const oneHot = new Float64Array(output.numel());
    for (let row = 0; row < output.numel(); row++) {
      oneHot.fill(0);
      oneHot[row] = 1;
      const gradOutput = Tensor.fromTypedArray(oneHot.slice(), output.shape);
      const grads = grad([output], targets, { gradOutputs: [gradOutput], retainGraph: true, allowUnused: true });
      grads.forEach((g, c) => {
        if (!g) return;
        checkGradientForm(op, g, targets[c], checked[c]);
        matrices[c].set(g.dataSync(), row * targets[c].numel());
      });
    }
    return matrices;
  });
  return { values };
}

function checkGradientForm(op: string, g: Tensor, input: Tensor, position: number): void {
  if (!shapesEqual(g.shape, input.shape)) {
    throw new GradcheckError(
      `${op}: the analytic gradient of input ${position} has shape ${formatShape(g.shape)}, but the input has shape ${formatShape(input.shape)}. ` +
        `The gradient rule must return a gradient of the input's shape (reduce broadcast dimensions with sumToShape).`,
      { ok: false, worst: null },
    );
  }
  if (g.dtype !== input.dtype) {
    throw new GradcheckError(
      `${op}: the analytic gradient of input ${position} has dtype ${g.dtype}, but the input has dtype ${input.dtype}. The gradient rule must keep the input's dtype.`,
      { ok: false, worst: null },
    );
  }
}

/** Finds the element with the largest |a − n| / (atol + rtol·|n|); the check passes when it is at most 1. */
function compare(
  analytic: Jacobians,
  numerical: Jacobians,
  inputs: readonly Tensor[],
  outputShapes: readonly (readonly number[])[],
  checked: readonly number[],
  atol: number,
  rtol: number,
): GradcheckResult {
  let worst: GradcheckMismatch | null = null;
  let worstRatio = -1;
  analytic.values.forEach((perInput, o) => {
    perInput.forEach((matrix, c) => {
      const columns = inputs[checked[c]].numel();
      for (let k = 0; k < matrix.length; k++) {
        const a = matrix[k];
        const n = numerical.values[o][c][k];
        const error = Math.abs(a - n);
        const ratio = Number.isNaN(error) ? Infinity : error / (atol + rtol * Math.abs(n));
        if (ratio <= worstRatio) continue;
        worstRatio = ratio;
        const row = Math.floor(k / columns);
        worst = {
          input: checked[c],
          output: o,
          index: multiIndex(k % columns, inputs[checked[c]].shape),
          outputIndex: multiIndex(row, outputShapes[o]),
          analytic: a,
          numerical: n,
          error,
        };
      }
    });
  });
  return { ok: worstRatio <= 1, worst };
}

function finish(op: string, result: GradcheckResult, atol: number, rtol: number, raise: boolean): GradcheckResult {
  if (result.ok || !raise) return result;
  const w = result.worst!;
  throw new GradcheckError(
    `${op}: the Jacobian of output ${w.output} with respect to input ${w.input} does not match the numerical one. ` +
      `Worst element: input index [${w.index.join(", ")}], output index [${w.outputIndex.join(", ")}]: ` +
      `analytic ${w.analytic}, numerical ${w.numerical}, error ${w.error} (tolerance ${atol} + ${rtol}·|numerical|). ` +
      `Check the gradient rule of the ops in the function.`,
    result,
  );
}

function resolveOptions(op: string, options: GradcheckOptions): Required<GradcheckOptions> {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  for (const [name, value] of [["eps", eps], ["atol", atol], ["rtol", rtol]] as const) {
    if (!Number.isFinite(value) || value < 0 || (name === "eps" && value === 0)) {
      throw new InvalidArgumentError(`${op}: ${name}=${value} is invalid; expected a finite ${name === "eps" ? "positive" : "non-negative"} number.`);
    }
  }
  return { eps, atol, rtol, raiseException: options.raiseException ?? true };
}

/**
 * Checks the gradients of `fn` at `inputs` against central differences, for every input that
 * requires grad (each must be float64) and every output. An element passes when
 * |analytic − numerical| ≤ atol + rtol·|numerical|.
 * Throws a GradcheckError naming the worst element, or with `raiseException: false` returns
 * `{ ok, worst }`. Example: `gradcheck((x) => x.tanh(), [randn([3], { dtype: "float64", requiresGrad: true })])`.
 */
export function gradcheck(fn: CheckedFunction, inputs: Tensor | readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const settings = resolveOptions("gradcheck", options);
  return enableGrad(() => check("gradcheck", fn, toList(inputs), settings));
}

function check(op: string, fn: CheckedFunction, inputs: readonly Tensor[], settings: Required<GradcheckOptions>): GradcheckResult {
  const { eps, atol, rtol, raiseException } = settings;
  const checked = checkInputs(op, inputs);

  const numerical = numericalJacobians(op, fn, inputs, checked, eps);
  const analytic = analyticJacobians(op, fn, inputs, checked);
  const outputShapes = callChecked(op, fn, inputs).map((o) => o.shape);

  return finish(op, compare(analytic, numerical, inputs, outputShapes, checked, atol, rtol), atol, rtol, raiseException);
}

/**
 * Checks second derivatives: runs gradcheck on the function that maps (inputs, gradOutputs) to
 * the gradients of `fn`'s outputs, weighted by gradOutputs, with respect to the inputs that require
 * grad. Those gradients come from autograd.grad with createGraph, so this checks the gradient
 * rules' own gradients. gradOutputs are seeded normal draws unless given. In the reported worst
 * element, `input` counts the inputs first and then the gradOutputs, and `output` is the
 * gradient of the `output`-th input that requires grad.
 */
export function gradgradcheck(fn: CheckedFunction, inputs: Tensor | readonly Tensor[], options: GradgradcheckOptions = {}): GradcheckResult {
  const op = "gradgradcheck";
  const settings = resolveOptions(op, options);
  const inputList = toList(inputs);
  const checked = checkInputs(op, inputList);
  return enableGrad(() => {
    const outputs = callChecked(op, fn, inputList);
    const gradOutputs = makeGradOutputs(op, outputs, options);
    return check(op, firstOrderGradients(op, fn, inputList.length, checked), [...inputList, ...gradOutputs], settings);
  });
}

/** The function (inputs, gradOutputs) ↦ gradients of fn with respect to the checked inputs. */
function firstOrderGradients(op: string, fn: CheckedFunction, inputCount: number, checked: readonly number[]): CheckedFunction {
  return (...all) => {
    const xs = all.slice(0, inputCount);
    const vs = all.slice(inputCount);
    const outs = callChecked(op, fn, xs);
    const used = outs.map((o, i) => [o, vs[i]] as const).filter(([o]) => o.requiresGrad);
    if (used.length === 0) return checked.map((i) => zerosLike(xs[i]));
    const grads = grad(
      used.map(([o]) => o),
      checked.map((i) => xs[i]),
      { gradOutputs: used.map(([, v]) => v), createGraph: true, allowUnused: true },
    );
    return grads.map((g, c) => g ?? zerosLike(xs[checked[c]]));
  };
}

function makeGradOutputs(op: string, outputs: readonly Tensor[], options: GradgradcheckOptions): Tensor[] {
  if (options.gradOutputs) {
    if (options.gradOutputs.length !== outputs.length) {
      throw new InvalidArgumentError(`${op}: ${options.gradOutputs.length} gradOutputs were given for ${outputs.length} outputs; pass one per output.`);
    }
    return options.gradOutputs.map((v, i) => {
      if (!shapesEqual(v.shape, outputs[i].shape) || v.dtype !== "float64") {
        throw new InvalidArgumentError(
          `${op}: gradOutputs[${i}] is a ${v.dtype} tensor of shape ${formatShape(v.shape)}; expected float64 of the output's shape ${formatShape(outputs[i].shape)}.`,
        );
      }
      return v.detach().requiresGrad_();
    });
  }
  const generator = new Generator(options.seed ?? 0);
  return outputs.map((o) => randn(o.shape, { dtype: "float64", requiresGrad: true, generator }));
}
