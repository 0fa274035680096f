import { noGrad } from "../autograd/grad_mode.js";
import type { DType } from "../tensor/dtype.js";
import { InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import { shapesEqual } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { Parameter } from "./parameter.js";

export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The base class of layers and models. Submodules and parameters assigned to fields are found
 * by walking the instance's own properties in declaration order; buffers (tensors saved in the
 * state dict but not trained, such as running statistics) are registered with registerBuffer.
 *
 * ```ts
 * class Net extends nn.Module {
 *   fc = new nn.Linear(784, 10);
 *   forward(x: Tensor) { return this.fc.forward(x); }
 * }
 * ```
 */
export abstract class Module {
  /** True in training mode (dropout active, batch statistics used), false after eval(). */
  training = true;
  private readonly registeredParameters = new Map<string, Parameter | null>();
  private readonly registeredBuffers = new Map<string, Tensor | null>();
  private readonly registeredModules = new Map<string, Module | null>();
  private readonly nonPersistentBuffers = new Set<string>();
  private readonly forwardHooks: ForwardHook[] = [];
  private readonly forwardPreHooks: ForwardPreHook[] = [];

  constructor() {
    for (const key of ["registeredParameters", "registeredBuffers", "registeredModules", "nonPersistentBuffers", "forwardHooks", "forwardPreHooks"]) {
      Object.defineProperty(this, key, { enumerable: false });
    }
    // Wrapping forward on the instance lets hooks see every call, also `this.fc.forward(x)`.
    const forward = this.forward as (...args: unknown[]) => unknown;
    Object.defineProperty(this, "forward", {
      enumerable: false,
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => this.runForward(forward, args),
    });
  }

  abstract forward(...args: never[]): unknown;

  private runForward(forward: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    if (this.forwardPreHooks.length === 0 && this.forwardHooks.length === 0) return forward.apply(this, args);
    for (const hook of this.forwardPreHooks) {
      const replaced = hook(this, args);
      if (replaced !== undefined) args = replaced;
    }
    let output = forward.apply(this, args);
    for (const hook of this.forwardHooks) {
      const replaced = hook(this, args, output);
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  /** Registers a hook run after every forward call; returns a function that removes it. */
  registerForwardHook(hook: ForwardHook): () => void {
    this.forwardHooks.push(hook);
    return () => this.forwardHooks.splice(this.forwardHooks.indexOf(hook) >>> 0, 1);
  }

  /** Registers a hook run before every forward call; it may return replacement inputs. */
  registerForwardPreHook(hook: ForwardPreHook): () => void {
    this.forwardPreHooks.push(hook);
    return () => this.forwardPreHooks.splice(this.forwardPreHooks.indexOf(hook) >>> 0, 1);
  }

  registerParameter(name: string, parameter: Parameter | null): void {
    this.checkName("registerParameter", name);
    this.registeredParameters.set(name, parameter);
  }

  /** Registers a tensor kept in the state dict (unless `persistent` is false) but not trained. */
  registerBuffer(name: string, buffer: Tensor | null, options: { persistent?: boolean } = {}): void {
    this.checkName("registerBuffer", name);
    this.registeredBuffers.set(name, buffer);
    if (options.persistent === false) this.nonPersistentBuffers.add(name);
  }

  registerModule(name: string, module: Module | null): void {
    this.checkName("registerModule", name);
    this.registeredModules.set(name, module);
  }

  private checkName(op: string, name: string): void {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new InvalidArgumentError(`${op}: name ${JSON.stringify(name)} is invalid; expected a non-empty string without ".".`);
    }
  }

  /** Replaces a registered buffer's tensor (for example updated running statistics). */
  setBuffer(name: string, value: Tensor): void {
    if (!this.registeredBuffers.has(name)) throw new InvalidArgumentError(`setBuffer: "${name}" is not a registered buffer of ${this.constructor.name}.`);
    this.registeredBuffers.set(name, value);
  }

  /** The buffer registered under `name`. */
  getBuffer(name: string): Tensor | null {
    return this.registeredBuffers.get(name) ?? null;
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this);
  }

  /** Direct parameters, from fields and registerParameter, in declaration order. */
  private *ownParameters(): Generator<[string, Parameter]> {
    for (const [name, value] of this.ownEntries()) if (value instanceof Parameter) yield [name, value];
    for (const [name, value] of this.registeredParameters) if (value) yield [name, value];
  }

  /** Direct submodules, from fields and registerModule, in declaration order. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, value] of this.ownEntries()) if (value instanceof Module) yield [name, value];
    for (const [name, value] of this.registeredModules) if (value) yield [name, value];
  }

  *children(): Generator<Module> {
    for (const [, child] of this.namedChildren()) yield child;
  }

  /** This module and every module below it, with dotted names ("" for this one). */
  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *modules(): Generator<Module> {
    for (const [, module] of this.namedModules()) yield module;
  }

  /** Parameters with dotted names such as "encoder.0.weight"; shared parameters appear once. */
  namedParameters(options: { recurse?: boolean } = {}): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const modules = options.recurse === false ? ([["", this]] as [string, Module][]) : [...this.namedModules()];
    for (const [prefix, module] of modules) {
      for (const [name, parameter] of module.ownParameters()) {
        if (seen.has(parameter)) continue;
        seen.add(parameter);
        out.push([prefix ? `${prefix}.${name}` : name, parameter]);
      }
    }
    return out;
  }

  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, buffer] of module.registeredBuffers) if (buffer) out.push([prefix ? `${prefix}.${name}` : name, buffer]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Sets training mode on this module and all below it. */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters (sets them to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const parameter of this.parameters()) parameter.grad = null;
  }

  /** Calls `fn` on every submodule, then on this module (post-order, as PyTorch). */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters and persistent buffers by dotted name, detached, in declaration order. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, module] of this.namedModules()) {
      const join = (name: string): string => (prefix ? `${prefix}.${name}` : name);
      for (const [name, parameter] of module.ownParameters()) out[join(name)] = parameter.detach();
      for (const [name, buffer] of module.registeredBuffers) {
        if (buffer && !module.nonPersistentBuffers.has(name)) out[join(name)] = buffer.detach();
      }
    }
    return out;
  }

  /**
   * Copies values from `stateDict` into this module's parameters and buffers. With `strict`
   * (the default), missing or unexpected keys raise; shapes must always match.
   */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    if (typeof stateDict !== "object" || stateDict === null) {
      throw new InvalidArgumentError(`loadStateDict: expected an object of named tensors (as stateDict() or loadSafetensors() return), got ${String(stateDict)}.`);
    }
    for (const [key, value] of Object.entries(stateDict)) {
      if (!(value instanceof Tensor)) {
        throw new InvalidArgumentError(`loadStateDict: "${key}" is not a tensor; wrap plain arrays with pl.tensor(values) before loading.`);
      }
    }
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((key) => !(key in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((key) => !(key in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      throw new InvalidArgumentError(
        `loadStateDict: the state dict does not match ${this.constructor.name} (${parts.join("; ")}). ` +
          `Check that it was saved from the same architecture, or pass { strict: false } to load the matching keys only.`,
      );
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        const source = stateDict[key];
        if (!source) continue;
        if (!shapesEqual(source.shape, target.shape)) {
          throw new ShapeError(`loadStateDict: "${key}" has shape ${formatShape(source.shape)} in the state dict but ${formatShape(target.shape)} in the model.`);
        }
        const values = source.to(target.dtype).dataSync();
        writeContiguous(target, values);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every floating parameter and buffer to `dtype`. Parameters keep their identity, so
   * an optimizer created before the call goes on updating them.
   */
  to(dtype: DType): this {
    for (const module of this.modules()) {
      for (const [, parameter] of module.ownParameters()) {
        if (parameter.dtype !== dtype) parameter.setData(parameter.detach().to(dtype));
      }
      for (const [name, value] of module.registeredBuffers) {
        if (value && (value.dtype === "float32" || value.dtype === "float64") && value.dtype !== dtype) module.registeredBuffers.set(name, value.to(dtype));
      }
    }
    return this;
  }

  double(): this {
    return this.to("float64");
  }

  float(): this {
    return this.to("float32");
  }

  /** The layer's settings for toString, such as "inFeatures=784, outFeatures=10". */
  extraRepr(): string {
    return "";
  }

  /** A tree like PyTorch's module printout. */
  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, child]) => `  (${name}): ${child.toString().replace(/\n/g, "\n  ")}`);
    return `${head}${this.extraRepr() ? "" : ""}\n${lines.join("\n")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Writes row-major `values` into the (possibly strided) elements of `target` and bumps its version. */
function writeContiguous(target: Tensor, values: ArrayLike<number>): void {
  const data = target.storage.data;
  if (target.isContiguous()) {
    for (let i = 0; i < values.length; i++) data[target.offset + i] = values[i];
  } else {
    const index = new Array<number>(target.ndim).fill(0);
    for (let i = 0; i < values.length; i++) {
      let position = target.offset;
      for (let d = 0; d < target.ndim; d++) position += index[d] * target.strides[d];
      data[position] = values[i];
      for (let d = target.ndim - 1; d >= 0; d--) {
        if (++index[d] < target.shape[d]) break;
        index[d] = 0;
      }
    }
  }
  target.storage.bumpVersion();
}
