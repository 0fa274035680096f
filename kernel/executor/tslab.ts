// A module compatible with tslab's display API, so notebooks written for tslab run unchanged.
import type { Display } from "./display.js";

export interface TslabDisplay {
  html(html: string): void;
  markdown(markdown: string): void;
  latex(latex: string): void;
  svg(svg: string): void;
  png(bytes: Uint8Array): void;
  jpeg(bytes: Uint8Array): void;
  gif(bytes: Uint8Array): void;
  pdf(bytes: Uint8Array): void;
  text(text: string): void;
  javascript(code: string): void;
  raw(contentType: string, data: string | Uint8Array): void;
}

/** Returns the namespace that `import * as tslab from "tslab"` gives in a cell. */
export function createTslabShim(display: Display): Record<string, unknown> {
  const make = (displayId?: string): TslabDisplay => {
    const options = displayId === undefined ? undefined : { displayId };
    const show = (data: Record<string, unknown>): void => {
      if (displayId !== undefined && shown.has(displayId)) display.update(displayId, rawOf(data));
      else display.bundle(data, options);
      if (displayId !== undefined) shown.add(displayId);
    };
    const bytes = (value: Uint8Array): string => Buffer.from(value).toString("base64");
    return {
      html: (html) => show({ "text/html": html }),
      markdown: (markdown) => show({ "text/markdown": markdown, "text/plain": markdown }),
      latex: (latex) => show({ "text/latex": latex, "text/plain": latex }),
      svg: (svg) => show({ "image/svg+xml": svg }),
      png: (value) => show({ "image/png": bytes(value) }),
      jpeg: (value) => show({ "image/jpeg": bytes(value) }),
      gif: (value) => show({ "image/gif": bytes(value) }),
      pdf: (value) => show({ "application/pdf": bytes(value) }),
      text: (text) => show({ "text/plain": text }),
      javascript: (code) => show({ "application/javascript": code }),
      raw: (contentType, data) => show({ [contentType]: typeof data === "string" ? data : bytes(data) }),
    };
  };
  const shown = new Set<string>();
  let displayCount = 0;
  const namespace = {
    display: make(),
    newDisplay: () => make(`tslab-${process.pid}-${++displayCount}`),
    isNode: true,
    isBrowser: false,
    versions: { tslab: "paramlab-shim", typescript: "5.9", node: process.version },
  };
  return { ...namespace, default: namespace };
}

function rawOf(data: Record<string, unknown>): unknown {
  return { [Symbol.for("Jupyter.display")]: () => data, toString: () => String(data["text/plain"] ?? "") };
}
