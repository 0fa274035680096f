// Reads, checks, upgrades and writes notebooks in nbformat 4.5.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { validateNotebook } from "./schema.js";

export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: MultilineString }
  | { output_type: "display_data"; data: MimeBundle; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; data: MimeBundle; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface CellMetadata {
  tags?: string[];
  execution?: Record<string, string>;
  [key: string]: unknown;
}

export interface Cell {
  id: string;
  cell_type: "code" | "markdown" | "raw";
  metadata: CellMetadata;
  source: MultilineString;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, MimeBundle>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A notebook that cannot be read: missing, not JSON, not a notebook or too old. */
export class NotebookInputError extends Error {
  override name = "NotebookInputError";
}

/** Returns a multiline string as one string. */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Splits text into lines that keep their "\n", as nbformat stores multiline strings. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes(tag);
}

/** Returns a random cell id of 8 hex digits, the form JupyterLab uses. */
export function newCellId(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Reads the notebook at `path`, upgrades nbformat 4.0–4.4 to 4.5 (adding cell ids) and checks
 * it against the nbformat 4.5 schema. Throws NotebookInputError with the reason and the fix.
 */
export function readNotebook(path: string): Notebook {
  if (!existsSync(path)) throw new NotebookInputError(`${path}: file not found; check the path`);
  if (statSync(path).isDirectory()) throw new NotebookInputError(`${path} is a folder; pass .ipynb files instead`);

  const text = readFileSync(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (extname(path) !== ".ipynb") {
      throw new NotebookInputError(`${path} is not a notebook: expected a .ipynb file in nbformat 4 JSON`);
    }
    throw new NotebookInputError(`${path} is not valid JSON (${(error as Error).message}); fix or re-save the notebook`);
  }
  return upgradeNotebook(path, json);
}

function upgradeNotebook(path: string, json: unknown): Notebook {
  const record = json as Partial<Notebook> | null;
  if (record === null || typeof record !== "object" || Array.isArray(record) || !("nbformat" in record)) {
    throw new NotebookInputError(`${path} is not a notebook: its JSON has no "nbformat" field`);
  }
  const major = record.nbformat;
  if (typeof major !== "number") throw new NotebookInputError(`${path} is not a notebook: "nbformat" is ${JSON.stringify(major)}, expected 4`);
  if (major < 4) {
    throw new NotebookInputError(
      `${path} uses nbformat ${major}, but paramlab run reads nbformat 4; convert it with "jupyter nbconvert --to notebook --nbformat 4 ${path}"`,
    );
  }
  if (major > 4) throw new NotebookInputError(`${path} uses nbformat ${major}, but paramlab run reads nbformat 4`);
  if (!Array.isArray(record.cells)) throw new NotebookInputError(`${path} is not a notebook: "cells" is missing or not a list`);

  const notebook = record as Notebook;
  addCellIds(notebook);
  notebook.nbformat_minor = Math.max(5, typeof notebook.nbformat_minor === "number" ? notebook.nbformat_minor : 0);
  const problems = validateNotebook(notebook);
  if (problems.length > 0) {
    throw new NotebookInputError(`${path} is not a valid nbformat 4.5 notebook:\n  ${problems.slice(0, 5).join("\n  ")}`);
  }
  return notebook;
}

/** Gives every cell a unique id, keeping the ids already there unless they repeat. */
function addCellIds(notebook: Notebook): void {
  const seen = new Set<string>();
  for (const cell of notebook.cells) {
    if (cell === null || typeof cell !== "object") continue;
    if (typeof cell.id !== "string" || seen.has(cell.id)) {
      let id = newCellId();
      while (seen.has(id)) id = newCellId();
      cell.id = id;
    }
    seen.add(cell.id);
  }
}

/** Serializes as Jupyter does: sorted keys, one-space indent, a final newline. */
export function serializeNotebook(notebook: Notebook): string {
  return `${JSON.stringify(sortKeys(notebook), null, 1)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
