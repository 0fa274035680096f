// The main-thread side of the kernel: executes cells and handles the session's requests.
import { CommManager } from "./comms.js";
import { createDisplay } from "./display.js";
import { Executor, type ExecuteOutcome } from "./executor.js";
import { Output, type Publish } from "./output.js";
import { installGlobals, loadCore } from "./preload.js";
import type { Logger } from "../log.js";
import type { MainMethod } from "../bridge.js";
import type { Header } from "../wire/types.js";

export interface RuntimeOptions {
  notebookDir: string;
  publish: Publish;
  requestInput(prompt: string, password: boolean, parent: Header | undefined): Promise<string>;
  log: Logger;
  typeChecking?: boolean;
}

/** Language features, loaded on first use because the language service is slow to start. */
export interface LanguageFeatures {
  complete(code: string, cursorPos: number): Promise<Record<string, unknown>>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<Record<string, unknown>>;
  isComplete(code: string): Promise<Record<string, unknown>>;
  typeCheck(code: string): Promise<import("./traceback.js").ErrorContent | undefined>;
  /** Records a cell that ran, so later completions know its declarations. */
  addCell(code: string): void;
}

export class Runtime {
  readonly output: Output;
  readonly executor: Executor;
  readonly comms: CommManager;
  private language: Promise<LanguageFeatures> | undefined;
  private typeChecking: boolean;

  private constructor(
    private readonly options: RuntimeOptions,
    private readonly loadLanguage: (cells: string[]) => Promise<LanguageFeatures>,
  ) {
    this.output = new Output(options.publish);
    this.executor = new Executor(this.output, options.log);
    this.comms = new CommManager(this.output);
    this.typeChecking = options.typeChecking === true;
  }

  static async create(options: RuntimeOptions, loadLanguage: (cells: string[]) => Promise<LanguageFeatures>): Promise<Runtime> {
    const runtime = new Runtime(options, loadLanguage);
    const core = await loadCore(options.log);
    installGlobals(core, {
      output: runtime.output,
      display: createDisplay(runtime.output),
      comms: runtime.comms,
      notebookDir: options.notebookDir,
      requestInput: (prompt, password) => options.requestInput(prompt, password, runtime.output.parent),
      setTypeChecking: (enabled) => runtime.setTypeChecking(enabled),
      log: options.log,
    });
    runtime.setTypeChecking(runtime.typeChecking);
    return runtime;
  }

  languageFeatures(): Promise<LanguageFeatures> {
    this.language ??= this.loadLanguage(this.pendingCells);
    return this.language;
  }

  setTypeChecking(enabled: boolean): void {
    this.typeChecking = enabled;
    this.executor.typeChecker = enabled ? async (code) => (await this.languageFeatures()).typeCheck(code) : undefined;
  }

  async handle(method: MainMethod, params: Record<string, unknown>, parent: Header): Promise<Record<string, unknown>> {
    // Output goes to the request that may produce it; timers publish under the last such request.
    if (method === "execute" || method === "commOpen" || method === "commMsg" || method === "commClose") this.output.parent = parent;
    switch (method) {
      case "execute":
        return this.execute(params);
      case "complete":
        return (await this.languageFeatures()).complete(String(params.code), Number(params.cursor_pos));
      case "inspect":
        return (await this.languageFeatures()).inspect(String(params.code), Number(params.cursor_pos), Number(params.detail_level ?? 0));
      case "isComplete":
        return (await this.languageFeatures()).isComplete(String(params.code));
      case "commOpen":
        this.comms.openFromFrontend(String(params.comm_id), String(params.target_name), asRecord(params.data));
        return {};
      case "commMsg":
        this.comms.message(String(params.comm_id), asRecord(params.data), []);
        return {};
      case "commClose":
        this.comms.close(String(params.comm_id), asRecord(params.data), []);
        return {};
      case "commInfo":
        return { comms: this.comms.info(typeof params.target_name === "string" ? params.target_name : undefined) };
    }
  }

  private async execute(params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const code = String(params.code ?? "");
    const outcome: ExecuteOutcome = await this.executor.execute({
      code,
      silent: params.silent === true,
      storeHistory: params.store_history !== false,
      executionCount: Number(params.execution_count),
      userExpressions: asRecord(params.user_expressions) as Record<string, string>,
    });
    if (outcome.status === "ok") {
      void this.language?.then((language) => language.addCell(code));
      if (this.language === undefined) this.pendingCells.push(code);
      return { status: "ok", user_expressions: outcome.userExpressions };
    }
    return { status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
  }

  /** Cells that ran before the language service was loaded; it reads them when it starts. */
  readonly pendingCells: string[] = [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
