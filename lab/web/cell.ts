// One notebook cell on the page: its editor, prompt, outputs and nbformat JSON. The cell keeps
// the JSON object it was loaded from and changes only the fields that were edited or run, so
// an unedited notebook saves byte for byte as it was read.
import type { EditorView } from "@codemirror/view";
import { createEditor, type EditorHost } from "./editor.js";
import { renderMarkdown } from "./markdown.js";
import { joinText, renderOutput, type Output } from "./outputs.js";

export type CellType = "code" | "markdown" | "raw";

export class CellView {
  readonly element = document.createElement("div");
  readonly cellType: CellType;
  private readonly prompt = document.createElement("div");
  private readonly editorHolder = document.createElement("div");
  private readonly rendered = document.createElement("div");
  private readonly outputArea = document.createElement("div");
  readonly editor: EditorView;
  private readonly originalText: string;
  outputs: Output[];
  executionCount: number | null;
  private outputsChanged = false;
  private clearOnNextOutput = false;
  running = false;

  constructor(
    private readonly original: Record<string, unknown>,
    host: EditorHost,
    private readonly isTrusted: () => boolean,
  ) {
    this.cellType = original.cell_type === "markdown" || original.cell_type === "raw" ? original.cell_type : "code";
    this.originalText = joinText(original.source);
    this.outputs = Array.isArray(original.outputs) ? (original.outputs as Output[]) : [];
    this.executionCount = typeof original.execution_count === "number" ? original.execution_count : null;

    this.element.className = `cell cell-${this.cellType}`;
    this.prompt.className = "prompt";
    this.editorHolder.className = "editor";
    this.rendered.className = "rendered-markdown";
    this.outputArea.className = "outputs";
    const body = document.createElement("div");
    body.className = "cell-body";
    body.append(this.editorHolder, this.rendered, this.outputArea);
    this.element.append(this.prompt, body);
    this.editor = createEditor(this.editorHolder, this.originalText, this.cellType === "code" ? "typescript" : "markdown", host);
    this.rendered.addEventListener("dblclick", () => this.edit());

    this.updatePrompt();
    this.renderOutputs();
    if (this.cellType === "markdown") this.renderMarkdown();
  }

  get id(): string {
    return typeof this.original.id === "string" ? this.original.id : "";
  }

  text(): string {
    return this.editor.state.doc.toString();
  }

  /** Returns the cell's nbformat JSON: the loaded object with its edited source and new outputs. */
  toJSON(): Record<string, unknown> {
    const cell: Record<string, unknown> = { ...this.original };
    const text = this.text();
    if (text !== this.originalText) cell.source = Array.isArray(this.original.source) ? splitLines(text) : text;
    if (this.cellType === "code" && this.outputsChanged) {
      cell.execution_count = this.executionCount;
      cell.outputs = this.outputs;
    }
    return cell;
  }

  /** Returns the JSON of a cell of another type with the same id, metadata and source. */
  convertedJSON(cellType: CellType): Record<string, unknown> {
    const json: Record<string, unknown> = { cell_type: cellType, id: this.original.id, metadata: this.original.metadata ?? {}, source: this.toJSON().source };
    if (cellType === "code") Object.assign(json, { execution_count: null, outputs: [] });
    return json;
  }

  edit(): void {
    this.element.classList.add("editing");
    this.editorHolder.hidden = false;
    this.rendered.hidden = true;
    this.editor.focus();
  }

  renderMarkdown(): void {
    if (this.cellType !== "markdown") return;
    this.rendered.innerHTML = renderMarkdown(this.text(), this.isTrusted()) || "<p class='placeholder'>(empty Markdown cell)</p>";
    this.rendered.hidden = false;
    this.editorHolder.hidden = true;
    this.element.classList.remove("editing");
  }

  startRun(): void {
    this.running = true;
    this.clearOnNextOutput = false;
    this.outputs = [];
    this.outputsChanged = true;
    this.updatePrompt();
    this.renderOutputs();
  }

  finishRun(executionCount: number | null): void {
    this.running = false;
    this.executionCount = executionCount;
    this.updatePrompt();
  }

  /** Adds an output from an IOPub message, merging consecutive stream text as Jupyter does. */
  addOutput(output: Output): void {
    if (this.clearOnNextOutput) {
      this.outputs = [];
      this.clearOnNextOutput = false;
    }
    this.outputsChanged = true;
    const last = this.outputs.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = joinText(last.text) + joinText(output.text);
    } else {
      this.outputs.push(output);
    }
    this.renderOutputs();
  }

  clearOutputs(wait: boolean): void {
    if (wait) {
      this.clearOnNextOutput = true;
      return;
    }
    this.outputs = [];
    this.outputsChanged = true;
    this.renderOutputs();
  }

  /** Marks outputs as changed after an in-place display update, and redraws them. */
  outputsUpdated(): void {
    this.outputsChanged = true;
    this.renderOutputs();
  }

  renderOutputs(): void {
    const trusted = this.isTrusted();
    this.outputArea.replaceChildren(...this.outputs.map((output) => renderOutput(output, trusted)));
  }

  private updatePrompt(): void {
    if (this.cellType !== "code") {
      this.prompt.textContent = "";
      return;
    }
    this.prompt.textContent = `[${this.running ? "*" : (this.executionCount ?? " ")}]:`;
  }
}

/** Splits text into nbformat's list of lines, each but the last ending in "\n". */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}
