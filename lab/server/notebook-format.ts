// Parses and writes notebook JSON so that a notebook saved without edits keeps its exact bytes.
import { HttpError } from "./http.js";

/** The layout of a notebook file: indentation, key order and the final newline. */
export interface JsonStyle {
  indent: number;
  sortKeys: boolean;
  finalNewline: boolean;
}

/** nbformat's own layout (Python's json.dumps with indent=1, sort_keys=True, plus a newline). */
export const NBFORMAT_STYLE: JsonStyle = { indent: 1, sortKeys: true, finalNewline: true };

/** Serializes `value` in `style`. Non-ASCII characters stay as they are, as nbformat writes them. */
export function formatJson(value: unknown, style: JsonStyle): string {
  const ordered = style.sortKeys ? sortKeysDeep(value) : value;
  return JSON.stringify(ordered, null, style.indent) + (style.finalNewline ? "\n" : "");
}

/**
 * Detects the layout of an existing file: the style among the candidates that reproduces it
 * byte for byte, else nbformat's.
 */
export function detectStyle(text: string): JsonStyle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NBFORMAT_STYLE;
  }
  const indentMatch = /\n( +|\t)"/.exec(text);
  const indent = indentMatch === null ? 0 : indentMatch[1].length;
  const finalNewline = text.endsWith("\n");
  for (const sortKeys of [true, false]) {
    const style = { indent, sortKeys, finalNewline };
    if (formatJson(value, style) === text) return style;
  }
  return { ...NBFORMAT_STYLE, indent: indent || NBFORMAT_STYLE.indent, finalNewline };
}

/** Parses a notebook file and checks its top-level shape; a bad file raises a 400 error that names the fix. */
export function parseNotebook(text: string, apiPath: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      `notebook ${apiPath} is corrupt: it is not valid JSON (${(error as Error).message}). ` +
        "Fix it in a text editor, or restore its checkpoint in .ipynb_checkpoints/.",
    );
  }
  checkNotebookShape(value, apiPath);
  return value as Record<string, unknown>;
}

/** Throws a 400 error unless `value` has the top-level fields of an nbformat 4 notebook. */
export function checkNotebookShape(value: unknown, apiPath: string): void {
  const problem = notebookShapeProblem(value);
  if (problem !== undefined) {
    throw new HttpError(400, `notebook ${apiPath} is not a valid nbformat 4 notebook: ${problem}`);
  }
}

function notebookShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "the file is not a JSON object";
  if (value.nbformat !== 4) return `nbformat is ${JSON.stringify(value.nbformat)}, expected 4`;
  if (!Array.isArray(value.cells)) return "the cells field is missing or not an array";
  if (!isObject(value.metadata)) return "the metadata field is missing or not an object";
  const index = value.cells.findIndex((cell) => !isObject(cell) || typeof cell.cell_type !== "string");
  if (index >= 0) return `cell ${index} is not an object with a cell_type`;
  return undefined;
}

/** Returns a new, empty nbformat 4.5 notebook for the paramlab kernel. */
export function emptyNotebook(): Record<string, unknown> {
  return {
    cells: [],
    metadata: {
      kernelspec: { display_name: "TypeScript (paramlab)", language: "typescript", name: "paramlab" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeysDeep(value[key]);
  return sorted;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
