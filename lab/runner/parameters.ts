// Parses run parameters and injects them into a notebook as papermill does.
import { existsSync, readFileSync } from "node:fs";
import { hasTag, joinSource, newCellId, splitLines, type Cell, type Notebook } from "./notebook.js";

export type ParameterValue = null | boolean | number | string | ParameterValue[] | { [key: string]: ParameterValue };
export type Parameters = Record<string, ParameterValue>;

/** A parameter on the command line or in a parameters file that cannot be used. */
export class ParameterError extends Error {
  override name = "ParameterError";
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function " +
    "if import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await").split(" "),
);

/** Throws unless `name` can be declared as a TypeScript constant. */
export function checkParameterName(name: string, origin: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new ParameterError(`${origin}: parameter name ${JSON.stringify(name)} is invalid; use a TypeScript identifier such as learningRate`);
  }
}

/**
 * Parses a "-p" value as a typed literal: a number (also NaN and ±Infinity), true, false, null,
 * or a JSON string, array or object. Any other text is a string.
 */
export function parseLiteral(text: string, origin: string): ParameterValue {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (trimmed === "NaN" || /^[+-]?Infinity$/.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false" || trimmed === "null") return JSON.parse(trimmed) as ParameterValue;
  if (/^["[{]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as ParameterValue;
    } catch (error) {
      throw new ParameterError(
        `${origin}: value ${trimmed} looks like JSON but does not parse (${(error as Error).message}); ` +
          `quote the whole argument for the shell, for example -p 'sizes=[64, 32]'`,
      );
    }
  }
  return text;
}

/** Parses one "name=value" argument of -p. */
export function parseAssignment(argument: string): [string, ParameterValue] {
  const equals = argument.indexOf("=");
  if (equals < 0) throw new ParameterError(`-p ${argument}: expected name=value, for example -p lr=0.01`);
  const name = argument.slice(0, equals).trim();
  checkParameterName(name, `-p ${argument}`);
  return [name, parseLiteral(argument.slice(equals + 1), `-p ${argument}`)];
}

/** Reads a JSON object of parameters from `path`. */
export function readParametersFile(path: string): Parameters {
  if (!existsSync(path)) throw new ParameterError(`--parameters-file ${path}: file not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ParameterError(`--parameters-file ${path}: invalid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ParameterError(`--parameters-file ${path}: expected a JSON object such as {"lr": 0.01}, got ${Array.isArray(json) ? "an array" : JSON.stringify(json)}`);
  }
  for (const name of Object.keys(json)) checkParameterName(name, `--parameters-file ${path}`);
  return json as Parameters;
}

/** Returns a TypeScript literal for `value`. */
export function formatLiteral(value: ParameterValue): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return JSON.stringify(value);
}

/**
 * Returns the source of the injected-parameters cell. A name that the parameters cell declares
 * with `let` or `var` is declared the same way, so later cells may still assign to it. Every
 * other name becomes a `const`, which the paramlab kernel lets a later cell redeclare.
 */
export function parametersSource(parameters: Parameters, parametersCell?: Cell): string {
  const declared = parametersCell === undefined ? "" : joinSource(parametersCell.source);
  const lines = ["// Parameters injected by paramlab run"];
  for (const [name, value] of Object.entries(parameters)) {
    const keyword = new RegExp(`\\b(let|var)\\s+${name.replace(/\$/g, "\\$")}\\b`).exec(declared)?.[1] ?? "const";
    lines.push(`${keyword} ${name} = ${formatLiteral(value)};`);
  }
  return lines.join("\n");
}

/**
 * Removes earlier injected-parameters cells and inserts a new one after the first cell tagged
 * `parameters`, or at the top when there is none. Returns a warning in that case.
 */
export function injectParameters(notebook: Notebook, parameters: Parameters): string | undefined {
  if (Object.keys(parameters).length === 0) return undefined;
  notebook.cells = notebook.cells.filter((cell) => !hasTag(cell, "injected-parameters"));
  const index = notebook.cells.findIndex((cell) => hasTag(cell, "parameters"));
  const cell: Cell = {
    id: newCellId(),
    cell_type: "code",
    metadata: { tags: ["injected-parameters"] },
    source: splitLines(parametersSource(parameters, notebook.cells[index])),
    outputs: [],
    execution_count: null,
  };
  notebook.cells.splice(index + 1, 0, cell);
  if (index < 0) {
    return 'no cell is tagged "parameters", so the parameters were injected at the top; tag the cell that sets the defaults "parameters"';
  }
  // As papermill does, name the parameters that the parameters cell does not declare: they are
  // injected anyway but usually mean a typo.
  const declared = joinSource(notebook.cells[index].source);
  const unknown = Object.keys(parameters).filter((name) => !new RegExp(`\\b(const|let|var)\\s+${name.replace(/\$/g, "\\$")}\\b`).test(declared));
  if (unknown.length === 0) return undefined;
  return `the parameters cell does not declare ${unknown.map((name) => `"${name}"`).join(", ")}; they were injected anyway, so check the spelling`;
}
