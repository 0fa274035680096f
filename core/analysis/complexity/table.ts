import { DISPLAY, type MimeBundle, htmlTable } from "../../display/protocol.js";
import type { ReceptiveField } from "./receptive_field.js";

/** One module of a complexity summary, with counts summed over its calls in the traced pass. */
export interface LayerSummary {
  /** The dotted name ("" for the model). */
  name: string;
  type: string;
  /** Nesting depth: 0 for the model, 1 for its children. */
  depth: number;
  /** The 1-based position among its parent's children. */
  index: number;
  leaf: boolean;
  /** How many times forward ran in the traced pass (0 for unused modules). */
  calls: number;
  /** The shapes of the tensors the last call returned. */
  outputShapes: number[][];
  /** Parameters of this module and its submodules, and those with requiresGrad. */
  params: number;
  trainableParams: number;
  /** Parameters registered on this module itself. */
  ownParams: number;
  /** FLOPs and MACs including the submodules' calls. */
  flops: number;
  macs: number;
  /** Bytes of the tensors this module returned. */
  activationBytes: number;
  /**
   * Wall time of its calls including submodules, in milliseconds: the median over `timingRuns`
   * passes that follow one warm-up pass.
   */
  timeMs: number;
  receptiveField: ReceptiveField | null;
}

export interface ComplexityTotals {
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  macs: number;
  /** Bytes of the outputs of every leaf call (the activations a backward pass would keep). */
  activationBytes: number;
  inputBytes: number;
  parameterBytes: number;
  /** Wall time of the whole forward pass in milliseconds, the median over `timingRuns` passes after a warm-up. */
  timeMs: number;
}

export interface ComplexitySummary {
  model: string;
  inputShapes: number[][];
  /** Every module in declaration order (namedModules), the model first. */
  layers: LayerSummary[];
  totals: ComplexityTotals;
  /** The receptive field after the last convolution or pooling layer of the first input's stack. */
  receptiveField: ReceptiveField | null;
  /** Module types that ran without a counting rule, so their FLOPs are missing from the totals. */
  uncounted: string[];
  /**
   * Functional ops found in a module's forward that have no FLOP rule, one entry per module, such
   * as "functional ops inside block.forward (Res): std — not counted"; their FLOPs are missing from the totals.
   */
  uncountedOps: string[];
  /** How many timed passes each time is the median of. */
  timingRuns: number;
  toString(): string;
  [DISPLAY](): MimeBundle;
}

function grouped(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function shapeText(shapes: number[][]): string {
  if (shapes.length === 0) return "--";
  return shapes.length === 1 ? `[${shapes[0].join(", ")}]` : shapes.map((s) => `[${s.join(", ")}]`).join(" ");
}

function fieldText(field: ReceptiveField | null): string {
  return field ? `${field.size.join("×")} / jump ${field.jump.join("×")}` : "";
}

/** Checks that no later sibling follows row i, so the next row at its depth comes after its parent's subtree. */
function isLastSibling(layers: readonly LayerSummary[], i: number): boolean {
  for (let j = i + 1; j < layers.length && layers[j].depth >= layers[i].depth; j++) if (layers[j].depth === layers[i].depth) return false;
  return true;
}

/** The tree prefix of a row as torchinfo draws it: "├─" or "└─", under "│    " for each ancestor that has later siblings. */
function treePrefix(layers: readonly LayerSummary[], i: number): string {
  const depth = layers[i].depth;
  if (depth === 0) return "";
  const levels: string[] = [];
  for (let level = 1; level < depth; level++) {
    let ancestor = i - 1;
    while (ancestor > 0 && layers[ancestor].depth !== level) ancestor--;
    levels.push(isLastSibling(layers, ancestor) ? "     " : "│    ");
  }
  return levels.join("") + (isLastSibling(layers, i) ? "└─" : "├─");
}

function layerLabel(layers: readonly LayerSummary[], i: number): string {
  const layer = layers[i];
  return layer.depth === 0 ? layer.type : `${treePrefix(layers, i)}${layer.type}: ${layer.depth}-${layer.index}`;
}

/** Parameters shown per row: a leaf's own count, or a parent's total marked "--" when its children hold them all. */
function paramText(layer: LayerSummary): string {
  if (layer.params === 0) return "--";
  return layer.leaf || layer.ownParams > 0 ? grouped(layer.leaf ? layer.params : layer.ownParams) : "--";
}

const column = (text: string, width: number, right = false): string => (right ? text.padStart(width) : text.padEnd(width));

/** The text/plain table, laid out like torchinfo's summary. */
export function summaryText(summary: Omit<ComplexitySummary, "toString" | typeof DISPLAY>): string {
  const t = summary.totals;
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(2);
  const labels = summary.layers.map((_, i) => layerLabel(summary.layers, i));
  const labelWidth = Math.max(40, ...labels.map((label) => label.length + 2));
  const rule = "=".repeat(labelWidth + 58);
  const lines = [
    rule,
    column("Layer (type:depth-idx)", labelWidth) + column("Output Shape", 22) + column("Param #", 12, true) + column("Mult-Adds", 12, true) + column("FLOPs", 12, true),
    rule,
  ];
  summary.layers.forEach((layer, i) => {
    const ran = layer.calls > 0;
    const macs = ran && layer.macs ? grouped(layer.macs) : "--";
    const flops = ran && layer.flops ? grouped(layer.flops) : "--";
    lines.push(column(labels[i], labelWidth) + column(shapeText(layer.outputShapes.slice(0, 1)), 22) + column(paramText(layer), 12, true) + column(macs, 12, true) + column(flops, 12, true));
  });
  lines.push(
    rule,
    `Total params: ${grouped(t.params)}`,
    `Trainable params: ${grouped(t.trainableParams)}`,
    `Non-trainable params: ${grouped(t.nonTrainableParams)}`,
    `Total mult-adds (M): ${(t.macs / 1e6).toFixed(2)}`,
    `Total FLOPs (M): ${(t.flops / 1e6).toFixed(2)}`,
  );
  if (summary.receptiveField) lines.push(`Receptive field: ${fieldText(summary.receptiveField)}`);
  if (summary.uncounted.length) lines.push(`Not counted (no FLOP rule): ${summary.uncounted.join(", ")}`);
  lines.push(...summary.uncountedOps);
  lines.push(`Forward time (ms): ${t.timeMs.toFixed(3)} (median of ${summary.timingRuns} after a warm-up)`);
  lines.push(
    rule,
    `Input size (MB): ${mb(t.inputBytes)}`,
    `Forward pass size (MB): ${mb(t.activationBytes)}`,
    `Params size (MB): ${mb(t.parameterBytes)}`,
    `Estimated Total Size (MB): ${mb(t.inputBytes + t.activationBytes + t.parameterBytes)}`,
    rule,
  );
  return lines.join("\n");
}

/** The HTML table: one row per module with every count, then the totals. */
export function summaryHtml(summary: Omit<ComplexitySummary, "toString" | typeof DISPLAY>): string {
  const header = ["Layer", "Type", "Output shape", "Params", "Trainable", "MACs", "FLOPs", "Activations (bytes)", "Receptive field", `Time (ms, median of ${summary.timingRuns})`];
  const rows = summary.layers.map((layer) => [
    `${"\u00a0\u00a0".repeat(layer.depth)}${layer.name || "(model)"}`,
    layer.type,
    shapeText(layer.outputShapes),
    grouped(layer.params),
    grouped(layer.trainableParams),
    grouped(layer.macs),
    grouped(layer.flops),
    grouped(layer.activationBytes),
    fieldText(layer.receptiveField),
    layer.timeMs.toFixed(3),
  ]);
  const t = summary.totals;
  rows.push(["Total", "", "", grouped(t.params), grouped(t.trainableParams), grouped(t.macs), grouped(t.flops), grouped(t.activationBytes), fieldText(summary.receptiveField), t.timeMs.toFixed(3)]);
  const caption = `${summary.model} on input ${summary.inputShapes.map((s) => `[${s.join(", ")}]`).join(", ")}` +
    (summary.uncounted.length ? ` (not counted: ${summary.uncounted.join(", ")})` : "") +
    summary.uncountedOps.map((ops) => ` (${ops})`).join("") +
    `; times are the median of ${summary.timingRuns} passes after a warm-up`;
  return htmlTable(header, rows, { caption, numericColumns: [3, 4, 5, 6, 7, 9] });
}

/** Adds toString and the display method to a summary's data. */
export function attachDisplay(data: Omit<ComplexitySummary, "toString" | typeof DISPLAY>): ComplexitySummary {
  const summary = data as ComplexitySummary;
  Object.defineProperty(summary, "toString", { value: () => summaryText(data), enumerable: false });
  Object.defineProperty(summary, DISPLAY, { value: (): MimeBundle => ({ "text/plain": summaryText(data), "text/html": summaryHtml(data) }), enumerable: false });
  return summary;
}
