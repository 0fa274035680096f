import type { Figure, Trace } from "./figure.js";
import { escapeHtml } from "./protocol.js";

/**
 * A static SVG drawing of a Plotly figure, the fallback where Plotly's JavaScript does not run
 * (GitHub's notebook viewer, plain-text exports). It draws line and marker scatters, bars and
 * histograms against linear or log axes, a second y-axis on the right ("y2"), and heatmaps,
 * contours and surfaces as a colored grid with a color scale. Traces on other axes are left out
 * of the drawing and its legend.
 */

const WIDTH = 700;
const HEIGHT = 400;
const MARGIN = { top: 40, right: 170, bottom: 50, left: 70 };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** About five round tick values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [];
  if (low === high) return [low];
  const rough = (high - low) / count;
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

function numeric(values: readonly (number | string)[] | undefined, length: number): number[] {
  if (!values) return Array.from({ length }, (_, i) => i);
  return values.map((v, i) => (typeof v === "number" ? v : i));
}

/** A viridis-like color ramp for t in [0, 1]. */
function rampColor(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const [r, g, b] = stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
  return `rgb(${r},${g},${b})`;
}

function axisType(figure: Figure, name: "xaxis" | "yaxis"): string {
  return ((figure.layout[name] as { type?: string } | undefined)?.type ?? "linear") as string;
}

function axisTitle(figure: Figure, name: "xaxis" | "yaxis"): string {
  const title = (figure.layout[name] as { title?: { text?: string } | string } | undefined)?.title;
  return typeof title === "string" ? title : (title?.text ?? "");
}

/** The smallest gap between neighbouring x values of the bar traces, or 0 without bars. */
function barSpacingOf(traces: readonly Trace[]): number {
  let spacing = Infinity;
  for (const trace of traces) {
    if (trace.type !== "bar") continue;
    const xs = numeric(trace.x, (trace.y ?? []).length).sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i++) if (xs[i] > xs[i - 1]) spacing = Math.min(spacing, xs[i] - xs[i - 1]);
    if (xs.length === 1) spacing = Math.min(spacing, 1);
  }
  return Number.isFinite(spacing) ? spacing : 0;
}

export function renderSvg(figure: Figure): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const title = typeof figure.layout.title === "string" ? figure.layout.title : (figure.layout.title?.text ?? "");
  const parts: string[] = [];
  const onAxis = (trace: Trace, axis: string): boolean => (trace.yaxis ?? "y") === axis;
  const primary = figure.data.filter((t) => onAxis(t, "y"));
  const secondary = figure.data.filter((t) => onAxis(t, "y2") && t.type === "scatter");
  const grids = primary.filter((t) => t.type === "heatmap" || t.type === "contour" || t.type === "surface");
  const logY = axisType(figure, "yaxis") === "log";
  const transformY = (v: number): number => (logY ? Math.log10(v) : v);

  // Data ranges over every trace.
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  const expand = (x: number, y: number): void => {
    if (Number.isFinite(x)) [xMin, xMax] = [Math.min(xMin, x), Math.max(xMax, x)];
    if (Number.isFinite(y)) [yMin, yMax] = [Math.min(yMin, y), Math.max(yMax, y)];
  };
  for (const trace of primary) {
    if (trace.z) {
      const rows = trace.z.length;
      const cols = rows ? trace.z[0].length : 0;
      const xs = numeric(trace.x, cols);
      const ys = numeric(trace.y, rows);
      xs.forEach((x) => expand(x, NaN));
      ys.forEach((y) => expand(NaN, y));
    } else if (trace.type === "histogram") {
      const values = (trace.x ?? []).map(Number);
      values.forEach((v) => expand(v, 0));
    } else {
      const ys = (trace.y ?? []).map(Number);
      const xs = numeric(trace.x, ys.length);
      xs.forEach((x, i) => expand(x, transformY(ys[i])));
      if (trace.type === "bar") expand(NaN, 0);
    }
  }
  for (const trace of secondary) numeric(trace.x, (trace.y ?? []).length).forEach((x) => expand(x, NaN));
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (xMin === xMax) [xMin, xMax] = [xMin - 0.5, xMax + 0.5];
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  // Bars are centred on their x values, so the x range gets half a bar of room on each side.
  const barSpacing = barSpacingOf(primary);
  if (barSpacing > 0) [xMin, xMax] = [xMin - barSpacing / 2, xMax + barSpacing / 2];
  if (grids.length === 0) {
    const room = (yMax - yMin) * 0.05;
    yMax += room;
    if (yMin < 0) yMin -= room;
  }
  const sx = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (y: number): number => MARGIN.top + plotHeight - ((y - yMin) / (yMax - yMin)) * plotHeight;

  // Heatmap-like traces: one rectangle per cell, colored by z.
  for (const trace of grids) {
    const z = trace.z ?? [];
    const rows = z.length;
    const cols = rows ? z[0].length : 0;
    const flat = z.flat().filter(Number.isFinite);
    const [zMin, zMax] = [Math.min(...flat), Math.max(...flat)];
    const cellWidth = plotWidth / Math.max(cols, 1);
    const cellHeight = plotHeight / Math.max(rows, 1);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const t = zMax > zMin ? (z[r][c] - zMin) / (zMax - zMin) : 0.5;
        parts.push(`<rect x="${(MARGIN.left + c * cellWidth).toFixed(1)}" y="${(MARGIN.top + plotHeight - (r + 1) * cellHeight).toFixed(1)}" width="${(cellWidth + 0.5).toFixed(1)}" height="${(cellHeight + 0.5).toFixed(1)}" fill="${rampColor(t)}"/>`);
      }
    }
  }

  // Heatmap-like traces get a color scale in the legend area, from the smallest to the largest z.
  if (grids.length > 0) {
    const flat = grids.flatMap((t) => (t.z ?? []).flat()).filter(Number.isFinite);
    const [zMin, zMax] = [Math.min(...flat), Math.max(...flat)];
    const [barX, barTop, barHeight] = [WIDTH - MARGIN.right + 20, MARGIN.top, plotHeight];
    for (let k = 0; k < 40; k++) {
      parts.push(`<rect x="${barX}" y="${(barTop + (k * barHeight) / 40).toFixed(1)}" width="14" height="${(barHeight / 40 + 0.5).toFixed(1)}" fill="${rampColor(1 - k / 39)}"/>`);
    }
    for (const z of niceTicks(zMin, zMax)) {
      const y = barTop + barHeight - ((z - zMin) / (zMax - zMin || 1)) * barHeight;
      parts.push(`<text x="${barX + 18}" y="${(y + 4).toFixed(1)}">${escapeHtml(formatTick(z))}</text>`);
    }
  }

  // Axes, ticks and grid lines.
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`);
  for (const x of niceTicks(xMin, xMax)) {
    parts.push(`<line x1="${sx(x).toFixed(1)}" y1="${MARGIN.top + plotHeight}" x2="${sx(x).toFixed(1)}" y2="${MARGIN.top + plotHeight + 5}" stroke="#444"/>`);
    parts.push(`<text x="${sx(x).toFixed(1)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${escapeHtml(formatTick(x))}</text>`);
  }
  for (const y of niceTicks(yMin, yMax)) {
    const gridEnd = grids.length > 0 ? MARGIN.left : MARGIN.left + plotWidth;
    parts.push(`<line x1="${MARGIN.left - 5}" y1="${sy(y).toFixed(1)}" x2="${gridEnd}" y2="${sy(y).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatTick(logY ? Math.pow(10, y) : y))}</text>`);
  }

  // A second y-axis on the right for "y2" traces, with its own range.
  let [y2Min, y2Max] = [Infinity, -Infinity];
  for (const trace of secondary) for (const v of (trace.y ?? []).map(Number)) if (Number.isFinite(v)) [y2Min, y2Max] = [Math.min(y2Min, v), Math.max(y2Max, v)];
  const y2Range = (figure.layout.yaxis2 as { range?: number[] } | undefined)?.range;
  if (y2Range && y2Range.length === 2) [y2Min, y2Max] = [y2Range[0], y2Range[1]];
  if (y2Min === y2Max) [y2Min, y2Max] = [y2Min - 0.5, y2Max + 0.5];
  const sy2 = (y: number): number => MARGIN.top + plotHeight - ((y - y2Min) / (y2Max - y2Min)) * plotHeight;
  if (secondary.length > 0 && Number.isFinite(y2Min)) {
    for (const y of niceTicks(y2Min, y2Max)) {
      parts.push(`<line x1="${MARGIN.left + plotWidth}" y1="${sy2(y).toFixed(1)}" x2="${MARGIN.left + plotWidth + 5}" y2="${sy2(y).toFixed(1)}" stroke="#444"/>`);
      parts.push(`<text x="${MARGIN.left + plotWidth + 8}" y="${(sy2(y) + 4).toFixed(1)}">${escapeHtml(formatTick(y))}</text>`);
    }
  }

  // Lines, markers and bars, with a legend entry per named trace.
  let legendRow = 0;
  const legendX = WIDTH - MARGIN.right + (secondary.length > 0 ? 45 : 10);
  [...primary, ...secondary].forEach((trace: Trace, index) => {
    const scaleY = onAxis(trace, "y2") ? sy2 : (v: number): number => sy(transformY(v));
    const color = (trace.line?.color as string | undefined) ?? (trace.marker?.color as string | undefined) ?? COLORS[index % COLORS.length];
    if (trace.type === "scatter") {
      const ys = (trace.y ?? []).map(Number);
      const xs = numeric(trace.x, ys.length);
      const points = xs.map((x, i) => [sx(x), scaleY(ys[i])]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      if ((trace.mode ?? "lines").includes("lines") && points.length > 1) {
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}"/>`);
      }
      if ((trace.mode ?? "").includes("markers")) {
        for (const [x, y] of points) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${color}"/>`);
      }
    } else if (trace.type === "bar") {
      const ys = (trace.y ?? []).map(Number);
      const xs = numeric(trace.x, ys.length);
      const width = barSpacing > 0 ? ((barSpacing / (xMax - xMin)) * plotWidth) * 0.7 : plotWidth * 0.7;
      xs.forEach((x, i) => {
        const [top, base] = [sy(Math.max(ys[i], 0)), sy(Math.min(ys[i], 0))];
        parts.push(`<rect x="${(sx(x) - width / 2).toFixed(1)}" y="${top.toFixed(1)}" width="${width.toFixed(1)}" height="${Math.max(base - top, 0.5).toFixed(1)}" fill="${color}"/>`);
      });
    } else if (trace.type === "histogram") {
      const values = (trace.x ?? []).map(Number).filter(Number.isFinite);
      const bins = 30;
      const counts = new Array(bins).fill(0);
      for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - xMin) / (xMax - xMin)) * bins))]++;
      const peak = Math.max(...counts, 1);
      counts.forEach((count, b) => {
        const height = (count / peak) * plotHeight;
        parts.push(`<rect x="${(MARGIN.left + (b * plotWidth) / bins).toFixed(1)}" y="${(MARGIN.top + plotHeight - height).toFixed(1)}" width="${(plotWidth / bins - 1).toFixed(1)}" height="${height.toFixed(1)}" fill="${color}"/>`);
      });
    }
    if (trace.name && !trace.z) {
      const y = MARGIN.top + 10 + legendRow++ * 18;
      parts.push(`<rect x="${legendX}" y="${y - 8}" width="12" height="8" fill="${color}"/>`);
      parts.push(`<text x="${legendX + 18}" y="${y}">${escapeHtml(trace.name)}</text>`);
    }
  });

  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeHtml(title)}</text>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeHtml(axisTitle(figure, "xaxis"))}</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(axisTitle(figure, "yaxis"))}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">${parts.join("")}</svg>`;
}
