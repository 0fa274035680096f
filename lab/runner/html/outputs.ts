// Renders cell outputs to HTML, choosing the richest MIME type that a static page can show.
import { randomBytes } from "node:crypto";
import { AnsiUp } from "ansi_up";
import type { Output } from "../notebook.js";
import { renderMarkdown } from "./markdown.js";
import { renderLatexOutput } from "./math.js";
import { escapeHtml, sanitizeHtml } from "./sanitize.js";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** MIME types in the order of preference. */
const MIME_ORDER = [PLOTLY_MIME, "text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/latex", "text/markdown", "text/plain"];

/** Assets that the page around the outputs must include. */
export interface PageNeeds {
  math: boolean;
  plotly: boolean;
}

/** Renders outputs one by one; plots get numbered ids unique within the page. */
export class OutputRenderer {
  readonly needs: PageNeeds = { math: false, plotly: false };
  private plots = 0;
  // A random prefix keeps plot ids apart from any id that sanitized output HTML may carry.
  private readonly idPrefix = `plot-${randomBytes(4).toString("hex")}`;

  render(output: Output): string {
    switch (output.output_type) {
      case "stream":
        return `<pre class="output stream ${output.name}">${ansiToHtml(text(output.text))}</pre>`;
      case "error":
        return `<pre class="output error">${ansiToHtml(output.traceback.join("\n") || `${output.ename}: ${output.evalue}`)}</pre>`;
      default:
        return `<div class="output ${output.output_type}">${this.renderBundle(output.data)}</div>`;
    }
  }

  private renderBundle(data: Record<string, unknown>): string {
    const mime = MIME_ORDER.find((type) => data[type] !== undefined);
    if (mime === undefined) return "";
    const value = data[mime];
    switch (mime) {
      case PLOTLY_MIME: {
        const rest = { ...data };
        delete rest[PLOTLY_MIME];
        return this.renderPlotly(value, this.renderBundle(rest));
      }
      case "text/html":
        return `<div class="html">${sanitizeHtml(text(value))}</div>`;
      case "image/svg+xml":
        return `<img class="image" alt="figure" src="data:image/svg+xml;base64,${Buffer.from(text(value)).toString("base64")}">`;
      case "text/latex":
        this.needs.math = true;
        return renderLatexOutput(text(value));
      case "text/markdown": {
        const rendered = renderMarkdown(text(value));
        this.needs.math ||= rendered.hasMath;
        return `<div class="markdown">${rendered.html}</div>`;
      }
      case "text/plain":
        return `<pre>${ansiToHtml(text(value))}</pre>`;
      default:
        return renderImage(mime, text(value));
    }
  }

  private renderPlotly(value: unknown, fallback: string): string {
    let figure = value;
    if (typeof value === "string") {
      try {
        figure = JSON.parse(value) as unknown;
      } catch {
        return fallback;
      }
    }
    this.needs.plotly = true;
    const id = `${this.idPrefix}-${++this.plots}`;
    // "<" is escaped so that no "</script>" inside the figure's strings can end the element.
    const json = JSON.stringify(figure).replace(/</g, "\\u003c");
    return `<div class="plotly-figure" id="${id}"></div><script type="application/json" data-plot="${id}">${json}</script>`;
  }
}

function renderImage(mime: string, base64: string): string {
  const data = base64.replace(/\s/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return `<pre>invalid ${escapeHtml(mime)} data</pre>`;
  return `<img class="image" alt="figure" src="data:${mime};base64,${data}">`;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : JSON.stringify(value);
}

// ansi_up escapes "<", ">" and "&" and turns SGR color codes into styled spans.
function ansiToHtml(value: string): string {
  const ansi = new AnsiUp();
  ansi.use_classes = false;
  return ansi.ansi_to_html(value);
}
