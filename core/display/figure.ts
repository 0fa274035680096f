import type { MimeBundle } from "./protocol.js";
import { renderSvg } from "./svg.js";

/**
 * Plotly figures: plain JSON objects of traces and a layout, published under
 * `application/vnd.plotly.v1+json` with an SVG fallback and a text summary, so they render in
 * paramlab's lab, JupyterLab, VS Code and exported HTML.
 */

export interface Trace {
  type: "scatter" | "bar" | "heatmap" | "contour" | "surface" | "histogram";
  name?: string;
  x?: readonly (number | string)[];
  y?: readonly (number | string)[];
  z?: readonly (readonly number[])[];
  mode?: "lines" | "markers" | "lines+markers" | "text";
  xaxis?: string;
  yaxis?: string;
  line?: Record<string, unknown>;
  marker?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout: Record<string, unknown> & { title?: { text: string } | string };
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

export function titleOf(figure: Figure): string {
  const title = figure.layout.title;
  return typeof title === "string" ? title : (title?.text ?? "");
}

/** The MIME bundle of a figure: Plotly JSON, an SVG drawing of it and a text summary. */
export function figureBundle(figure: Figure, summary: string): MimeBundle {
  return {
    [PLOTLY_MIME]: figure,
    "image/svg+xml": renderSvg(figure),
    "text/plain": summary,
  };
}

/** A figure of named lines over shared or separate x values. */
export function lineFigure(
  series: readonly { name: string; x: readonly number[]; y: readonly number[]; yaxis?: "y" | "y2" }[],
  options: { title?: string; xTitle?: string; yTitle?: string; y2Title?: string; logY?: boolean } = {},
): Figure {
  const layout: Figure["layout"] = {
    title: { text: options.title ?? "" },
    xaxis: { title: { text: options.xTitle ?? "" } },
    yaxis: { title: { text: options.yTitle ?? "" }, type: options.logY ? "log" : "linear" },
    margin: { t: 40, r: 20, b: 50, l: 60 },
  };
  if (series.some((s) => s.yaxis === "y2")) layout.yaxis2 = { title: { text: options.y2Title ?? "" }, overlaying: "y", side: "right" };
  return {
    data: series.map((s) => ({ type: "scatter", mode: "lines", name: s.name, x: [...s.x], y: [...s.y], yaxis: s.yaxis ?? "y" })),
    layout,
  };
}
