// The `display` function of cells and its helpers, which publish display_data on IOPub.
import { randomUUID } from "node:crypto";
import { toMimeBundle, RawBundle, type MimeBundle } from "./mime.js";
import type { Output } from "./output.js";

export interface DisplayOptions {
  /** An id for later updates in place, or `true` to generate one. */
  displayId?: string | true;
  metadata?: Record<string, unknown>;
}

/** A displayed output that can be replaced in place. */
export interface DisplayHandle {
  readonly displayId: string | undefined;
  update(value: unknown): Promise<void>;
}

export type TableRow = Record<string, unknown> | unknown[];

export interface Display {
  (value: unknown, options?: DisplayOptions): Promise<DisplayHandle>;
  html(html: string, options?: DisplayOptions): Promise<DisplayHandle>;
  markdown(markdown: string, options?: DisplayOptions): Promise<DisplayHandle>;
  latex(latex: string, options?: DisplayOptions): Promise<DisplayHandle>;
  svg(svg: string, options?: DisplayOptions): Promise<DisplayHandle>;
  png(bytes: Uint8Array, options?: DisplayOptions): Promise<DisplayHandle>;
  jpeg(bytes: Uint8Array, options?: DisplayOptions): Promise<DisplayHandle>;
  json(value: unknown, options?: DisplayOptions): Promise<DisplayHandle>;
  plotly(figure: { data: unknown[]; layout?: unknown; config?: unknown }, options?: DisplayOptions): Promise<DisplayHandle>;
  table(rows: TableRow[], options?: DisplayOptions): Promise<DisplayHandle>;
  text(text: string, options?: DisplayOptions): Promise<DisplayHandle>;
  /** Publishes a bundle given as MIME type to data. */
  bundle(data: MimeBundle, options?: DisplayOptions): Promise<DisplayHandle>;
  /** Replaces the output shown under `displayId`. */
  update(displayId: string, value: unknown): Promise<void>;
}

export function createDisplay(output: Output): Display {
  const publish = async (value: unknown, options: DisplayOptions = {}): Promise<DisplayHandle> => {
    const displayId = options.displayId === true ? randomUUID() : options.displayId;
    const { data, metadata } = await toMimeBundle(value);
    output.publish("display_data", {
      data,
      metadata: { ...metadata, ...options.metadata },
      transient: displayId === undefined ? {} : { display_id: displayId },
    });
    return {
      displayId,
      update: async (next) => {
        if (displayId === undefined) {
          throw new Error("this output has no display id; call display(value, { displayId: true }) to update it later");
        }
        await update(displayId, next);
      },
    };
  };

  const update = async (displayId: string, value: unknown): Promise<void> => {
    const { data, metadata } = await toMimeBundle(value);
    output.publish("update_display_data", { data, metadata, transient: { display_id: displayId } });
  };

  const helper =
    <T>(toBundle: (input: T) => MimeBundle) =>
    (input: T, options?: DisplayOptions) =>
      publish(new RawBundle(toBundle(input)), options);

  return Object.assign(publish, {
    html: helper<string>((html) => ({ "text/html": html })),
    markdown: helper<string>((markdown) => ({ "text/markdown": markdown, "text/plain": markdown })),
    latex: helper<string>((latex) => ({ "text/latex": latex.includes("$") ? latex : `$$${latex}$$`, "text/plain": latex })),
    svg: helper<string>((svg) => ({ "image/svg+xml": svg })),
    png: helper<Uint8Array>((bytes) => ({ "image/png": base64(bytes, "png") })),
    jpeg: helper<Uint8Array>((bytes) => ({ "image/jpeg": base64(bytes, "jpeg") })),
    json: helper<unknown>((value) => ({ "application/json": value, "text/plain": JSON.stringify(value, null, 2) })),
    plotly: helper<{ data: unknown[] }>((figure) => ({
      "application/vnd.plotly.v1+json": figure,
      "text/plain": `Plotly figure with ${figure.data.length} trace(s)`,
    })),
    table: helper<TableRow[]>(tableBundle),
    text: helper<string>((text) => ({ "text/plain": text })),
    bundle: (data: MimeBundle, options?: DisplayOptions) => publish(new RawBundle(data), options),
    update,
  });
}

function base64(bytes: Uint8Array, format: string): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`display.${format} expects the image file's bytes as a Uint8Array or Buffer, got ${typeof bytes}`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

function tableBundle(rows: TableRow[]): MimeBundle {
  if (!Array.isArray(rows)) throw new TypeError("display.table expects an array of rows (objects or arrays)");
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  const cell = (row: TableRow, key: string): string => {
    const value = (row as Record<string, unknown>)[key];
    return value === undefined ? "" : String(value);
  };
  const head = columns.map((key) => `<th>${escapeHtml(key)}</th>`).join("");
  const body = rows.map((row) => `<tr>${columns.map((key) => `<td>${escapeHtml(cell(row, key))}</td>`).join("")}</tr>`).join("");
  const widths = columns.map((key) => Math.max(key.length, ...rows.map((row) => cell(row, key).length)));
  const line = (values: string[]): string => values.map((value, i) => value.padEnd(widths[i])).join("  ").trimEnd();
  const text = [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map((row) => line(columns.map((key) => cell(row, key))))];
  return { "text/html": `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`, "text/plain": text.join("\n") };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
