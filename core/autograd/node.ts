import { AutogradError } from "../tensor/errors.js";
import type { GradFn, Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./grad_mode.js";

/**
 * A gradient rule: given the gradient of the output, the saved tensors and which inputs need a
 * gradient, it returns one gradient per input (null where none is needed). Rules are written with
 * differentiable ops, so running them with the graph on gives higher-order derivatives.
 */
export type BackwardRule = (grad: Tensor, saved: readonly Tensor[], needsGrad: readonly boolean[]) => (Tensor | null)[];

/** One recorded op in the autograd graph. */
export class Node implements GradFn {
  readonly needsGrad: boolean[];
  private inputTensors: readonly Tensor[];
  private savedTensors: readonly Tensor[] | null;
  private readonly savedVersions: number[];
  /**
   * The output tensor, linked only when it needs to be found during backward: when it has hooks
   * or retains its gradient. NOTE: a WeakRef would be simpler, but V8 keeps every WeakRef target
   * alive until the current job ends, so a synchronous training loop would keep every activation.
   */
  observed: Tensor | null = null;
  /**
   * Set by view ops (slice, narrow, select) whose input gradient is zero outside the view: adds
   * the output's gradient into the matching region of `target`, a buffer shaped like the input.
   * Without a graph to record, backward uses it instead of the rule, so that many slices of one
   * tensor (one per RNN time step, say) cost the slices' size instead of the whole tensor each.
   */
  addGradInto: ((target: Tensor, grad: Tensor) => void) | null = null;

  constructor(
    readonly name: string,
    inputs: readonly Tensor[],
    readonly rule: BackwardRule,
    saved: readonly Tensor[],
  ) {
    this.inputTensors = inputs;
    this.needsGrad = inputs.map((t) => t.requiresGrad);
    this.savedTensors = saved;
    this.savedVersions = saved.map((t) => t.version);
  }

  /** The tensors this op read, whose nodes come next in backward; empty once the node is released. */
  get inputs(): readonly Tensor[] {
    return this.inputTensors;
  }

  /** Whether backward has already freed this node's saved tensors. */
  get isReleased(): boolean {
    return this.savedTensors === null;
  }

  /** Runs the rule after checking that no saved tensor was released or changed in place. */
  apply(grad: Tensor): (Tensor | null)[] {
    const saved = this.savedTensors;
    if (saved === null) {
      throw new AutogradError(
        `backward: the graph through ${this.name} was already freed by an earlier backward. ` +
          `Pass { retainGraph: true } to the first backward() or autograd.grad() call to backward through it again.`,
      );
    }
    for (let i = 0; i < saved.length; i++) {
      if (saved[i].version !== this.savedVersions[i]) {
        throw new AutogradError(
          `backward: a tensor of shape [${saved[i].shape.join(", ")}] that ${this.name} saved for its gradient was modified ` +
            `by an in-place operation (version ${this.savedVersions[i]} became ${saved[i].version}). ` +
            `Use the out-of-place op (for example add instead of add_) or clone the tensor before changing it.`,
        );
      }
    }
    return this.rule(grad, saved, this.needsGrad);
  }

  /**
   * Drops the saved tensors and the inputs, so the activations of a graph are reclaimed after
   * backward even while its output (for example a loss kept for logging) is still referenced.
   */
  release(): void {
    this.savedTensors = null;
    this.inputTensors = [];
  }
}

/**
 * Attaches a gradient rule to `output` when grad mode is on and some input requires grad.
 * This is the last step of every differentiable op. Returns `output`.
 */
export function record(
  output: Tensor,
  name: string,
  inputs: readonly Tensor[],
  rule: BackwardRule,
  saved: readonly Tensor[] = [],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return output;
  output.requiresGrad = true;
  output.gradFn = new Node(name, inputs, rule, saved);
  return output;
}
