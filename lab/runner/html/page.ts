// Exports an executed notebook as one self-contained HTML page: no request leaves the page.
import { randomBytes } from "node:crypto";
import { joinSource, type Cell, type Notebook } from "../notebook.js";
import { inlineKatexCss, inlinePlotlyJs } from "./assets.js";
import { renderMarkdown } from "./markdown.js";
import { OutputRenderer, type PageNeeds } from "./outputs.js";
import { escapeHtml } from "./sanitize.js";
import { PAGE_CSS } from "./style.js";

export interface HtmlOptions {
  /** The page title (default: the first heading, else "Notebook"). */
  title?: string;
}

/**
 * Renders `notebook` as a page that embeds its CSS, KaTeX fonts and Plotly, so it opens offline.
 * Notebook HTML and markdown are sanitized, and a Content-Security-Policy allows only the
 * page's own scripts, so a script inside an output cannot run.
 */
export function renderHtml(notebook: Notebook, options: HtmlOptions = {}): string {
  const outputs = new OutputRenderer();
  const needs: PageNeeds = outputs.needs;
  const body = notebook.cells.map((cell) => renderCell(cell, outputs, needs)).join("\n");
  const title = options.title ?? firstHeading(notebook) ?? "Notebook";
  const nonce = randomBytes(16).toString("base64");
  const csp = [
    "default-src 'none'",
    "img-src data:",
    "font-src data:",
    "style-src 'unsafe-inline'",
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="paramlab run">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
${needs.math ? `<style>${inlineKatexCss()}</style>` : ""}
</head>
<body>
<main>
${failureBanner(notebook)}${body}
</main>
${needs.plotly ? plotlyScripts(nonce) : ""}
</body>
</html>
`;
}

function renderCell(cell: Cell, outputs: OutputRenderer, needs: PageNeeds): string {
  if (cell.cell_type === "markdown") {
    const rendered = renderMarkdown(joinSource(cell.source), cell.attachments);
    needs.math ||= rendered.hasMath;
    return `<section class="cell markdown" id="cell-${escapeHtml(cell.id)}">${rendered.html}</section>`;
  }
  if (cell.cell_type !== "code") return "";
  const count = cell.execution_count ?? " ";
  const rendered = (cell.outputs ?? []).map((output) => outputs.render(output)).join("");
  return `<section class="cell code" id="cell-${escapeHtml(cell.id)}">
<div class="prompt">In [${count}]:</div>
<div class="source"><pre><code>${escapeHtml(joinSource(cell.source))}</code></pre></div>
${rendered}
</section>`;
}

function failureBanner(notebook: Notebook): string {
  const run = notebook.metadata.paramlab as { status?: string; failed_cell?: { id: string; ename: string; evalue: string } } | undefined;
  if (run?.status !== "failed" || run.failed_cell === undefined) return "";
  const { id, ename, evalue } = run.failed_cell;
  return `<div class="failed-banner">The run stopped at <a href="#cell-${escapeHtml(id)}">a cell</a> that raised ${escapeHtml(ename)}: ${escapeHtml(evalue)}</div>\n`;
}

function firstHeading(notebook: Notebook): string | undefined {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const heading = /^#{1,6}\s+(.+)$/m.exec(joinSource(cell.source));
    if (heading !== null) return heading[1].trim();
  }
  return undefined;
}

// Plotly is inlined once; each figure's JSON sits in a script element of type application/json.
function plotlyScripts(nonce: string): string {
  const draw = `
for (const element of document.querySelectorAll('script[type="application/json"][data-plot]')) {
  const target = document.getElementById(element.dataset.plot);
  const figure = JSON.parse(element.textContent);
  const config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
  Plotly.newPlot(target, figure.data || [], Object.assign({ autosize: true }, figure.layout || {}), config);
}`;
  return `<script nonce="${nonce}">${inlinePlotlyJs()}</script>\n<script nonce="${nonce}">${draw}</script>`;
}
