// Runs cells on the main thread: compile, run at global scope, publish the value, report errors.
import vm from "node:vm";
import { compileCell, CellSyntaxError } from "./compile.js";
import { isEmptyBundle, toMimeBundle } from "./mime.js";
import type { Output } from "./output.js";
import { errorContent, type CellRegistry, type ErrorContent } from "./traceback.js";
import { loadTypeScript } from "./typescript.js";
import type { Logger } from "../log.js";

export interface ExecuteParams {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  executionCount: number;
  userExpressions: Record<string, string>;
}

export type ExecuteOutcome =
  | { status: "ok"; userExpressions: Record<string, unknown> }
  | ({ status: "error" } & ErrorContent);

/** Checks a cell's types before it runs and returns the error to report, if any. */
export type TypeChecker = (code: string) => Promise<ErrorContent | undefined>;

export class InterruptError extends Error {
  override name = "InterruptError";
  constructor() {
    super("execution was interrupted");
    this.stack = `${this.name}: ${this.message}`;
  }
}

export class Executor {
  readonly cells: CellRegistry = new Map();
  typeChecker: TypeChecker | undefined;
  /** Called when a running cell stopped because of an interrupt. */
  onInterrupted: (() => void) | undefined;
  /** Called right before a cell's code starts to run, after compiling and type checking. */
  onCellStarted: (() => void) | undefined;
  /** Called when a cell's synchronous part has returned, after vm has restored the SIGINT listeners. */
  onCellAwaiting: (() => void) | undefined;
  private running: { interrupted: boolean; reject(error: Error): void } | undefined;
  private silentCount = 0;

  constructor(
    private readonly output: Output,
    private readonly log: Logger,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Stops waiting for the running cell and reports it as interrupted. A cell that is still being
   * compiled or type-checked does not start.
   */
  interrupt(): boolean {
    if (this.running === undefined) return false;
    this.running.interrupted = true;
    this.running.reject(new InterruptError());
    return true;
  }

  async execute(params: ExecuteParams): Promise<ExecuteOutcome> {
    const name = params.silent ? `cell-${params.executionCount}.${++this.silentCount}` : `cell-${params.executionCount}`;
    const running = { interrupted: false, reject: (_error: Error) => {} };
    const interrupted = new Promise<never>((_, reject) => {
      running.reject = reject;
    });
    this.running = running;
    try {
      const value = await Promise.race([this.run(name, params.code, running), interrupted]);
      const bundle = value === undefined || params.silent ? undefined : await toMimeBundle(value);
      if (bundle !== undefined && !isEmptyBundle(bundle)) {
        this.output.publish("execute_result", { execution_count: params.executionCount, data: bundle.data, metadata: bundle.metadata });
      }
      return { status: "ok", userExpressions: await this.evaluateUserExpressions(params.userExpressions) };
    } catch (error) {
      if (error instanceof InterruptError) {
        this.onInterrupted?.();
        // A SIGINT still waiting for its listener must reach it while this cell counts as
        // running, or it would interrupt the next cell.
        await waitForPendingSignals();
      }
      const content = kernelContentOf(error) ?? errorContent(error, this.cells, { name, source: params.code });
      this.output.publish("error", { ...content });
      return { status: "error", ...content };
    } finally {
      this.running = undefined;
    }
  }

  private async run(name: string, code: string, running: { interrupted: boolean }): Promise<unknown> {
    const typeError = this.typeChecker === undefined ? undefined : await this.typeChecker(code);
    if (typeError !== undefined) throw Object.assign(new Error(typeError.evalue), { kernelContent: typeError });

    const ts = await loadTypeScript();
    // A SIGINT that arrived while the core or TypeScript loaded must reach its listener first.
    await waitForPendingSignals(() => running.interrupted);
    if (running.interrupted) throw new InterruptError();
    const compiled = compileCell(ts, code, name);
    this.cells.set(name, { compiled, source: code });

    this.onCellStarted?.();
    try {
      const result = vm.runInThisContext(compiled.script, { filename: name, breakOnSigint: true }) as Promise<unknown>;
      this.onCellAwaiting?.();
      return await result;
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") throw new InterruptError();
      throw error;
    }
  }

  private async evaluateUserExpressions(expressions: Record<string, string>): Promise<Record<string, unknown>> {
    const results: Record<string, unknown> = {};
    for (const [key, expression] of Object.entries(expressions)) {
      try {
        const value = vm.runInThisContext(expression, { filename: `user-expression-${key}` }) as unknown;
        const bundle = await toMimeBundle(value);
        results[key] = { status: "ok", data: bundle.data, metadata: bundle.metadata };
      } catch (error) {
        results[key] = { status: "error", ...errorContent(error, this.cells) };
      }
    }
    return results;
  }
}

/**
 * Waits until signals that arrived while the main thread was busy have reached their listeners.
 * In Node 20 the event loop reads a pending signal in one turn and calls the listener in the
 * next (observed, not documented), so the wait is two turns. `done` ends it early.
 */
function waitForPendingSignals(done: () => boolean = () => false): Promise<void> {
  return (async () => {
    for (let turn = 0; turn < 2 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
  })();
}

/** Returns the error content that a type check attached to an error, if it did. */
export function kernelContentOf(error: unknown): ErrorContent | undefined {
  return (error as { kernelContent?: ErrorContent } | undefined)?.kernelContent;
}

export { CellSyntaxError };
