import { InvalidArgumentError } from "../tensor/errors.js";

/** Converts a snake_case name to camelCase: "dim_feedforward" → "dimFeedforward". */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Rejects an options argument that is not a plain object, or that contains a name outside
 * `allowed`, so a misspelled option raises instead of being silently ignored. `owner` names the
 * layer or function in the message. Undefined options pass (the caller's default applies).
 */
export function checkOptions(owner: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    let received = `${typeof options} ${String(options)}`;
    if (options === null) received = "null";
    if (Array.isArray(options)) received = "an array";
    throw new InvalidArgumentError(`${owner}: options must be an object such as { ${allowed[0] ?? ""}: ... }, got ${received}.`);
  }
  for (const name of Object.keys(options)) {
    if (allowed.includes(name)) continue;
    const camel = camelCase(name);
    const hint = camel !== name && allowed.includes(camel) ? ` Did you mean "${camel}"?` : "";
    const valid = allowed.length > 0 ? `valid options are ${allowed.join(", ")}` : "it takes no options";
    throw new InvalidArgumentError(`${owner}: unknown option "${name}"; ${valid}.${hint}`);
  }
}
