import { enableGrad, noGrad } from "../../autograd/index.js";
import { InvalidArgumentError, Tensor } from "../../tensor/index.js";
import { copy_ } from "../../ops/index.js";

/**
 * The second-order optimizers treat their parameters as one flat float64 vector θ of length
 * n = Σ numel, in parameter order, as PyTorch's LBFGS does. These helpers move values between
 * that vector and the parameter tensors.
 */

export function numelOf(params: readonly Tensor[]): number {
  return params.reduce((n, p) => n + p.numel(), 0);
}

/** Concatenates the values of `tensors` (zeros for null entries) into one float64 vector. */
export function gatherValues(tensors: readonly (Tensor | null)[], params: readonly Tensor[]): Float64Array {
  const out = new Float64Array(numelOf(params));
  let offset = 0;
  tensors.forEach((tensor, i) => {
    if (tensor !== null) out.set(tensor.dataSync(), offset);
    offset += params[i].numel();
  });
  return out;
}

export function gatherGrads(params: readonly Tensor[]): Float64Array {
  return gatherValues(params.map((p) => p.grad), params);
}

/** Splits a flat vector into tensors of the parameters' shapes and dtypes. */
export function splitVector(vector: Float64Array, params: readonly Tensor[]): Tensor[] {
  let offset = 0;
  return params.map((param) => {
    const part = vector.subarray(offset, offset + param.numel());
    offset += param.numel();
    return Tensor.fromTypedArray(param.dtype === "float64" ? Float64Array.from(part) : Float32Array.from(part), param.shape);
  });
}

/** Writes a flat vector into the parameters in place. */
export function setParams(params: readonly Tensor[], vector: Float64Array): void {
  const parts = splitVector(vector, params);
  noGrad(() => params.forEach((p, i) => copy_(p, parts[i])));
}

/** θ ← θ + t·d, in place. */
export function addToParams(params: readonly Tensor[], t: number, direction: Float64Array): void {
  const values = gatherValues(params, params);
  for (let i = 0; i < values.length; i++) values[i] += t * direction[i];
  setParams(params, values);
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function maxAbs(a: Float64Array): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) best = Math.max(best, Math.abs(a[i]));
  return best;
}

/** Reads the loss a closure returned: a one-element tensor or a number. */
export function lossValue(owner: string, loss: unknown): number {
  if (typeof loss === "number") return loss;
  if (loss instanceof Tensor && loss.numel() === 1) return loss.item();
  throw new InvalidArgumentError(`${owner}.step: the closure must return the loss as a one-element tensor or a number, got ${loss instanceof Tensor ? `a tensor of shape [${loss.shape.join(", ")}]` : String(loss)}.`);
}

/** Raises unless a closure was passed, which these optimizers need to re-evaluate the loss. */
export function requireClosure<T>(owner: string, closure: (() => T) | undefined, form: string): () => T {
  if (typeof closure !== "function") {
    throw new InvalidArgumentError(`${owner}.step: a closure is required, because ${owner} evaluates the loss several times per step; pass ${form}.`);
  }
  return () => enableGrad(closure);
}

/**
 * Like requireClosure, for optimizers that differentiate the loss themselves (Newton, NewtonCG,
 * AdaHessian). A PyTorch-style closure that calls backward() frees the graph these optimizers
 * need, so the returned function raises when the closure wrote any parameter's .grad.
 */
export function requireLossClosure<T>(owner: string, closure: (() => T) | undefined, params: readonly Tensor[]): () => T {
  const evaluate = requireClosure(owner, closure, "a closure that returns the loss tensor, such as () => lossFn(model.forward(x), y)");
  return () => {
    const before = params.map(gradMark);
    const value = evaluate();
    if (params.some((p, i) => gradMark(p) !== before[i] && p.grad !== null && p.grad !== undefined)) {
      throw new InvalidArgumentError(
        `${owner}.step: the closure must return the loss without calling backward(); ${owner} differentiates it itself ` +
          `(LBFGS and BFGS take the PyTorch form that calls backward). Pass () => lossFn(model.forward(x), y).`,
      );
    }
    return value;
  };
}

/** Identifies a parameter's gradient tensor and its version, so a write to .grad shows as a change. */
function gradMark(param: Tensor): unknown {
  const g = param.grad;
  return g === null || g === undefined ? null : `${gradIds.get(g) ?? gradIds.set(g, nextGradId++).get(g)}:${g.version}`;
}

const gradIds = new WeakMap<Tensor, number>();
let nextGradId = 0;

/** Raises unless the optimizer has exactly one parameter group. */
export function requireOneGroup(owner: string, groups: readonly unknown[]): void {
  if (groups.length !== 1) {
    throw new InvalidArgumentError(`${owner}: parameter groups are not supported (got ${groups.length}); pass one list of parameters, because ${owner} treats them as one vector.`);
  }
}
