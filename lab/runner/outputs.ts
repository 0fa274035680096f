// Turns IOPub messages into nbformat outputs, as nbclient does: consecutive stream text merges,
// clear_output (also with wait) and update_display_data by display id.
import type { Message } from "../../kernel/client/index.js";
import { splitLines, type Output } from "./notebook.js";

type Content = Record<string, unknown>;

/** Collects the outputs of the cells of one notebook run. */
export class OutputCollector {
  /** Outputs shown under a display id, in any cell of the run, so an update reaches them all. */
  private readonly displays = new Map<string, Output[]>();
  private outputs: Output[] = [];
  private clearOnNext = false;

  /** Starts collecting into `outputs`, the list of the cell that now runs. */
  startCell(outputs: Output[]): void {
    this.outputs = outputs;
    this.clearOnNext = false;
  }

  /** Applies one IOPub message of the running cell. */
  add(message: Message): void {
    const content = message.content as Content;
    const type = message.header.msg_type;
    if (type === "clear_output") {
      if (content.wait === true) this.clearOnNext = true;
      else this.outputs.splice(0);
      return;
    }
    if (type === "update_display_data") {
      this.updateDisplay(content);
      return;
    }
    const output = toOutput(type, content);
    if (output === undefined) return;
    if (this.clearOnNext) {
      this.outputs.splice(0);
      this.clearOnNext = false;
    }
    this.append(output, content);
  }

  private append(output: Output, content: Content): void {
    const last = this.outputs.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = splitLines(joinText(last.text) + joinText(output.text));
      return;
    }
    this.outputs.push(output);
    const displayId = (content.transient as Content | undefined)?.display_id;
    if (typeof displayId === "string" && output.output_type === "display_data") {
      const shown = this.displays.get(displayId) ?? [];
      shown.push(output);
      this.displays.set(displayId, shown);
    }
  }

  private updateDisplay(content: Content): void {
    const displayId = (content.transient as Content | undefined)?.display_id;
    if (typeof displayId !== "string") return;
    for (const output of this.displays.get(displayId) ?? []) {
      if (output.output_type !== "display_data") continue;
      output.data = (content.data ?? {}) as Record<string, unknown>;
      output.metadata = (content.metadata ?? {}) as Record<string, unknown>;
    }
  }
}

function joinText(text: string | string[]): string {
  return Array.isArray(text) ? text.join("") : text;
}

function toOutput(type: string, content: Content): Output | undefined {
  switch (type) {
    case "stream":
      return { output_type: "stream", name: content.name === "stderr" ? "stderr" : "stdout", text: splitLines(String(content.text ?? "")) };
    case "display_data":
      return { output_type: "display_data", data: bundle(content.data), metadata: (content.metadata ?? {}) as Content };
    case "execute_result":
      return {
        output_type: "execute_result",
        data: bundle(content.data),
        metadata: (content.metadata ?? {}) as Content,
        execution_count: typeof content.execution_count === "number" ? content.execution_count : null,
      };
    case "error":
      return errorOutput(String(content.ename ?? "Error"), String(content.evalue ?? ""), (content.traceback ?? []) as string[]);
    default:
      return undefined;
  }
}

/** Stores text MIME types as lists of lines, as nbformat writes them; JSON types stay objects. */
function bundle(data: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries((data ?? {}) as Content)) {
    result[mime] = typeof value === "string" && !isJsonMime(mime) ? splitLines(value) : value;
  }
  return result;
}

export function isJsonMime(mime: string): boolean {
  return mime === "application/json" || /\+json$/.test(mime);
}

export function errorOutput(ename: string, evalue: string, traceback: string[]): Output {
  return { output_type: "error", ename, evalue, traceback: traceback.map(String) };
}
