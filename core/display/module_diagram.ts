import type { ComplexityInput } from "../analysis/complexity/summary.js";
import { Module } from "../nn/module.js";
import { type Diagram, type DiagramNode, type DiagramOptions, tracedDiagram, treeDiagram } from "./module_graph.js";
import { DISPLAY, type MimeBundle, escapeHtml, htmlTable } from "./protocol.js";

/**
 * How a Module renders. The SVG architecture diagram has a box per layer with its name, type,
 * output shape and parameter count, containers as labeled groups, and dataflow edges, with skip
 * connections drawn as arcs on the right. The HTML adds a collapsible module tree and the
 * parameter table. A plain module shows its tree, and `architecture(model, inputShape)` traces it
 * for shapes and edges.
 */

const LEFT = 20;
const TOP = 20;
const BOX_WIDTH = 380;
const BOX_HEIGHT = 38;
const ROW_GAP = 14;
const HEADER = 20;
const INDENT = 14;
const LANE = 12;

const FILLS: [RegExp, string][] = [
  [/^Conv|Pool/, "#dbe9f6"],
  [/^Linear$|^Bilinear/, "#dff0d8"],
  [/Norm/, "#fcf3cf"],
  [/Attention|^Transformer/, "#e8dff5"],
  [/^(RNN|LSTM|GRU)/, "#fde2cf"],
  [/^Embedding|Positional/, "#d6f0ee"],
  [/ReLU|GELU|SiLU|ELU|Sigmoid|Tanh|Softmax|Softplus/, "#eeeeee"],
];

function fillOf(node: DiagramNode): string {
  if (node.type === "") return "#ffffff";
  return FILLS.find(([pattern]) => pattern.test(node.type))?.[1] ?? "#f7f7f7";
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

function shapeText(shapes: number[][]): string {
  return shapes.map((s) => `[${s.join(", ")}]`).join(" ");
}

/** Computes the vertical position of every box and group header, with a header row where each group starts. */
function rows(diagram: Diagram): { boxTop: number[]; groupTop: Map<number, number>; groupBottom: Map<number, number>; height: number } {
  const boxTop: number[] = [];
  const groupTop = new Map<number, number>();
  const groupBottom = new Map<number, number>();
  let y = TOP;
  diagram.nodes.forEach((_, i) => {
    const opening = diagram.groups.map((g, gi) => [g, gi] as const).filter(([g]) => g.first === i).sort(([a], [b]) => a.level - b.level);
    for (const [, gi] of opening) {
      groupTop.set(gi, y);
      y += HEADER;
    }
    boxTop.push(y);
    y += BOX_HEIGHT;
    const closing = diagram.groups.map((g, gi) => [g, gi] as const).filter(([g]) => g.last === i).sort(([a], [b]) => b.level - a.level);
    for (const [, gi] of closing) {
      y += 6;
      groupBottom.set(gi, y);
    }
    y += ROW_GAP;
  });
  return { boxTop, groupTop, groupBottom, height: y + TOP };
}

function boxSvg(node: DiagramNode, top: number): string {
  const x = LEFT + node.level * INDENT;
  const width = BOX_WIDTH - node.level * INDENT;
  const isEnd = node.type === "";
  const title = isEnd ? node.label : `${node.label}: ${node.type}${node.collapsed ? " (collapsed)" : ""}`;
  // About 7.5 px per character of 12 px bold sans-serif; longer titles get a smaller font.
  const titleSize = Math.min(12, Math.max(8, Math.floor((width - 16) / (title.length * 0.62))));
  const details = [node.shapes.length ? shapeText(node.shapes) : "", isEnd ? "" : `${formatCount(node.params)} params`].filter(Boolean).join(" · ");
  return (
    `<g class="layer" data-name="${escapeHtml(node.key)}">` +
    `<rect x="${x}" y="${top}" width="${width}" height="${BOX_HEIGHT}" rx="${isEnd ? 19 : 4}" fill="${fillOf(node)}" stroke="#555" stroke-dasharray="${node.collapsed ? "4 2" : "none"}"/>` +
    `<text x="${x + 8}" y="${top + 15}" font-size="${titleSize}" font-weight="bold">${escapeHtml(title)}</text>` +
    `<text x="${x + 8}" y="${top + 31}" font-size="11" fill="#333">${escapeHtml(details)}</text>` +
    `</g>`
  );
}

function edgeSvg(diagram: Diagram, edge: Diagram["edges"][number], lane: number, boxTop: number[]): string {
  const right = LEFT + BOX_WIDTH;
  const [from, to] = [diagram.nodes[edge.from], diagram.nodes[edge.to]];
  const label = edge.label ? `<text x="${right + 6 + lane * LANE}" y="${boxTop[edge.to] + 10}" font-size="10" fill="#a33">${escapeHtml(edge.label)}</text>` : "";
  if (edge.to === edge.from + 1) {
    const x = LEFT + Math.max(from.level, to.level) * INDENT + 40;
    return `<path d="M ${x} ${boxTop[edge.from] + BOX_HEIGHT} L ${x} ${boxTop[edge.to]}" stroke="#333" fill="none" marker-end="url(#arrow)"/>` +
      (edge.label ? `<text x="${x + 6}" y="${boxTop[edge.to] - 3}" font-size="10" fill="#a33">${escapeHtml(edge.label)}</text>` : "");
  }
  // Skip and back edges leave the right side of a box and arc to the right side of the target.
  const y1 = boxTop[edge.from] + BOX_HEIGHT / 2;
  const y2 = boxTop[edge.to] + BOX_HEIGHT / 2;
  const bulge = right + 18 + lane * LANE;
  const color = edge.to > edge.from ? "#1f5fa8" : "#a86a1f";
  return `<path class="skip" d="M ${right} ${y1} C ${bulge} ${y1}, ${bulge} ${y2}, ${right + 2} ${y2}" stroke="${color}" fill="none" marker-end="url(#arrow)"/>` + label;
}

/** Renders the diagram as a standalone SVG document. */
export function diagramSvg(diagram: Diagram): string {
  const { boxTop, groupTop, groupBottom, height } = rows(diagram);
  const arcs = diagram.edges.filter((e) => e.to !== e.from + 1).sort((a, b) => Math.abs(a.to - a.from) - Math.abs(b.to - b.from));
  const lanes = new Map(arcs.map((e, i) => [e, i]));
  const width = LEFT + BOX_WIDTH + 40 + arcs.length * LANE + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>`,
    `<title>${escapeHtml(`${diagram.title}: ${formatCount(diagram.totalParams)} parameters`)}</title>`,
  ];
  diagram.groups.forEach((group, gi) => {
    const x = LEFT + group.level * INDENT - 6;
    const top = groupTop.get(gi)!;
    const bottom = groupBottom.get(gi)!;
    parts.push(
      `<g class="group" data-name="${escapeHtml(group.name)}">` +
        `<rect x="${x}" y="${top}" width="${LEFT + BOX_WIDTH + 6 - x}" height="${bottom - top}" rx="6" fill="none" stroke="#999" stroke-dasharray="3 3"/>` +
        `<text x="${x + 6}" y="${top + 14}" font-size="11" fill="#555">${escapeHtml(`${group.name}: ${group.type} · ${formatCount(group.params)} params`)}</text></g>`,
    );
  });
  diagram.nodes.forEach((node, i) => parts.push(boxSvg(node, boxTop[i])));
  for (const edge of diagram.edges) parts.push(edgeSvg(diagram, edge, lanes.get(edge) ?? 0, boxTop));
  parts.push("</svg>");
  return parts.join("\n");
}

/** Renders the module and its children as a collapsible tree of nested <details> elements. */
function treeHtml(module: Module, name: string, level: number): string {
  const children = [...module.namedChildren()];
  const params = module.parameters().reduce((n, p) => n + p.numel(), 0);
  const line = `<code>${escapeHtml(name)}</code> ${escapeHtml(module.constructor.name)}(${escapeHtml(module.extraRepr())}) · ${formatCount(params)} params`;
  if (children.length === 0) return `<div style="margin-left:${level ? 16 : 0}px">${line}</div>`;
  const inner = children.map(([child, m]) => treeHtml(m, child, level + 1)).join("");
  return `<details${level < 2 ? " open" : ""} style="margin-left:${level ? 16 : 0}px"><summary>${line}</summary>${inner}</details>`;
}

function parameterTableHtml(module: Module): string {
  const rows = module.namedParameters().map(([name, p]) => [name, `[${p.shape.join(", ")}]`, p.dtype, formatCount(p.numel()), p.requiresGrad ? "yes" : "no"]);
  return htmlTable(["Parameter", "Shape", "dtype", "Count", "Trainable"], rows, { numericColumns: [3] });
}

function totalsLine(diagram: Diagram): string {
  return `Total params: ${formatCount(diagram.totalParams)} (trainable ${formatCount(diagram.trainableParams)})`;
}

/** Builds the MIME bundle of a module diagram: SVG, HTML (SVG, collapsible tree, parameter table) and text. */
export function diagramBundle(module: Module, diagram: Diagram): MimeBundle {
  const svg = diagramSvg(diagram);
  const note = diagram.traced ? "" : `<p><small>Module tree without shapes; <code>display.architecture(model, inputShape)</code> traces the dataflow.</small></p>`;
  const html =
    `<div class="paramlab-module">${svg}${note}` +
    `<details open><summary>Modules</summary>${treeHtml(module, diagram.title, 0)}</details>` +
    `<details><summary>Parameters · ${escapeHtml(totalsLine(diagram))}</summary>${parameterTableHtml(module)}</details></div>`;
  return { "image/svg+xml": svg, "text/html": html, "text/plain": `${module.toString()}\n${totalsLine(diagram)}` };
}

/** A traced architecture: the diagram data, its SVG and its display method. */
export interface Architecture {
  diagram: Diagram;
  svg: string;
  toString(): string;
  [DISPLAY](): MimeBundle;
}

/**
 * Draws the architecture diagram of `model`, traced on `input` (a shape, shapes or tensors, as in
 * analysis.complexity) for output shapes and dataflow edges, or the plain module tree without it.
 * `depth` folds deeper modules into their ancestor's box.
 *
 * ```ts
 * display(pl.display.architecture(net, [1, 3, 32, 32], { depth: 2 }));
 * ```
 */
export function architecture(model: Module, input?: ComplexityInput, options: DiagramOptions = {}): Architecture {
  const diagram = input === undefined ? treeDiagram(model, options) : tracedDiagram(model, input, options);
  const bundle = diagramBundle(model, diagram);
  return {
    diagram,
    svg: bundle["image/svg+xml"] as string,
    toString: () => bundle["text/plain"] as string,
    [DISPLAY]: () => bundle,
  };
}

declare module "../nn/module.js" {
  interface Module {
    [DISPLAY](): MimeBundle;
  }
}

Object.defineProperty(Module.prototype, DISPLAY, {
  value: function (this: Module) {
    return diagramBundle(this, treeDiagram(this));
  },
  configurable: true,
  writable: true,
});
