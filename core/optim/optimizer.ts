import { describe } from "../tensor/convert.js";
import { noGrad, enableGrad } from "../autograd/index.js";
import { add_, zero_ } from "../ops/index.js";
import { formatShape } from "../tensor/errors.js";
import { InvalidArgumentError, ShapeError, Tensor, isFloating } from "../tensor/index.js";
import { checkKnownOptions, type OptionCheck } from "./options.js";
import { type OptimizerStateDict, matchSavedGroups, restoreParamState } from "./state_dict.js";
import type { ParamState, UpdateTransform } from "./transform.js";

/** The options every optimizer has. */
export interface BaseOptions {
  lr: number;
}

/**
 * A parameter group: its parameters and its own copy of every option. Schedulers add their own
 * keys (for example `initialLr`), which the optimizer keeps and ignores.
 */
export type ParamGroup<O extends BaseOptions> = O & { params: Tensor[]; [key: string]: unknown };

/** A parameter group as passed in: parameters plus any options that differ from the defaults. */
export type ParamGroupInput<O extends BaseOptions> = Partial<O> & { params: Iterable<Tensor> };

/** Parameters as passed in: tensors for one group, or groups with per-group options. */
export type ParamsInput<O extends BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * The definition of one optimizer: its name, defaults, option checks and the update it builds
 * from options. The functions are declared as methods, so an Optimizer of any options type can be
 * passed where an Optimizer<BaseOptions> is expected.
 */
export interface OptimizerSpec<O extends BaseOptions> {
  readonly name: string;
  readonly defaults: Readonly<O>;
  readonly checks: { readonly [K in keyof O]: OptionCheck };
  /** Checks that involve several options at once. */
  checkCombination?(owner: string, options: O): void;
  /** Builds the update transform for one group's current options. */
  transform(options: O): UpdateTransform;
  /**
   * Takes the whole step in place (parameter and state buffers) and returns the new state, or
   * returns null to let the transform run. Must give the transform's result.
   */
  stepInPlace?(options: O, param: Tensor, grad: Tensor, state: ParamState): ParamState | null;
}

export interface ZeroGradOptions {
  /** Drop the gradients (true, the default since PyTorch 2.0) or fill them with zeros in place. */
  setToNone?: boolean;
}

/**
 * The stateful optimizer that PyTorch users expect, built over the pure update transforms. It
 * keeps parameter groups and per-parameter state. On `step()` it runs each group's transform on
 * every parameter that has a gradient and adds the result to the parameter in place, inside
 * noGrad. Subclasses only supply an OptimizerSpec.
 */
export class Optimizer<O extends BaseOptions> {
  readonly defaults: Readonly<O>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The state of each parameter that has taken a step, keyed by the parameter tensor. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: ParamsInput<O>,
    options: Partial<O> | undefined,
    protected readonly spec: OptimizerSpec<O>,
  ) {
    checkKnownOptions(spec.name, options, Object.keys(spec.defaults));
    this.defaults = Object.freeze(structuredOptions({ ...spec.defaults, ...options }) as O);
    this.checkOptions(this.defaults);

    const groups = toGroups(spec.name, params);
    for (const group of groups) this.addParamGroup(group);
  }

  /**
   * Adds a group of parameters with its own options (defaults fill the rest), for example to
   * train a newly unfrozen layer with a smaller lr.
   */
  addParamGroup(input: ParamGroupInput<O>): void {
    const owner = `${this.spec.name}.addParamGroup`;
    if (typeof input !== "object" || input === null || !("params" in input)) {
      throw new InvalidArgumentError(`${owner}: expected a group such as { params: [w, b], lr: 0.01 }, got ${describe(input)}.`);
    }
    const { params, ...options } = input;
    checkKnownOptions(owner, options, ["params", ...Object.keys(this.spec.defaults)]);
    const tensors = toParamList(owner, params);
    const seen = new Set(this.paramGroups.flatMap((group) => group.params));
    tensors.forEach((param, i) => {
      if (seen.has(param)) {
        throw new InvalidArgumentError(`${owner}: parameter ${i} (shape ${formatShape(param.shape)}) is already in another group; a parameter may belong to one group only.`);
      }
      seen.add(param);
    });

    // Array options such as betas are copied, so changing one group never changes another.
    const group = { ...structuredOptions({ ...this.defaults, ...options }), params: tensors } as ParamGroup<O>;
    this.checkOptions(group);
    this.paramGroups.push(group);
  }

  /** Clears the gradients of every parameter: drops them, or zeros them with `{ setToNone: false }`. */
  zeroGrad(options: ZeroGradOptions = {}): void {
    checkKnownOptions(`${this.spec.name}.zeroGrad`, options, ["setToNone"]);
    const setToNone = options.setToNone ?? true;
    noGrad(() => {
      for (const param of this.paramGroups.flatMap((group) => group.params)) {
        if (param.grad === null) continue;
        if (setToNone) param.grad = null;
        else zero_(param.grad);
      }
    });
  }

  /**
   * Takes one optimization step. `closure`, when given, recomputes the loss (zeroGrad, forward,
   * backward) with grad mode on and its result is returned. Parameters without a gradient are
   * skipped, and their state is left as it was.
   */
  step<T = unknown>(closure?: () => T): T | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.stepGroup(group);
    });
    return loss;
  }

  private stepGroup(group: ParamGroup<O>): void {
    this.checkOptions(group);
    const transform = this.spec.transform(group);
    for (const param of group.params) {
      const grad = param.grad;
      if (grad === null) continue;
      checkGrad(this.spec.name, param, grad);
      const state = this.state.get(param) ?? transform.init(param);
      const stepped = this.spec.stepInPlace?.(group, param, grad, state);
      if (stepped) {
        this.state.set(param, stepped);
        continue;
      }
      const result = transform.update(grad, state, param);
      this.state.set(param, { ...state, ...result.state });
      add_(param, result.update);
    }
  }

  /**
   * Returns the state as plain data. `state` maps each parameter's index (counted across groups
   * in order) to its fields, and `paramGroups` lists each group's options with parameter indices.
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const indices = params.map((param) => {
        const own = this.state.get(param);
        if (own !== undefined) state[index] = { ...own };
        return index++;
      });
      return { ...structuredOptions(options), params: indices };
    });
    return { state, paramGroups };
  }

  /**
   * Restores state and group options saved by `stateDict()`. The groups must have the same sizes
   * as this optimizer's; state buffers must match their parameter's shape, and are copied and
   * cast to its dtype.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const owner = `${this.spec.name}.loadStateDict`;
    const params = matchSavedGroups(owner, stateDict, this.paramGroups);
    const restored = new Map<Tensor, ParamState>();
    for (const [key, fields] of Object.entries(stateDict.state)) {
      const param = params[Number(key)];
      restored.set(param, restoreParamState(owner, Number(key), fields, param));
    }
    const groups = stateDict.paramGroups.map((saved, i) => {
      const { params: _indices, ...options } = saved;
      const group = { ...this.paramGroups[i], ...structuredOptions(options), params: this.paramGroups[i].params } as ParamGroup<O>;
      this.checkOptions(group);
      return group;
    });
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [param, fields] of restored) this.state.set(param, fields);
  }

  private checkOptions(options: O): void {
    for (const name of Object.keys(this.spec.checks) as (keyof O & string)[]) {
      this.spec.checks[name](this.spec.name, name, options[name]);
    }
    this.spec.checkCombination?.(this.spec.name, options);
  }

  toString(): string {
    const groups = this.paramGroups.map((group, i) => {
      const { params, ...options } = group;
      const values = Object.entries(options).map(([key, value]) => `    ${key}: ${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}`);
      return `  group ${i} (${params.length} parameters)\n${values.join("\n")}`;
    });
    return `${this.spec.name} (\n${groups.join("\n")}\n)`;
  }
}

/** Copies option values, so that a later change to one copy does not reach the other. */
function structuredOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]));
}

function toGroups<O extends BaseOptions>(owner: string, params: ParamsInput<O>): ParamGroupInput<O>[] {
  if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
    throw new InvalidArgumentError(`${owner}: params must be an array of tensors or of groups such as { params: [w], lr: 0.1 }, got ${describe(params)}.`);
  }
  const items = [...(params as Iterable<unknown>)];
  if (items.length === 0) {
    throw new InvalidArgumentError(`${owner}: the parameter list is empty; pass model.parameters() or an array of tensors that require grad.`);
  }
  if (items.every((item) => item instanceof Tensor)) return [{ params: items as Tensor[] } as unknown as ParamGroupInput<O>];
  return items as ParamGroupInput<O>[];
}

function toParamList(owner: string, params: Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : params && Symbol.iterator in Object(params) ? [...params] : null;
  if (list === null) throw new InvalidArgumentError(`${owner}: params must be an iterable of tensors, got ${describe(params)}.`);
  list.forEach((param, i) => {
    if (!(param instanceof Tensor)) throw new InvalidArgumentError(`${owner}: params[${i}] is ${describe(param)}, not a tensor.`);
    if (!param.isLeaf) {
      throw new InvalidArgumentError(`${owner}: params[${i}] (shape ${formatShape(param.shape)}) is not a leaf tensor, so it cannot be optimized; pass the leaf, or x.detach().requiresGrad_().`);
    }
    if (!isFloating(param.dtype)) {
      throw new InvalidArgumentError(`${owner}: params[${i}] has dtype ${param.dtype}; only float32 and float64 tensors can be optimized.`);
    }
  });
  return list;
}

function checkGrad(owner: string, param: Tensor, grad: Tensor): void {
  if (grad.shape.length !== param.shape.length || grad.shape.some((size, i) => size !== param.shape[i])) {
    throw new ShapeError(`${owner}.step: a gradient of shape ${formatShape(grad.shape)} was set on a parameter of shape ${formatShape(param.shape)}; they must match.`);
  }
}
