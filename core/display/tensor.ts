import { Tensor } from "../tensor/tensor.js";
import { PLOTLY_MIME, figureBundle, type Figure } from "./figure.js";
import { DISPLAY, type MimeBundle, escapeHtml, htmlTable } from "./protocol.js";

/**
 * How a tensor renders: its printed form as text, a summary line (shape, dtype, statistics) with
 * a table of the values when it is small, or a heatmap when it is a large matrix or image.
 */

const TABLE_LIMIT = 20;

function statistics(values: ArrayLike<number>): { min: number; max: number; mean: number; std: number } {
  let [min, max, total] = [Infinity, -Infinity, 0];
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    total += values[i];
  }
  const mean = values.length ? total / values.length : NaN;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { min, max, mean, std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0 };
}

function summaryLine(t: Tensor, values: ArrayLike<number>): string {
  const head = `Tensor [${t.shape.join(", ")}] ${t.dtype}${t.requiresGrad ? ", requiresGrad" : ""}${t.gradFn ? `, gradFn=${t.gradFn.name}` : ""}`;
  if (values.length === 0 || t.dtype === "bool") return head;
  const s = statistics(values);
  const format = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
  return `${head} · min ${format(s.min)} · max ${format(s.max)} · mean ${format(s.mean)} · std ${format(s.std)}`;
}

/** The MIME bundle of a tensor. */
export function tensorBundle(t: Tensor): MimeBundle {
  const values = t.dataSync();
  const summary = summaryLine(t, values);
  const bundle: MimeBundle = { "text/plain": t.toString() };
  const squeezed = t.shape.filter((d) => d !== 1);
  const cellFormat = (v: number): string => (t.dtype === "bool" ? String(v !== 0) : Number.isInteger(v) ? String(v) : v.toPrecision(5));

  if (squeezed.length <= 2 && t.numel() > 0 && squeezed.every((d) => d <= TABLE_LIMIT)) {
    const [rows, cols] = squeezed.length === 2 ? squeezed : [1, squeezed[0] ?? 1];
    const body = Array.from({ length: rows }, (_, r) => [String(r), ...Array.from({ length: cols }, (_, c) => cellFormat(values[r * cols + c]))]);
    const header = ["", ...Array.from({ length: cols }, (_, c) => String(c))];
    bundle["text/html"] = `<div class="paramlab-tensor"><div>${escapeHtml(summary)}</div>${htmlTable(header, body, { numericColumns: header.map((_, i) => i).slice(1) })}</div>`;
    return bundle;
  }
  if (squeezed.length === 2 && t.dtype !== "bool") {
    const [rows, cols] = squeezed;
    const z = Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
    const figure: Figure = {
      data: [{ type: "heatmap", z: z.reverse(), colorscale: "Viridis" }],
      layout: { title: { text: summary }, yaxis: { autorange: true }, margin: { t: 40, r: 20, b: 30, l: 40 } },
    };
    const plot = figureBundle(figure, t.toString());
    bundle[PLOTLY_MIME] = plot[PLOTLY_MIME];
    bundle["image/svg+xml"] = plot["image/svg+xml"];
  }
  bundle["text/html"] = `<div class="paramlab-tensor">${escapeHtml(summary)}</div>`;
  return bundle;
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    [DISPLAY](): MimeBundle;
  }
}

Object.defineProperty(Tensor.prototype, DISPLAY, {
  value: function (this: Tensor) {
    return tensorBundle(this);
  },
  configurable: true,
  writable: true,
});
