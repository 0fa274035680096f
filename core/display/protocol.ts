/**
 * The display protocol: an object renders in a notebook through a method under
 * `Symbol.for("Jupyter.display")` that returns a MIME bundle (Deno's convention, which the
 * paramlab kernel, tslab-style code and Deno notebooks share).
 */

export const DISPLAY = Symbol.for("Jupyter.display");

/** MIME type → data: strings for text formats, JSON objects for JSON-based formats. */
export type MimeBundle = Record<string, unknown>;

export interface Displayable {
  [DISPLAY](): MimeBundle;
}

export function isDisplayable(value: unknown): value is Displayable {
  return typeof value === "object" && value !== null && typeof (value as Record<symbol, unknown>)[DISPLAY] === "function";
}

/** Wraps a ready bundle as a displayable object (what `display(...)` helpers return). */
export function displayable(bundle: MimeBundle): Displayable & { toString(): string } {
  return {
    [DISPLAY]: () => bundle,
    toString: () => String(bundle["text/plain"] ?? ""),
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** An HTML table from a header row and body rows; every cell is escaped. */
export function htmlTable(header: readonly string[], rows: readonly (readonly (string | number)[])[], options: { caption?: string; numericColumns?: readonly number[] } = {}): string {
  const numeric = new Set(options.numericColumns ?? []);
  const cell = (tag: "td" | "th", value: string | number, column: number): string =>
    `<${tag}${numeric.has(column) ? ' style="text-align:right"' : ""}>${escapeHtml(String(value))}</${tag}>`;
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  const head = `<thead><tr>${header.map((h, i) => cell("th", h, i)).join("")}</tr></thead>`;
  const body = `<tbody>${rows.map((row) => `<tr>${row.map((v, i) => cell("td", v, i)).join("")}</tr>`).join("")}</tbody>`;
  return `<table class="paramlab-table">${caption}${head}${body}</table>`;
}

/** A plain-text table with aligned columns. */
export function textTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]): string => row.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ");
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}
