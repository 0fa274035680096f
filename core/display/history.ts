import { History, formatNumber } from "../train/history.js";
import { type Figure, PLOTLY_MIME } from "./figure.js";
import { renderSvg } from "./svg.js";
import { DISPLAY, type MimeBundle, htmlTable } from "./protocol.js";

/**
 * Builds the picture of a training History: loss per step and per epoch, the other metrics on a
 * second axis, and the learning rate, as one Plotly figure with an SVG fallback and a text table.
 */
export function historyFigure(history: History): Figure {
  const data: Figure["data"] = [];
  const stepX = history.steps.map((s) => s.step);
  if (history.steps.length > 0) {
    data.push({ type: "scatter", mode: "lines", name: "loss (step)", x: stepX, y: history.steps.map((s) => s.loss), line: { width: 1, color: "#9ecae1" } });
  }

  const stepsPerEpoch = history.epochs.length ? history.steps.filter((s) => s.epoch === history.epochs[0].epoch).length : 0;
  const epochX = history.epochs.map((row) => row.epoch * Math.max(stepsPerEpoch, 1));
  const metricValues: number[] = [];
  const stepMetrics = new Set<string>();
  for (const row of history.steps) for (const key of Object.keys(row)) if (!["step", "epoch", "loss", "lr"].includes(key)) stepMetrics.add(key);
  for (const name of stepMetrics) {
    const values = history.steps.map((row) => row[name] ?? NaN);
    metricValues.push(...values);
    data.push({ type: "scatter", mode: "lines", name: `${name} (step)`, x: stepX, y: values, yaxis: "y2", line: { width: 1, color: "#fdd0a2" } });
  }
  for (const name of history.metricNames()) {
    if (name === "lr") continue;
    const values = history.epochs.map((row) => row[name] ?? NaN);
    const isLoss = name.toLowerCase().includes("loss");
    if (!isLoss) metricValues.push(...values);
    data.push({ type: "scatter", mode: "lines+markers", name: `${name} (epoch)`, x: epochX, y: values, yaxis: isLoss ? "y" : "y2" });
  }

  const lrs = history.stepMetric("lr");
  if (lrs.length > 0 && new Set(lrs).size > 1) {
    data.push({ type: "scatter", mode: "lines", name: "learning rate", x: stepX, y: lrs, yaxis: "y3", line: { dash: "dot", color: "#7f7f7f" } });
  }

  // Metrics such as accuracy lie in [0, 1], and a fixed range keeps a single epoch's point readable.
  const finite = metricValues.filter(Number.isFinite);
  const unitRange = finite.length > 0 && finite.every((v) => v >= 0 && v <= 1);
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  return {
    data,
    layout: {
      title: { text: `Training history (${plural(history.epochs.length, "epoch")}, ${plural(history.steps.length, "step")})` },
      xaxis: { title: { text: "step" }, domain: [0, 0.85] },
      yaxis: { title: { text: "loss" } },
      yaxis2: { title: { text: "metric" }, overlaying: "y", side: "right", zeroline: false, showgrid: false, ...(unitRange ? { range: [0, 1] } : {}) },
      yaxis3: { title: { text: "lr" }, overlaying: "y", side: "right", position: 0.95, anchor: "free", showgrid: false, zeroline: false },
      legend: { orientation: "h", y: -0.2 },
      margin: { t: 40, r: 80, b: 60, l: 60 },
    },
  };
}

export function historyBundle(history: History): MimeBundle {
  const names = history.metricNames();
  const rows = history.epochs.map((row) => [row.epoch, ...names.map((name) => (typeof row[name] === "number" ? formatNumber(row[name] as number) : ""))]);
  const figure = historyFigure(history);
  const stopped = history.stopReason ? `<p>Stopped: ${history.stopReason.replace(/</g, "&lt;")}</p>` : "";
  return {
    [PLOTLY_MIME]: figure,
    "image/svg+xml": renderSvg(figure),
    "text/html": htmlTable(["epoch", ...names], rows, { numericColumns: names.map((_, i) => i + 1) }) + stopped,
    "text/plain": history.toString(),
  };
}

declare module "../train/history.js" {
  interface History {
    [DISPLAY](): MimeBundle;
  }
}

Object.defineProperty(History.prototype, DISPLAY, {
  value: function (this: History) {
    return historyBundle(this);
  },
  configurable: true,
  writable: true,
});
