// Renders notebook outputs (nbformat 4 output objects) into DOM elements.
import { AnsiUp } from "ansi_up";
import { latexBody, renderMarkdown, renderTex, sanitize } from "./markdown.js";

export type Output = Record<string, unknown> & { output_type: string };

/** MIME types in the order the renderer prefers them. */
const MIME_ORDER = [
  "application/vnd.plotly.v1+json",
  "text/html",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "text/markdown",
  "text/latex",
  "application/json",
  "text/plain",
];

export function joinText(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** Renders one output; `trusted` lets HTML and SVG through unsanitized. */
export function renderOutput(output: Output, trusted: boolean): HTMLElement {
  const element = document.createElement("div");
  element.className = `output output-${output.output_type}`;
  if (output.output_type === "stream") {
    element.classList.add(`output-${String(output.name)}`);
    element.append(ansiBlock(joinText(output.text)));
  } else if (output.output_type === "error") {
    const traceback = Array.isArray(output.traceback) && output.traceback.length > 0 ? output.traceback.join("\n") : `${String(output.ename)}: ${String(output.evalue)}`;
    element.append(ansiBlock(traceback));
  } else {
    renderBundle(element, (output.data ?? {}) as Record<string, unknown>, trusted);
  }
  return element;
}

function renderBundle(element: HTMLElement, data: Record<string, unknown>, trusted: boolean): void {
  const mime = MIME_ORDER.find((type) => data[type] !== undefined) ?? Object.keys(data).find((type) => type.startsWith("text/"));
  if (mime === undefined) {
    element.textContent = `(no renderable output; MIME types: ${Object.keys(data).join(", ") || "none"})`;
    return;
  }
  element.dataset.mime = mime;
  const value = data[mime];
  switch (mime) {
    case "application/vnd.plotly.v1+json":
      renderPlotly(element, value as PlotlyFigure, data);
      break;
    case "text/html":
      setHtml(element, joinText(value), trusted);
      break;
    case "image/svg+xml":
      setHtml(element, joinText(value), trusted);
      break;
    case "image/png":
    case "image/jpeg": {
      const image = document.createElement("img");
      image.src = `data:${mime};base64,${joinText(value).replace(/\s/g, "")}`;
      element.append(image);
      break;
    }
    case "text/markdown":
      element.innerHTML = renderMarkdown(joinText(value), trusted);
      break;
    case "text/latex": {
      const { tex, display } = latexBody(joinText(value));
      element.innerHTML = renderTex(tex, display);
      break;
    }
    case "application/json": {
      const pre = document.createElement("pre");
      pre.textContent = JSON.stringify(value, null, 2);
      element.append(pre);
      break;
    }
    default:
      element.append(ansiBlock(joinText(value)));
  }
}

function setHtml(element: HTMLElement, html: string, trusted: boolean): void {
  if (!trusted) {
    element.innerHTML = sanitize(html);
    return;
  }
  // A trusted output's scripts run, as in Jupyter: scripts set through innerHTML do not run,
  // so each one is replaced by a fresh element.
  element.innerHTML = html;
  for (const old of Array.from(element.querySelectorAll("script"))) {
    const script = document.createElement("script");
    for (const attribute of Array.from(old.attributes)) script.setAttribute(attribute.name, attribute.value);
    script.textContent = old.textContent;
    old.replaceWith(script);
  }
}

function ansiBlock(text: string): HTMLElement {
  const pre = document.createElement("pre");
  const converter = new AnsiUp();
  converter.use_classes = true;
  pre.innerHTML = converter.ansi_to_html(text);
  return pre;
}

interface PlotlyFigure {
  data?: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: unknown[];
}

interface PlotlyApi {
  newPlot(element: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
}

let plotlyLoading: Promise<PlotlyApi> | undefined;

/** Loads the plotly.js that the lab serves, once, on the first plot. */
function loadPlotly(): Promise<PlotlyApi> {
  plotlyLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/static/vendor/plotly.min.js";
    script.onload = () => resolve((window as unknown as { Plotly: PlotlyApi }).Plotly);
    script.onerror = () => reject(new Error("plotly.js failed to load from /static/vendor/plotly.min.js"));
    document.head.append(script);
  });
  return plotlyLoading;
}

function renderPlotly(element: HTMLElement, figure: PlotlyFigure, data: Record<string, unknown>): void {
  const plot = document.createElement("div");
  plot.className = "plotly-output";
  element.append(plot);
  loadPlotly()
    .then((Plotly) => Plotly.newPlot(plot, figure.data ?? [], { autosize: true, ...figure.layout }, { responsive: true, ...figure.config }))
    .then(() => element.classList.add("plotly-rendered"))
    .catch((error: Error) => {
      plot.remove();
      const fallback = data["text/plain"] === undefined ? "" : `\n${joinText(data["text/plain"])}`;
      element.append(ansiBlock(`The Plotly figure could not render: ${error.message}${fallback}`));
    });
}
