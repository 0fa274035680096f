// Runs the code cells of a notebook in order on one kernel, recording outputs, execution counts
// and nbclient's timing metadata, and stops at the first unexpected error.
import type { LaunchedKernel, Message, RequestResult } from "../../kernel/client/index.js";
import { hasTag, joinSource, type Cell, type Notebook } from "./notebook.js";
import { errorOutput, OutputCollector } from "./outputs.js";

export type FailureKind = "error" | "timeout" | "kernel died";

/** A cell that failed, with the name and value of its error. */
export interface CellFailure {
  kind: FailureKind;
  /** The cell's position in the notebook, from 0. */
  index: number;
  cellId: string;
  executionCount: number | null;
  ename: string;
  evalue: string;
}

export interface CellProgress {
  /** Code cells finished so far, and the number of code cells to run. */
  done: number;
  total: number;
  cell: Cell;
  status: "ok" | "error" | "allowed error";
  seconds: number;
}

export interface ExecuteOptions {
  /** Per-cell limit; the cell is interrupted after it, then the kernel killed. Default: none. */
  timeoutMs?: number;
  /** How long an interrupted cell may take to stop before the kernel is killed (default 5000). */
  interruptGraceMs?: number;
  /** Runs on past errors instead of stopping at the first one. */
  allowErrors?: boolean;
  /** Interrupts with SIGINT ("signal") or interrupt_request ("message"), as the kernelspec sets it. */
  interruptMode?: "signal" | "message";
  onCell?: (progress: CellProgress) => void;
}

export interface ExecuteResult {
  /** The error that stopped the run, if one did. */
  failure?: CellFailure;
  /** Errors that did not stop the run: in `raises-exception` cells, or all with allowErrors. */
  allowedErrors: CellFailure[];
}

type Outcome = { kind: "reply"; result: RequestResult } | { kind: "timeout" } | { kind: "died"; reason: string };

/** Executes every non-empty code cell of `notebook` on `kernel`, editing the cells in place. */
export async function executeNotebook(notebook: Notebook, kernel: LaunchedKernel, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === "code");
  for (const cell of codeCells) {
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.execution;
  }
  const toRun = codeCells.filter((cell) => joinSource(cell.source).trim() !== "");
  const died = watchExit(kernel);
  const collector = new OutputCollector();
  let timing: Record<string, string> = {};
  const stopListening = kernel.client.onIopub((message) => recordStatus(message, timing));
  const result: ExecuteResult = { allowedErrors: [] };

  try {
    for (const [done, cell] of toRun.entries()) {
      const started = Date.now();
      timing = {};
      cell.metadata.execution = timing;
      collector.startCell(cell.outputs!);
      const failure = await runCell(notebook.cells.indexOf(cell), cell, kernel, collector, died, options);
      const status = failure === undefined ? "ok" : isAllowed(failure, cell, kernel, options) ? "allowed error" : "error";
      options.onCell?.({ done: done + 1, total: toRun.length, cell, status, seconds: (Date.now() - started) / 1000 });
      if (failure === undefined) continue;
      if (status === "allowed error") {
        result.allowedErrors.push(failure);
        continue;
      }
      result.failure = failure;
      break;
    }
  } finally {
    stopListening();
  }
  return result;
}

// A cell tagged raises-exception may fail; --allow-errors also runs on past a timeout, as long as
// the interrupt stopped the cell and the kernel still lives.
function isAllowed(failure: CellFailure, cell: Cell, kernel: LaunchedKernel, options: ExecuteOptions): boolean {
  if (failure.kind === "error") return options.allowErrors === true || hasTag(cell, "raises-exception");
  const alive = !kernel.process.killed && kernel.process.exitCode === null && kernel.process.signalCode === null;
  return failure.kind === "timeout" && options.allowErrors === true && alive;
}

async function runCell(
  index: number,
  cell: Cell,
  kernel: LaunchedKernel,
  collector: OutputCollector,
  died: Promise<string>,
  options: ExecuteOptions,
): Promise<CellFailure | undefined> {
  const timing = cell.metadata.execution!;
  const request = kernel.client.execute(joinSource(cell.source), {
    stopOnError: false,
    onIopub: (message) => {
      if (message.header.msg_type === "execute_input") timing["iopub.execute_input"] = message.header.date;
      collector.add(message);
    },
  });
  const reply = request.then((result): Outcome => ({ kind: "reply", result }));
  reply.catch(() => undefined);
  const death = died.then((reason): Outcome => ({ kind: "died", reason }));

  let outcome = await Promise.race([reply, death, delay(options.timeoutMs, { kind: "timeout" } as Outcome)]);
  let timedOut = false;
  if (outcome.kind === "timeout") {
    timedOut = true;
    outcome = await interruptCell(kernel, reply, death, options);
  }
  const fail = (kind: FailureKind, ename: string, evalue: string): CellFailure => {
    cell.outputs!.push(errorOutput(ename, evalue, [`${ename}: ${evalue}`]));
    return { kind, index, cellId: cell.id, executionCount: cell.execution_count ?? null, ename, evalue };
  };
  const seconds = (options.timeoutMs ?? 0) / 1000;

  if (outcome.kind === "died") return fail("kernel died", "DeadKernelError", `the kernel ${outcome.reason} while this cell ran`);
  if (outcome.kind === "timeout") {
    kernel.kill();
    return fail("timeout", "CellTimeoutError", `the cell did not finish within ${seconds} s and did not stop when interrupted, so the kernel was killed`);
  }

  const content = outcome.result.reply.content as Record<string, unknown>;
  timing["shell.execute_reply"] = outcome.result.reply.header.date;
  if (typeof content.execution_count === "number") cell.execution_count = content.execution_count;
  for (const output of cell.outputs!) if (output.output_type === "execute_result") output.execution_count = cell.execution_count ?? null;
  if (timedOut) return fail("timeout", "CellTimeoutError", `the cell did not finish within ${seconds} s and was interrupted`);
  if (content.status === "ok") return undefined;

  const ename = String(content.ename ?? (content.status === "aborted" ? "ExecutionAborted" : "Error"));
  const evalue = String(content.evalue ?? "");
  if (!cell.outputs!.some((output) => output.output_type === "error")) {
    cell.outputs!.push(errorOutput(ename, evalue, (content.traceback ?? [`${ename}: ${evalue}`]) as string[]));
  }
  return { kind: "error", index, cellId: cell.id, executionCount: cell.execution_count ?? null, ename, evalue };
}

/** Interrupts the running cell and waits for its reply, the kernel's exit or the grace time. */
async function interruptCell(kernel: LaunchedKernel, reply: Promise<Outcome>, death: Promise<Outcome>, options: ExecuteOptions): Promise<Outcome> {
  const grace = delay(options.interruptGraceMs ?? 5000, { kind: "timeout" } as Outcome);
  const interrupted = kernel.interrupt(options.interruptMode ?? "message").catch(() => undefined);
  void interrupted;
  return Promise.race([reply, death, grace]);
}

function delay(ms: number | undefined, value: Outcome): Promise<Outcome> {
  if (ms === undefined) return new Promise(() => undefined);
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/** Resolves with how the kernel process ended, such as "exited with code 3". */
function watchExit(kernel: LaunchedKernel): Promise<string> {
  const describe = (code: number | null, signal: NodeJS.Signals | null): string =>
    signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  if (kernel.process.exitCode !== null || kernel.process.signalCode !== null) {
    return Promise.resolve(describe(kernel.process.exitCode, kernel.process.signalCode));
  }
  return new Promise((resolve) => kernel.process.once("exit", (code, signal) => resolve(describe(code, signal))));
}

function recordStatus(message: Message, timing: Record<string, string>): void {
  if (message.header.msg_type !== "status" || message.parent_header.msg_type !== "execute_request") return;
  const state = (message.content as Record<string, unknown>).execution_state;
  if (state === "busy" || state === "idle") timing[`iopub.status.${state}`] = message.header.date;
}
