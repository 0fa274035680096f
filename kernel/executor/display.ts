// The `display` function of cells and its helpers, which publish display_data on IOPub.
import { randomUUID } from "node:crypto";
import { DISPLAY_SYMBOL, isEmptyBundle, toMimeBundle, RawBundle, type Bundle, type MimeBundle } from "./mime.js";
import type { Output } from "./output.js";

export interface DisplayOptions {
  /** An id for later updates in place, or `true` to generate one. */
  displayId?: string | true;
  metadata?: Record<string, unknown>;
}

/**
 * A displayed output that can be replaced in place. Its display method returns an empty bundle,
 * so a handle that ends a cell adds no execute_result, as display() returning None does in IPython.
 */
export interface DisplayHandle {
  readonly displayId: string | undefined;
  update(value: unknown): void;
  [DISPLAY_SYMBOL](): MimeBundle;
}

export type TableRow = Record<string, unknown> | unknown[];

export interface Display {
  (value: unknown, options?: DisplayOptions): DisplayHandle;
  html(html: string, options?: DisplayOptions): DisplayHandle;
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  latex(latex: string, options?: DisplayOptions): DisplayHandle;
  svg(svg: string, options?: DisplayOptions): DisplayHandle;
  png(bytes: Uint8Array, options?: DisplayOptions): DisplayHandle;
  jpeg(bytes: Uint8Array, options?: DisplayOptions): DisplayHandle;
  json(value: unknown, options?: DisplayOptions): DisplayHandle;
  plotly(figure: { data: unknown[]; layout?: unknown; config?: unknown }, options?: DisplayOptions): DisplayHandle;
  table(rows: TableRow[], options?: DisplayOptions): DisplayHandle;
  text(text: string, options?: DisplayOptions): DisplayHandle;
  /** Publishes a bundle given as MIME type to data. */
  bundle(data: MimeBundle, options?: DisplayOptions): DisplayHandle;
  /** Replaces the output shown under `displayId`. */
  update(displayId: string, value: unknown): void;
}

/**
 * Creates the `display` function. It publishes at once, so outputs keep their call order; only a
 * display method that returns a promise publishes when the promise settles.
 */
export function createDisplay(output: Output): Display {
  const whenBundled = (value: unknown, send: (bundle: Bundle) => void): void => {
    const sendUnlessEmpty = (bundle: Bundle): void => {
      if (!isEmptyBundle(bundle)) send(bundle);
    };
    const bundle = toMimeBundle(value);
    if (bundle instanceof Promise) {
      bundle.then(sendUnlessEmpty, (error: Error) => output.write("stderr", `display failed: ${error.message}\n`));
    } else {
      sendUnlessEmpty(bundle);
    }
  };

  const update = (displayId: string, value: unknown): void => {
    whenBundled(value, ({ data, metadata }) =>
      output.publish("update_display_data", { data, metadata, transient: { display_id: displayId } }),
    );
  };

  const publish = (value: unknown, options: DisplayOptions = {}): DisplayHandle => {
    const displayId = options.displayId === true ? randomUUID() : options.displayId;
    whenBundled(value, ({ data, metadata }) =>
      output.publish("display_data", {
        data,
        metadata: { ...metadata, ...options.metadata },
        transient: displayId === undefined ? {} : { display_id: displayId },
      }),
    );
    return {
      displayId,
      update: (next) => {
        if (displayId === undefined) {
          throw new Error("this output has no display id; call display(value, { displayId: true }) to update it later");
        }
        update(displayId, next);
      },
      [DISPLAY_SYMBOL]: () => ({}),
    };
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
