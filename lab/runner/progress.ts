// Reports progress: one redrawn bar on a terminal, plain log lines otherwise (CI logs, pipes).
import type { CellProgress } from "./execute.js";

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

/** Tracks the cells run across all notebooks of a `paramlab run`. */
export class Progress {
  private readonly done = new Map<string, number>();
  private readonly running = new Set<string>();
  private finished = 0;
  private lineShown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly totals: Map<string, number>,
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  start(name: string): void {
    this.running.add(name);
    if (this.tty) this.redraw();
    else this.stream.write(`${name}: started, ${this.totals.get(name) ?? 0} code cells\n`);
  }

  cell(name: string, progress: CellProgress): void {
    this.done.set(name, progress.done);
    if (this.tty) this.redraw();
    else {
      const count = progress.cell.execution_count ?? " ";
      this.stream.write(`${name}: cell ${progress.done}/${progress.total} In [${count}] ${progress.status} (${progress.seconds.toFixed(2)} s)\n`);
    }
  }

  finish(name: string, summary: string): void {
    this.running.delete(name);
    this.finished += 1;
    this.log(`${name}: ${summary}`);
  }

  /** Prints a message above the bar, or as a line. */
  log(message: string): void {
    if (this.tty) this.clear();
    this.stream.write(`${message}\n`);
    if (this.tty && this.running.size > 0) this.redraw();
  }

  /** Removes the bar once the run is over. */
  close(): void {
    if (this.tty) this.clear();
  }

  private clear(): void {
    if (this.lineShown) this.stream.write("\r\x1b[K");
    this.lineShown = false;
  }

  private redraw(): void {
    const total = [...this.totals.values()].reduce((sum, count) => sum + count, 0);
    const done = [...this.done.values()].reduce((sum, count) => sum + count, 0);
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const names = [...this.running].join(", ");
    const line = `${bar} ${done}/${total} cells, ${this.finished}/${this.totals.size} notebooks  ${names}`;
    // A terminal of unknown size reports 0 columns.
    const columns = this.stream.columns !== undefined && this.stream.columns > 20 ? this.stream.columns : 80;
    this.stream.write(`\r\x1b[K${line.slice(0, columns - 1)}`);
    this.lineShown = true;
  }
}
