import { type Generator, InvalidArgumentError, Tensor, defaultGenerator } from "../tensor/index.js";

/** Helpers shared by the data modules: value descriptions and option checks for error messages. */

export function formatShapeOf(tensor: Tensor): string {
  return `[${tensor.shape.join(", ")}]`;
}

/** Describes a value in a few words for error messages. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape ${formatShapeOf(value)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value === null || typeof value !== "object") return String(value);
  return `an object of class ${value.constructor?.name ?? "Object"}`;
}

/** Raises on keys of `options` outside `allowed` and returns the options (or {} when undefined). */
export function checkKeys<T extends object>(owner: string, options: T | undefined, allowed: readonly (keyof T & string)[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${owner}: options must be an object, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`${owner}: unknown option "${key}"; valid options are ${allowed.join(", ")}.`);
    }
  }
  return options;
}

/** Raises unless `value` is an integer of at least `min`, naming the option. */
export function checkInteger(owner: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${owner}: ${name}=${value} is invalid; expected an integer >= ${min}.`);
  }
  return value;
}

/** Raises unless `value` is a finite number in [min, max], naming the option. */
export function checkRange(owner: string, name: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${owner}: ${name}=${value} is invalid; expected a number in [${min}, ${max}].`);
  }
  return value;
}

/** The given generator, or the default one that manualSeed seeds. */
export function generatorOr(generator: Generator | undefined): Generator {
  return generator ?? defaultGenerator;
}

/** Draws a random permutation of 0..n-1 (Fisher–Yates) from `generator`. */
export function permutation(n: number, generator: Generator): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.integer(0, i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
