import { isFloating } from "../tensor/dtype.js";
import { zerosLike } from "../tensor/creation.js";
import { AutogradError, InvalidArgumentError, formatShape } from "../tensor/errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/join.js";
import { reshape } from "../ops/shape.js";
import { grad } from "./engine.js";
import { enableGrad } from "./grad_mode.js";

/**
 * Jacobian products and matrices of a function of tensors, with the semantics of
 * torch.autograd.functional. `inputs` is a tensor or an array of tensors, and the function is
 * called with them spread as arguments. Each result follows the structure of what it is paired
 * with: a tensor for a tensor, an array for an array.
 */

/** A tensor or an array of tensors. */
export type Tensors = Tensor | readonly Tensor[];

/** A tensor for a tensor, an array of tensors for an array. */
export type Like<T extends Tensors> = T extends Tensor ? Tensor : Tensor[];

export type DifferentiableFunction<O extends Tensors = Tensors> = (...inputs: Tensor[]) => O;

export interface FunctionalOptions {
  /** Record the computation of the result, so it can be differentiated again. Default false. */
  createGraph?: boolean;
  /** Raise when an output does not depend on an input, instead of returning zeros. Default false. */
  strict?: boolean;
}

function asList(value: Tensors): Tensor[] {
  return value instanceof Tensor ? [value] : [...value];
}

function shaped<T extends Tensors>(like: T, list: Tensor[]): Like<T> {
  return (like instanceof Tensor ? list[0] : list) as Like<T>;
}

/**
 * Makes the inputs the function is differentiated at. With createGraph, an input that already
 * requires grad is used as is, so the result stays connected to the graph that produced it.
 * Otherwise each input becomes a new leaf sharing its storage.
 */
function prepareInputs(op: string, inputs: Tensors, createGraph: boolean): Tensor[] {
  return asList(inputs).map((input, i) => {
    if (!(input instanceof Tensor)) {
      throw new InvalidArgumentError(`${op}: input ${i} is not a tensor; pass a tensor or an array of tensors.`);
    }
    if (!isFloating(input.dtype)) {
      throw new InvalidArgumentError(`${op}: input ${i} has dtype ${input.dtype}; only float32 and float64 inputs can be differentiated. Convert it with .double() or .float().`);
    }
    return createGraph && input.requiresGrad ? input : input.detach().requiresGrad_();
  });
}

function callFunction<O extends Tensors>(op: string, fn: DifferentiableFunction<O>, inputs: Tensor[]): { raw: O; outputs: Tensor[] } {
  const raw = enableGrad(() => fn(...inputs));
  const outputs = asList(raw);
  outputs.forEach((output, i) => {
    if (!(output instanceof Tensor)) {
      throw new InvalidArgumentError(`${op}: output ${i} of the function is not a tensor; the function must return a tensor or an array of tensors.`);
    }
  });
  return { raw, outputs };
}

function checkVectors(op: string, name: string, v: Tensors | undefined, targets: readonly Tensor[], targetName: string): Tensor[] | undefined {
  if (v === undefined) return undefined;
  const list = asList(v);
  if (list.length !== targets.length) {
    throw new InvalidArgumentError(`${op}: ${name} has ${list.length} tensors, but there are ${targets.length} ${targetName}s; pass one per ${targetName}.`);
  }
  list.forEach((t, i) => {
    if (!(t instanceof Tensor) || !shapesEqual(t.shape, targets[i].shape)) {
      const got = t instanceof Tensor ? `shape ${formatShape(t.shape)}` : "not a tensor";
      throw new InvalidArgumentError(`${op}: ${name} ${i} is ${got}, but ${targetName} ${i} has shape ${formatShape(targets[i].shape)}; they must match.`);
    }
  });
  return list;
}

function unusedError(op: string, problem: string): AutogradError {
  return new AutogradError(`${op}: ${problem} with strict: true. Pass strict: false to get zeros instead.`);
}

/**
 * Computes gradients of `outputs` weighted by `gradOutputs` with respect to `inputs`, with zeros
 * (or an error under `strict`) for inputs the outputs do not depend on.
 */
function vectorJacobian(op: string, outputs: Tensor[], inputs: Tensor[], gradOutputs: (Tensor | null)[], options: FunctionalOptions): Tensor[] {
  const used = outputs.map((o, i) => [o, gradOutputs[i]] as const).filter(([o]) => o.requiresGrad);
  if (options.strict && used.length < outputs.length) throw unusedError(op, "an output does not depend on any input");
  if (used.length === 0) return inputs.map((x) => zerosLike(x));
  const grads = grad(
    used.map(([o]) => o),
    inputs,
    { gradOutputs: used.map(([, g]) => g), createGraph: options.createGraph ?? false, retainGraph: true, allowUnused: true },
  );
  return grads.map((g, i) => {
    if (g) return g;
    if (options.strict) throw unusedError(op, `the outputs do not depend on input ${i}`);
    return zerosLike(inputs[i]);
  });
}

function finishTensors(list: Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? list : list.map((t) => t.detach());
}

/**
 * Computes the vector-Jacobian product vᵀ·J of `fn` at `inputs`. `v` has the structure and shapes of the
 * outputs and may be omitted when the function returns one element. Returns [outputs, vjp], the
 * vjp shaped like `inputs`.
 * Example: `const [y, g] = vjp((x) => x.exp(), x, onesLike(x))` gives g = exp(x).
 */
export function vjp<I extends Tensors, O extends Tensors>(
  fn: DifferentiableFunction<O>,
  inputs: I,
  v?: Tensors,
  options: FunctionalOptions = {},
): [Like<O>, Like<I>] {
  const op = "vjp";
  const createGraph = options.createGraph ?? false;
  const xs = prepareInputs(op, inputs, createGraph);
  const { raw, outputs } = callFunction(op, fn, xs);
  const vs = checkVectors(op, "v", v, outputs, "output") ?? outputs.map((o, i) => implicitOne(op, o, i));

  const products = vectorJacobian(op, outputs, xs, vs, options);

  return [shaped(raw, finishTensors(outputs, createGraph)), shaped(inputs, finishTensors(products, createGraph))];
}

function implicitOne(op: string, output: Tensor, i: number): null {
  if (output.numel() !== 1) {
    throw new InvalidArgumentError(`${op}: output ${i} has shape ${formatShape(output.shape)}, so v is required; pass v with the outputs' shapes.`);
  }
  return null;
}

/**
 * Computes the Jacobian-vector product J·v of `fn` at `inputs`, with `v` shaped like `inputs` (optional
 * when there is one input of one element). Returns [outputs, jvp], the jvp shaped like the outputs.
 * It uses the double-vjp construction: uᵀ·J is linear in a dummy u, and its gradient with respect
 * to u, weighted by v, is J·v. So it costs two backward passes and needs gradient rules that are
 * differentiable, as all built-in ones are.
 */
export function jvp<I extends Tensors, O extends Tensors>(
  fn: DifferentiableFunction<O>,
  inputs: I,
  v?: Tensors,
  options: FunctionalOptions = {},
): [Like<O>, Like<O>] {
  const op = "jvp";
  const createGraph = options.createGraph ?? false;
  const xs = prepareInputs(op, inputs, createGraph);
  const vs = checkVectors(op, "v", v, xs, "input") ?? xs.map((x, i) => implicitOne(op, x, i) ?? onesOf(x));
  const { raw, outputs } = callFunction(op, fn, xs);

  const dummies = outputs.map((o) => zerosLike(o).requiresGrad_());
  const transposed = vectorJacobian(op, outputs, xs, dummies, { strict: options.strict, createGraph: true });
  const products = enableGrad(() => {
    const pairs = transposed.map((g, i) => [g, vs[i]] as const).filter(([g]) => g.requiresGrad);
    if (pairs.length === 0) return outputs.map((o) => zerosLike(o));
    const grads = grad(
      pairs.map(([g]) => g),
      dummies,
      { gradOutputs: pairs.map(([, vi]) => vi), createGraph, retainGraph: true, allowUnused: true },
    );
    return grads.map((g, i) => g ?? zerosLike(outputs[i]));
  });

  return [shaped(raw, finishTensors(outputs, createGraph)), shaped(raw, finishTensors(products, createGraph))];
}

function onesOf(x: Tensor): Tensor {
  return zerosLike(x).add(1);
}

function scalarOutput(op: string, outputs: Tensor[]): Tensor {
  if (outputs.length !== 1 || outputs[0].numel() !== 1) {
    const shapes = outputs.map((o) => formatShape(o.shape)).join(", ");
    throw new InvalidArgumentError(`${op}: the function must return a single one-element tensor, but it returned ${outputs.length} tensor(s) of shape ${shapes}. Reduce it, for example with .sum().`);
  }
  return outputs[0];
}

/**
 * Computes the Hessian-vector product H·v of a scalar function at `inputs`, with `v` shaped like `inputs`.
 * Returns [output, hvp], the hvp shaped like `inputs`. It is the gradient of ∇f·v, which is vᵀ·H;
 * that equals H·v because the Hessian of a twice continuously differentiable function is symmetric.
 */
export function hvp<I extends Tensors>(
  fn: DifferentiableFunction<Tensor>,
  inputs: I,
  v: Tensors,
  options: FunctionalOptions = {},
): [Tensor, Like<I>] {
  const op = "hvp";
  const createGraph = options.createGraph ?? false;
  const xs = prepareInputs(op, inputs, createGraph);
  const vs = checkVectors(op, "v", v, xs, "input")!;
  const { outputs } = callFunction(op, fn, xs);
  const output = scalarOutput(op, outputs);

  const gradients = vectorJacobian(op, [output], xs, [null], { strict: options.strict, createGraph: true });
  const products = vectorJacobian(op, gradients, xs, vs, options);

  return [createGraph ? output : output.detach(), shaped(inputs, finishTensors(products, createGraph))];
}

/** The result of jacobian: indexed by output, then input, for whichever of them are arrays. */
export type JacobianOf<I extends Tensors, O extends Tensors> = O extends Tensor ? Like<I> : I extends Tensor ? Tensor[] : Tensor[][];

/**
 * Computes the Jacobian of `fn` at `inputs`. The block for output o and input i has shape
 * [...o.shape, ...i.shape]. With one input and one output the result is that tensor. With arrays
 * it is an array over outputs of arrays over inputs, without the level of a single tensor.
 * It takes one backward pass per output element.
 * Example: `jacobian((x) => x.mul(x), x)` for x of shape [3] is the [3, 3] matrix diag(2x).
 */
export function jacobian<I extends Tensors, O extends Tensors>(
  fn: DifferentiableFunction<O>,
  inputs: I,
  options: FunctionalOptions = {},
): JacobianOf<I, O> {
  const op = "jacobian";
  const createGraph = options.createGraph ?? false;
  const xs = prepareInputs(op, inputs, createGraph);
  const { raw, outputs } = callFunction(op, fn, xs);

  const blocks = outputs.map((output) => jacobianBlocks(op, output, xs, options));

  const perOutput = blocks.map((row) => shaped(inputs, finishTensors(row, createGraph)));
  return (raw instanceof Tensor ? perOutput[0] : perOutput) as JacobianOf<I, O>;
}

/** Builds the blocks d output / d input for every input, one output element (one row) at a time. */
function jacobianBlocks(op: string, output: Tensor, xs: Tensor[], options: FunctionalOptions): Tensor[] {
  const rows = output.numel();
  const createGraph = options.createGraph ?? false;
  const rowGrads: Tensor[][] = xs.map(() => []);
  const dense = xs.map((x) => new Float64Array(rows * x.numel()));
  for (let row = 0; row < rows; row++) {
    const oneHot = zerosLike(output);
    oneHot.storage.data[row] = 1;
    const grads = vectorJacobian(op, [output], xs, [oneHot], options);
    grads.forEach((g, i) => {
      if (createGraph) rowGrads[i].push(reshape(g, [xs[i].numel()]));
      else dense[i].set(g.dataSync(), row * xs[i].numel());
    });
  }
  return xs.map((x, i) => {
    const shape = [...output.shape, ...x.shape];
    // Stacking keeps the rows differentiable, so the Jacobian can be differentiated again.
    if (createGraph && rows > 0) return reshape(stack(rowGrads[i], 0), shape);
    return Tensor.fromTypedArray(x.dtype === "float64" ? dense[i] : Float32Array.from(dense[i]), shape);
  });
}

/**
 * Computes the Hessian of a scalar function at `inputs`, the Jacobian of its gradient. With one input x it
 * is a tensor of shape [...x.shape, ...x.shape]; with an array of inputs it is an array of arrays
 * whose block [i][j] has shape [...inputs[i].shape, ...inputs[j].shape].
 */
export function hessian<I extends Tensors>(fn: DifferentiableFunction<Tensor>, inputs: I, options: FunctionalOptions = {}): I extends Tensor ? Tensor : Tensor[][] {
  const op = "hessian";
  const gradient = (...xs: Tensor[]): Tensor[] => {
    const output = scalarOutput(op, asList(fn(...xs)));
    return vectorJacobian(op, [output], xs, [null], { strict: options.strict, createGraph: true });
  };
  const blocks = jacobian(gradient, asList(inputs), options) as Tensor[][];
  return (inputs instanceof Tensor ? blocks[0][0] : blocks) as I extends Tensor ? Tensor : Tensor[][];
}
