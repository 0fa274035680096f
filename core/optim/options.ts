import { InvalidArgumentError } from "../tensor/index.js";

/**
 * Checks of optimizer hyperparameters. Each check raises an InvalidArgumentError that names the
 * optimizer, the option, its value and the valid range.
 */

/** Validates one option value; `owner` is the optimizer or scheduler name used in messages. */
export type OptionCheck = (owner: string, name: string, value: unknown) => void;

function invalid(owner: string, name: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(`${owner}: invalid ${name}=${formatValue(value)}; expected ${expected}.`);
}

function formatValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return JSON.stringify(value) ?? String(value);
}

/** Accepts a number >= 0, Infinity included and NaN rejected. */
export const nonNegative: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || !(value >= 0)) invalid(owner, name, value, "a number >= 0");
};

/** Any number except NaN. */
export const anyNumber: OptionCheck = (owner, name, value) => {
  if (typeof value !== "number" || Number.isNaN(value)) invalid(owner, name, value, "a number");
};

export const boolean: OptionCheck = (owner, name, value) => {
  if (typeof value !== "boolean") invalid(owner, name, value, "true or false");
};

/** Accepts a number in [0, 1). */
export function checkUnitInterval(owner: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) invalid(owner, name, value, "a number in [0, 1)");
}

/** Adam's betas: a pair of numbers, each in [0, 1). */
export const betaPair: OptionCheck = (owner, name, value) => {
  if (!Array.isArray(value) || value.length !== 2) invalid(owner, name, value, "a pair [beta1, beta2] of numbers in [0, 1)");
  checkUnitInterval(owner, `${name}[0]`, value[0]);
  checkUnitInterval(owner, `${name}[1]`, value[1]);
};

/**
 * Raises unless `options` is a plain object whose keys are all in `valid`. The error for a bare
 * value, such as `new StepLR(opt, 3, 0.5)`, shows the object form it should take: `{ gamma: 0.5 }`.
 */
export function checkKnownOptions(owner: string, options: unknown, valid: readonly string[]): void {
  checkOptionsObject(owner, options, valid);
  for (const key of Object.keys(options ?? {})) {
    if (!valid.includes(key)) {
      throw new InvalidArgumentError(`${owner}: unknown option "${key}"; valid options are ${valid.join(", ")}.`);
    }
  }
}

/** Raises unless `options` is undefined or a plain object; `valid` lists the option names for the message. */
export function checkOptionsObject(owner: string, options: unknown, valid: readonly string[] = ["lr"]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const key = valid.includes("lr") ? "lr" : valid[0];
    const example = typeof options === "number" || typeof options === "boolean" ? String(options) : "...";
    throw new InvalidArgumentError(
      `${owner}: options must be an object such as { ${key}: ${example} }, got ${formatValue(options)}; ` +
        `valid options are ${valid.join(", ")}.`,
    );
  }
}
