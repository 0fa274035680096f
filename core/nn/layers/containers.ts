import { InvalidArgumentError } from "../../tensor/errors.js";
import { Module } from "../module.js";

/** Runs its modules in order, each on the previous one's output. */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((module, i) => {
      if (!(module instanceof Module)) throw new InvalidArgumentError(`Sequential: argument ${i} is not a Module.`);
      this.registerModule(String(i), module);
    });
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const list = [...this.children()];
    const i = index < 0 ? index + list.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new InvalidArgumentError(`Sequential.at: index ${index} is out of range for ${list.length} modules.`);
    return list[i];
  }

  append(module: Module): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  forward(input: unknown): unknown {
    let value = input;
    for (const module of this.children()) value = (module.forward as (x: unknown) => unknown)(value);
    return value;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** Holds submodules in a list; it has no forward of its own. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const module of modules) this.append(module);
  }

  get length(): number {
    return [...this.children()].length;
  }

  at(index: number): Module {
    const list = [...this.children()];
    const i = index < 0 ? index + list.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new InvalidArgumentError(`ModuleList.at: index ${index} is out of range for ${list.length} modules.`);
    return list[i];
  }

  append(module: Module): this {
    if (!(module instanceof Module)) throw new InvalidArgumentError("ModuleList.append: the argument is not a Module.");
    this.registerModule(String(this.length), module);
    return this;
  }

  forward(): never {
    throw new InvalidArgumentError("ModuleList has no forward; iterate over it and call each module's forward.");
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** Holds submodules by name; it has no forward of its own. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [name, module] of Object.entries(modules)) this.set(name, module);
  }

  set(name: string, module: Module): this {
    this.registerModule(name, module);
    return this;
  }

  get(name: string): Module {
    for (const [key, module] of this.namedChildren()) if (key === name) return module;
    throw new InvalidArgumentError(`ModuleDict.get: no module named "${name}"; it has ${[...this.keys()].join(", ") || "none"}.`);
  }

  has(name: string): boolean {
    return [...this.keys()].includes(name);
  }

  *keys(): Generator<string> {
    for (const [name] of this.namedChildren()) yield name;
  }

  forward(): never {
    throw new InvalidArgumentError("ModuleDict has no forward; call the forward of a module it contains.");
  }
}
