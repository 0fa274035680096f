// The notebook page: loads a notebook, runs its cells on a kernel, renders outputs, saves.
import { api, ApiError, encodePath, type ContentsEntry } from "./api.js";
import { Banner } from "./banner.js";
import { CellView, type CellType } from "./cell.js";
import { commandKeys, editKeys } from "./commands.js";
import { stripAnsi } from "./editor.js";
import { KernelSocket, type JupyterMessage } from "./kernel.js";
import type { Output } from "./outputs.js";

interface SessionModel {
  id: string;
  kernel: { id: string; execution_state: string };
}

export class NotebookView {
  readonly element = document.createElement("div");
  readonly cellsElement = document.createElement("div");
  readonly banner = new Banner();
  private readonly statusElement = document.createElement("span");
  private readonly trustElement = document.createElement("span");
  cells: CellView[] = [];
  active = 0;
  mode: "command" | "edit" = "command";
  kernel: KernelSocket | undefined;
  private notebook: Record<string, unknown> = {};
  private lastModified = "";
  trusted = false;
  /** Outputs that carry a display id, so update_display_data can change them in place. */
  private readonly displays = new Map<string, Array<{ cell: CellView; output: Output }>>();

  constructor(readonly path: string) {
    this.element.className = "notebook";
    this.cellsElement.className = "cells";
    this.cellsElement.tabIndex = 0;
    this.cellsElement.addEventListener("keydown", (event) => commandKeys(this, event));
    this.element.append(this.toolbar(), this.banner.element, this.cellsElement);
  }

  async open(): Promise<void> {
    this.setStatus("loading");
    let model: ContentsEntry;
    try {
      model = await api<ContentsEntry>("GET", `contents/${encodePath(this.path)}?type=notebook`);
    } catch (error) {
      this.setStatus("no kernel");
      this.banner.show("error", `Cannot open ${this.path}: ${(error as Error).message}`);
      return;
    }
    this.load(model);
    await this.startKernel();
  }

  load(model: ContentsEntry): void {
    this.notebook = model.content as Record<string, unknown>;
    this.lastModified = model.last_modified;
    this.setTrusted(model.trusted === true);
    this.displays.clear();
    const cells = Array.isArray(this.notebook.cells) ? (this.notebook.cells as Record<string, unknown>[]) : [];
    this.cells = cells.map((json) => this.makeCell(json));
    this.cellsElement.replaceChildren(...this.cells.map((cell) => cell.element));
    // An empty notebook opens with one empty code cell to type into, as in JupyterLab.
    if (this.cells.length === 0) this.insertCell(0);
    this.select(0);
    document.title = `${this.path} - paramlab`;
  }

  async startKernel(): Promise<void> {
    this.setStatus("starting");
    try {
      const session = await api<SessionModel>("POST", "sessions", { path: this.path, name: this.path, type: "notebook", kernel: { name: this.kernelName() } });
      this.connect(session.kernel.id);
      this.setStatus(session.kernel.execution_state);
      if (session.kernel.execution_state === "dead") {
        this.banner.show("error", "The kernel of this notebook is dead.", undefined, [["Restart kernel", () => void this.restart()]]);
      }
    } catch (error) {
      this.setStatus("no kernel");
      const reason = error instanceof ApiError ? error.reason : null;
      this.banner.show("error", `The kernel failed to start: ${(error as Error).message}`, reason ?? undefined, [["Retry", () => void this.startKernel()]]);
    }
  }

  /** Returns the kernel named in the notebook's metadata, else paramlab's. */
  private kernelName(): string {
    const spec = (this.notebook.metadata as { kernelspec?: { name?: unknown } } | undefined)?.kernelspec;
    return typeof spec?.name === "string" && spec.name !== "" ? spec.name : "paramlab";
  }

  private connect(kernelId: string): void {
    this.kernel?.close();
    const kernel = new KernelSocket(kernelId);
    this.kernel = kernel;
    // Events of a socket this notebook has replaced, for example after its kernel was deleted,
    // must not overwrite the status and banners of the current one.
    kernel.onStatus = (state) => {
      if (this.kernel !== kernel) return;
      this.setStatus(state);
      if (state === "dead" || state === "restarting") this.stopRunningCells();
      if (state === "dead") this.banner.show("error", "The kernel died. Its variables are lost.", undefined, [["Restart kernel", () => void this.restart()]]);
    };
    kernel.onConnection = (state) => {
      if (this.kernel !== kernel) return;
      if (state === "reconnecting") {
        this.setStatus("reconnecting");
        this.banner.show("warning", "The connection to the kernel was lost; reconnecting…");
        void this.replaceMissingKernel(kernel);
      } else if (state === "connected") {
        this.banner.clear("warning");
      }
    };
    kernel.onOtherIopub = (message) => this.onOtherIopub(message);
  }

  /** Starts a new kernel when the lost one no longer exists, for example after the lab restarted. */
  private async replaceMissingKernel(kernel: KernelSocket): Promise<void> {
    try {
      await api("GET", `kernels/${encodeURIComponent(kernel.kernelId)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        this.banner.show("error", "The lab no longer accepts this page's token, probably because it restarted. Open the URL that paramlab lab printed.");
      }
      if (!(error instanceof ApiError) || error.status !== 404 || this.kernel !== kernel) return;
      kernel.close();
      this.kernel = undefined;
      this.stopRunningCells();
      this.banner.clear("warning");
      this.banner.show("warning", "The kernel of this notebook no longer exists, so a new one was started. Its variables are lost.");
      await this.startKernel();
    }
  }

  makeCell(json: Record<string, unknown>): CellView {
    const cell: CellView = new CellView(
      json,
      {
        complete: (code, cursor) => this.complete(code, cursor),
        inspect: (code, cursor) => this.inspect(code, cursor),
        keys: editKeys(this, () => cell),
        onChange: () => this.element.classList.add("dirty"),
        onFocus: () => {
          this.select(this.cells.indexOf(cell));
          this.mode = "edit";
        },
      },
      () => this.trusted,
    );
    cell.element.addEventListener("mousedown", () => this.select(this.cells.indexOf(cell)));
    return cell;
  }

  select(index: number): void {
    if (this.cells.length === 0) return;
    this.active = Math.max(0, Math.min(index, this.cells.length - 1));
    this.cells.forEach((cell, i) => cell.element.classList.toggle("selected", i === this.active));
    this.cells[this.active].element.scrollIntoView({ block: "nearest" });
  }

  activeCell(): CellView | undefined {
    return this.cells[this.active];
  }

  commandMode(): void {
    this.mode = "command";
    const cell = this.activeCell();
    if (cell?.cellType === "markdown") cell.renderMarkdown();
    cell?.element.classList.remove("editing");
    this.cellsElement.focus();
  }

  insertCell(at: number, cellType: CellType = "code"): void {
    const json: Record<string, unknown> = { cell_type: cellType, execution_count: null, id: crypto.randomUUID().slice(0, 8), metadata: {}, outputs: [], source: "" };
    // Cell ids arrived in nbformat 4.5; the 4.0 to 4.4 schemas reject them.
    if (Number(this.notebook.nbformat_minor ?? 5) < 5) delete json.id;
    if (cellType !== "code") {
      delete json.execution_count;
      delete json.outputs;
    }
    this.replaceCells(at, 0, [this.makeCell(json)]);
    this.select(at);
  }

  deleteCell(index: number): void {
    if (this.cells.length === 0) return;
    this.replaceCells(index, 1, []);
    if (this.cells.length === 0) this.insertCell(0);
    this.select(Math.min(index, this.cells.length - 1));
  }

  changeType(index: number, cellType: CellType): void {
    const cell = this.cells[index];
    if (cell === undefined || cell.cellType === cellType) return;
    this.replaceCells(index, 1, [this.makeCell(cell.convertedJSON(cellType))]);
    this.select(index);
  }

  private replaceCells(start: number, count: number, added: CellView[]): void {
    const removed = this.cells.splice(start, count, ...added);
    for (const cell of removed) cell.element.remove();
    const next = this.cells[start + added.length]?.element ?? null;
    for (const cell of added) this.cellsElement.insertBefore(cell.element, next);
    this.element.classList.add("dirty");
  }

  /** Runs a code cell, or renders a Markdown cell. */
  async run(cell: CellView): Promise<void> {
    if (cell.cellType === "markdown") {
      cell.renderMarkdown();
      return;
    }
    if (cell.cellType !== "code") return;
    if (this.kernel === undefined) {
      this.banner.show("error", "No kernel is running for this notebook.", undefined, [["Start kernel", () => void this.startKernel()]]);
      return;
    }
    this.setTrusted(true);
    cell.startRun();
    const reply = await this.kernel.request("shell", "execute_request", { code: cell.text(), silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, (message) =>
      this.onCellIopub(cell, message),
    );
    cell.finishRun(typeof reply.content.execution_count === "number" ? reply.content.execution_count : null);
    this.element.classList.add("dirty");
  }

  async runAll(): Promise<void> {
    await Promise.all(this.cells.map((cell) => this.run(cell)));
  }

  async interrupt(): Promise<void> {
    if (this.kernel === undefined) return;
    await api("POST", `kernels/${this.kernel.kernelId}/interrupt`).catch((error: Error) => this.banner.show("error", `Interrupt failed: ${error.message}`));
  }

  async restart(): Promise<void> {
    if (this.kernel === undefined) return this.startKernel();
    this.setStatus("restarting");
    try {
      await api("POST", `kernels/${this.kernel.kernelId}/restart`);
      this.banner.clear("error");
      this.setStatus("idle");
    } catch (error) {
      const reason = error instanceof ApiError ? error.reason : null;
      this.banner.show("error", `Restart failed: ${(error as Error).message}`, reason ?? undefined);
    }
  }

  /** Saves the notebook; when the file changed on disk since it was loaded, offers to reload or overwrite. */
  async save(overwrite = false): Promise<void> {
    const content = { ...this.notebook, cells: this.cells.map((cell) => cell.toJSON()) };
    const body: Record<string, unknown> = { type: "notebook", format: "json", content };
    if (!overwrite) body.last_modified = this.lastModified;
    try {
      const model = await api<ContentsEntry>("PUT", `contents/${encodePath(this.path)}`, body);
      this.lastModified = model.last_modified;
      this.setTrusted(true);
      this.element.classList.remove("dirty");
      this.banner.clear("conflict");
      this.banner.flash(`Saved ${this.path}`);
      await api("POST", `contents/${encodePath(this.path)}/checkpoints`).catch((error: Error) =>
        this.banner.show("warning", `Saved, but the checkpoint of ${this.path} failed: ${error.message}`),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        this.banner.show("conflict", `${this.path} was changed by another program since it was opened.`, error.message, [
          ["Reload from disk", () => void this.reload()],
          ["Overwrite", () => void this.save(true)],
        ]);
      } else {
        this.banner.show("error", `Saving ${this.path} failed: ${(error as Error).message}`);
      }
    }
  }

  async reload(): Promise<void> {
    try {
      this.load(await api<ContentsEntry>("GET", `contents/${encodePath(this.path)}?type=notebook`));
      this.banner.clear("conflict");
      this.element.classList.remove("dirty");
    } catch (error) {
      this.banner.show("error", `Cannot reload ${this.path}: ${(error as Error).message}`);
    }
  }

  private async complete(code: string, cursor: number): Promise<{ matches: string[]; start: number; end: number } | undefined> {
    if (this.kernel === undefined) return undefined;
    const reply = await this.kernel.request("shell", "complete_request", { code, cursor_pos: cursor });
    if (reply.content.status !== "ok") return undefined;
    return { matches: reply.content.matches as string[], start: Number(reply.content.cursor_start), end: Number(reply.content.cursor_end) };
  }

  private async inspect(code: string, cursor: number): Promise<string | undefined> {
    if (this.kernel === undefined) return undefined;
    const reply = await this.kernel.request("shell", "inspect_request", { code, cursor_pos: cursor, detail_level: 0 });
    if (reply.content.status !== "ok" || reply.content.found !== true) return undefined;
    const data = reply.content.data as Record<string, unknown>;
    return stripAnsi(String(data["text/plain"] ?? data["text/markdown"] ?? ""));
  }

  private onCellIopub(cell: CellView, message: JupyterMessage): void {
    const type = message.header.msg_type;
    const content = message.content;
    if (type === "clear_output") return cell.clearOutputs(content.wait === true);
    if (type === "update_display_data") return this.updateDisplay(content);
    const output = toOutput(type, content);
    if (output === undefined) return;
    cell.addOutput(output);
    const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
    if (displayId !== undefined) {
      const entries = this.displays.get(displayId) ?? [];
      entries.push({ cell, output: cell.outputs.at(-1)! });
      this.displays.set(displayId, entries);
    }
  }

  private onOtherIopub(message: JupyterMessage): void {
    if (message.header.msg_type === "update_display_data") this.updateDisplay(message.content);
  }

  private updateDisplay(content: Record<string, unknown>): void {
    const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
    for (const { cell, output } of this.displays.get(displayId ?? "") ?? []) {
      output.data = content.data;
      output.metadata = content.metadata ?? {};
      cell.outputsUpdated();
    }
  }

  /** Clears the [*] prompt of cells whose reply will never come because the kernel stopped. */
  private stopRunningCells(): void {
    for (const cell of this.cells) if (cell.running) cell.finishRun(null);
  }

  private setTrusted(trusted: boolean): void {
    const changed = this.trusted !== trusted;
    this.trusted = trusted;
    this.trustElement.textContent = trusted ? "Trusted" : "Not trusted";
    this.trustElement.className = `trust ${trusted ? "trusted" : "untrusted"}`;
    this.trustElement.title = trusted ? "HTML and SVG outputs render as they are" : "HTML and SVG outputs are sanitized until you run or save this notebook";
    if (changed) for (const cell of this.cells) cell.renderOutputs();
  }

  setStatus(state: string): void {
    this.statusElement.textContent = `Kernel: ${state}`;
    this.statusElement.dataset.state = state;
  }

  private toolbar(): HTMLElement {
    const bar = document.createElement("div");
    bar.className = "toolbar";
    const button = (label: string, title: string, action: () => void): HTMLButtonElement => {
      const element = document.createElement("button");
      element.textContent = label;
      element.title = title;
      element.dataset.action = label.toLowerCase().replace(/\s+/g, "-");
      element.addEventListener("click", action);
      return element;
    };
    const name = document.createElement("span");
    name.className = "notebook-name";
    name.textContent = this.path;
    this.statusElement.className = "kernel-status";
    bar.append(
      name,
      button("Save", "Save (Ctrl+S)", () => void this.save()),
      button("Insert", "Insert a cell below (B)", () => this.insertCell(this.active + 1)),
      button("Run", "Run the selected cell and select the next (Shift+Enter)", () => void this.runAndAdvance()),
      button("Run all", "Run every cell", () => void this.runAll()),
      button("Interrupt", "Interrupt the kernel", () => void this.interrupt()),
      button("Restart", "Restart the kernel", () => void this.restart()),
      this.trustElement,
      this.statusElement,
    );
    return bar;
  }

  async runAndAdvance(): Promise<void> {
    const cell = this.activeCell();
    if (cell === undefined) return;
    if (this.active === this.cells.length - 1) this.insertCell(this.cells.length);
    this.select(this.active + 1);
    this.commandMode();
    await this.run(cell);
  }
}

function toOutput(type: string, content: Record<string, unknown>): Output | undefined {
  switch (type) {
    case "stream":
      return { output_type: "stream", name: content.name, text: content.text };
    case "display_data":
      return { output_type: "display_data", data: content.data, metadata: content.metadata ?? {} };
    case "execute_result":
      return { output_type: "execute_result", data: content.data, metadata: content.metadata ?? {}, execution_count: content.execution_count };
    case "error":
      return { output_type: "error", ename: content.ename, evalue: content.evalue, traceback: content.traceback };
    default:
      return undefined;
  }
}
