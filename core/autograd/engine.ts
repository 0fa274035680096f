import { add } from "../ops/arithmetic.js";
import { addInto, clone } from "../ops/shape.js";
import { onesLike, zeros } from "../tensor/creation.js";
import { AutogradError, InvalidArgumentError, formatShape } from "../tensor/errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { toTensor } from "../tensor/convert.js";
import { type NestedArray, Tensor } from "../tensor/tensor.js";
import { setGradEnabled } from "./grad_mode.js";
import { Node } from "./node.js";

export interface BackwardOptions {
  /** Keep saved tensors, so the graph can be backpropagated through again. */
  retainGraph?: boolean;
  /** Record the backward computation itself, for higher-order derivatives. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** The gradient of each output; may be omitted for scalar outputs. */
  gradOutputs?: readonly (Tensor | null)[];
  /** Return null for inputs that the outputs do not depend on, instead of raising. */
  allowUnused?: boolean;
}

/** Applies the tensor's hooks in order; a hook may return a replacement gradient. */
function runHooks(tensor: Tensor | undefined, grad: Tensor): Tensor {
  if (!tensor) return grad;
  for (const hook of tensor.hooks) {
    const replaced = hook(grad);
    if (!(replaced instanceof Tensor)) continue;
    if (!shapesEqual(replaced.shape, grad.shape)) {
      throw new AutogradError(
        `backward: a hook on a tensor of shape ${formatShape(tensor.shape)} returned a gradient of shape ${formatShape(replaced.shape)}; ` +
          `a hook must return a gradient of shape ${formatShape(grad.shape)}, or nothing to keep the gradient it was given.`,
      );
    }
    grad = replaced;
  }
  return grad;
}

/**
 * Sums the gradients that reach one tensor during a backward pass. Sums it allocates itself are
 * `owned`: nothing else refers to them until the pass hands them on, so later gradients are added
 * into them in place. `owned` is null under createGraph, where every sum must be recorded.
 */
class GradientSums {
  readonly sums = new Map<object, Tensor>();
  private readonly owned: Set<Tensor> | null;

  constructor(inPlace: boolean) {
    this.owned = inPlace ? new Set() : null;
  }

  add(key: object, grad: Tensor): void {
    const previous = this.sums.get(key);
    if (!previous) {
      this.sums.set(key, grad);
    } else if (this.owned?.has(previous) && previous.dtype === grad.dtype) {
      addInto(previous, grad);
    } else {
      const sum = add(previous, grad);
      this.sums.set(key, sum);
      this.owned?.add(sum);
    }
  }

  /**
   * Adds a view op's gradient into the region of its input's sum that the view covers, starting
   * the sum from zeros, and returns true. Returns false when the op's rule must run instead.
   */
  addThroughView(key: object, input: Tensor, node: Node, grad: Tensor): boolean {
    const addGradInto = node.addGradInto;
    if (this.owned === null || addGradInto === null || node.isReleased || grad.dtype !== input.dtype) return false;
    let sum = this.sums.get(key);
    if (sum === undefined || !this.owned.has(sum)) {
      if (sum !== undefined && sum.dtype !== input.dtype) return false;
      const fresh = sum === undefined ? zeros(input.shape, { dtype: input.dtype }) : clone(sum);
      this.sums.set(key, fresh);
      this.owned.add(fresh);
      sum = fresh;
    }
    addGradInto(sum, grad);
    return true;
  }

  /** Removes and returns the sum for `key`; a sum handed on is no longer owned. */
  take(key: object): Tensor | undefined {
    const sum = this.sums.get(key);
    this.sums.delete(key);
    if (sum !== undefined) this.owned?.delete(sum);
    return sum;
  }

  /** Returns true when the pass allocated `sum` itself and nothing else refers to it. */
  isOwned(sum: Tensor): boolean {
    return this.owned?.has(sum) ?? false;
  }
}

/** Nodes reachable from `roots` in an order where every node comes before the nodes it feeds. */
function topologicalOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  const stack: [Node, number][] = roots.map((node) => [node, 0]);
  // Iterative post-order DFS, so deep graphs (long RNN unrolls) do not overflow the call stack.
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (next === 0) {
      if (visited.has(node)) {
        stack.pop();
        continue;
      }
      visited.add(node);
    }
    if (next < node.inputs.length) {
      top[1]++;
      const child = node.inputs[next].gradFn;
      if (child instanceof Node && !visited.has(child)) stack.push([child, 0]);
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

/** Raises when a gradient rule returns a gradient whose shape differs from its input's. */
function checkRuleGradient(node: Node, k: number, input: Tensor, inputGrad: Tensor): void {
  if (shapesEqual(inputGrad.shape, input.shape)) return;
  throw new AutogradError(
    `backward: the gradient rule of ${node.name} returned a gradient of shape ${formatShape(inputGrad.shape)} for input ${k}, which has shape ${formatShape(input.shape)}. ` +
      `A rule must return each gradient in its input's shape; reduce broadcast dimensions with sumToShape.`,
  );
}

/**
 * Finds the nodes whose backward leads to one of `wanted`. autograd.grad runs only these, so the
 * graph above a non-leaf input is neither computed nor freed. `order` lists consumers first.
 */
function nodesLeadingTo(order: readonly Node[], wanted: ReadonlySet<object>): Set<Node> {
  const needed = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const leads = node.inputs.some((input) => wanted.has(input) || (input.gradFn instanceof Node && needed.has(input.gradFn)));
    // A released node no longer lists its inputs, so it might lead to `wanted`. It runs, and
    // raises the already-freed error, rather than silently leaving part of a gradient out.
    if (leads || node.isReleased) needed.add(node);
  }
  return needed;
}

/**
 * Copies a gradient before it is stored in `.grad`. A gradient rule may return a broadcast view
 * (stride 0) or the same tensor for several inputs, and `.grad` must own its storage so that
 * in-place updates such as `grad.zero_()` neither fail nor change another tensor. Under createGraph
 * the copy is recorded, so it stays differentiable.
 */
function ownCopy(grad: Tensor): Tensor {
  return clone(grad);
}

function checkRoots(op: string, outputs: readonly Tensor[], gradOutputs: readonly (Tensor | null | undefined)[]): Tensor[] {
  return outputs.map((output, i) => {
    if (!(output instanceof Tensor)) throw new InvalidArgumentError(`${op}: output ${i} is not a tensor.`);
    if (!output.requiresGrad) {
      throw new AutogradError(
        `${op}: output ${i} (shape ${formatShape(output.shape)}) does not require grad and has no gradFn, so there is nothing to differentiate. ` +
          `Set requiresGrad on the inputs you want gradients for before computing it, and check that it was not computed inside noGrad().`,
      );
    }
    const given = gradOutputs[i];
    if (given) {
      if (!shapesEqual(given.shape, output.shape)) {
        throw new AutogradError(`${op}: gradient ${i} has shape ${formatShape(given.shape)}, but output ${i} has shape ${formatShape(output.shape)}; they must match.`);
      }
      return given;
    }
    if (output.numel() !== 1) {
      throw new AutogradError(
        `${op}: output ${i} has shape ${formatShape(output.shape)}, but a gradient can be created implicitly only for a one-element output. ` +
          `Pass the gradient of the output (for backward(), the first argument; for autograd.grad, gradOutputs), or reduce the output with .sum() first.`,
      );
    }
    return onesLike(output);
  });
}

/**
 * Backpropagates from `outputs`. With `inputs`, returns their gradients (autograd.grad); without,
 * accumulates into the `.grad` of every leaf that requires grad (backward()).
 */
export function runBackward(
  op: string,
  outputs: readonly Tensor[],
  gradOutputs: readonly (Tensor | null | undefined)[],
  options: BackwardOptions,
  inputs?: readonly Tensor[],
): (Tensor | null)[] | undefined {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const rootGrads = checkRoots(op, outputs, gradOutputs);
  const previousMode = setGradEnabled(createGraph);
  try {
    const pending = new GradientSums(!createGraph);
    const leafSums = new GradientSums(!createGraph);
    const leafGrads = leafSums.sums as Map<Tensor, Tensor>;
    const wanted = new Set<object>(inputs ?? []);
    const captured = new Map<object, Tensor>();
    const rootNodes: Node[] = [];
    outputs.forEach((output, i) => {
      if (output.gradFn instanceof Node) {
        pending.add(output.gradFn, rootGrads[i]);
        rootNodes.push(output.gradFn);
      } else {
        leafSums.add(output, rootGrads[i]);
      }
    });
    const order = topologicalOrder(rootNodes);
    const needed = inputs ? nodesLeadingTo(order, wanted) : null;
    const wantedByNode = new Map<Node, Tensor>();
    for (const input of inputs ?? []) if (input.gradFn instanceof Node) wantedByNode.set(input.gradFn, input);
    for (const node of order) {
      let grad = pending.take(node);
      if (!grad) continue;
      const wantedOutput = wantedByNode.get(node);
      const output = node.observed ?? wantedOutput;
      const isWanted = wantedOutput !== undefined;
      const mustRun = needed === null || needed.has(node);
      if (!mustRun && !isWanted) continue;
      grad = runHooks(output, grad);
      if (output && output.retainsGrad && !inputs) output.grad = output.grad ? add(output.grad, grad.detach()) : ownCopy(grad.detach());
      if (wantedOutput) captured.set(wantedOutput, grad);
      if (!mustRun) continue;
      const [viewed] = node.inputs;
      if (viewed?.requiresGrad && node.inputs.length === 1) {
        const sums = viewed.gradFn instanceof Node ? pending : leafSums;
        if (sums.addThroughView(viewed.gradFn instanceof Node ? viewed.gradFn : viewed, viewed, node, grad)) {
          if (!retainGraph) node.release();
          continue;
        }
      }
      const inputGrads = node.apply(grad);
      node.inputs.forEach((input, k) => {
        const inputGrad = inputGrads[k];
        if (!inputGrad || !input.requiresGrad) return;
        checkRuleGradient(node, k, input, inputGrad);
        if (input.gradFn instanceof Node) pending.add(input.gradFn, inputGrad);
        else leafSums.add(input, inputGrad);
      });
      if (!retainGraph) node.release();
    }
    if (inputs) {
      return inputs.map((input, i) => {
        const grad = input.gradFn ? captured.get(input) : leafGrads.has(input) ? runHooks(input, leafGrads.get(input)!) : undefined;
        if (grad) return grad;
        if (options && (options as GradOptions).allowUnused) return null;
        throw new AutogradError(
          `${op}: input ${i} (shape ${formatShape(input.shape)}) was not used to compute the outputs, so it has no gradient. ` +
            `Pass { allowUnused: true } to get null for it.`,
        );
      });
    }
    for (const [leaf, grad] of leafGrads) {
      if (!leaf.requiresGrad) continue;
      const hooked = runHooks(leaf, grad);
      const value = createGraph ? hooked : hooked.detach();
      if (leaf.grad) leaf.grad = add(leaf.grad, value);
      else leaf.grad = leafSums.isOwned(hooked) ? value : ownCopy(value);
    }
    return undefined;
  } finally {
    setGradEnabled(previousMode);
  }
}

/**
 * Computes the gradients of `outputs` with respect to `inputs` and returns them, without touching
 * `.grad`. With `createGraph: true` the result is differentiable again.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outputList = outputs instanceof Tensor ? [outputs] : [...outputs];
  const inputList = inputs instanceof Tensor ? [inputs] : [...inputs];
  inputList.forEach((input, i) => {
    if (!(input instanceof Tensor) || !input.requiresGrad) {
      throw new AutogradError(
        `autograd.grad: input ${i} does not require grad, so no gradient can be computed for it. Create it with { requiresGrad: true } or call .requiresGrad_().`,
      );
    }
  });
  const gradOutputs = options.gradOutputs ?? [];
  return runBackward("autograd.grad", outputList, gradOutputs, options, inputList)!;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * Accumulates the gradient of this tensor into the `.grad` of every leaf it depends on.
     * A non-scalar tensor needs `gradient`, the gradient of some scalar with respect to it.
     */
    backward(gradient?: Tensor | NestedArray | null, options?: BackwardOptions): void;
    backward(options: BackwardOptions): void;
  }
}

Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor | NestedArray | BackwardOptions | null, options: BackwardOptions = {}) {
  // Accept backward({ retainGraph: true }) for a scalar as well as backward(gradient, options).
  if (gradient !== null && typeof gradient === "object" && !(gradient instanceof Tensor) && !Array.isArray(gradient)) {
    runBackward("backward", [this], [null], gradient as BackwardOptions);
    return;
  }
  let given: Tensor | null = null;
  if (gradient instanceof Tensor) given = gradient;
  else if (gradient !== undefined && gradient !== null) given = toTensor("backward", gradient as NestedArray, this.dtype);
  runBackward("backward", [this], [given], options);
};
