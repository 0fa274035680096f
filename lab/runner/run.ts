// runNotebook: executes one notebook in a fresh kernel and writes the .ipynb and the HTML page.
import { dirname, resolve } from "node:path";
import { launchKernel, type LaunchedKernel } from "../../kernel/client/index.js";
import { executeNotebook, type CellFailure, type CellProgress } from "./execute.js";
import { renderHtml } from "./html/page.js";
import { checkKernelProgram, DEFAULT_KERNEL, findKernelSpec, type KernelSpec } from "./kernelspec.js";
import { readNotebook, serializeNotebook, writeFileAtomic, type Notebook } from "./notebook.js";
import { injectParameters, type Parameters } from "./parameters.js";

export interface RunOptions {
  /** The path for the executed notebook. Without it, nothing is written. */
  outputPath?: string;
  /** Allows `outputPath` to be the input notebook itself. */
  inplace?: boolean;
  /** The path for the self-contained HTML page, if one is wanted. */
  htmlPath?: string;
  parameters?: Parameters;
  /** A kernelspec name (default "paramlab", which falls back to this package's kernel). */
  kernel?: string;
  /** Per-cell limit in seconds: the cell is interrupted, then the kernel killed. */
  timeoutSeconds?: number;
  /** Runs on past errors instead of stopping at the first one. */
  allowErrors?: boolean;
  /** The kernel's working folder (default: the notebook's folder). */
  cwd?: string;
  onCell?: (progress: CellProgress) => void;
  onWarning?: (message: string) => void;
}

export interface RunResult {
  notebook: Notebook;
  outputPath?: string;
  htmlPath?: string;
  /** The error that stopped the run. The notebook then contains the cells run up to it. */
  failure?: CellFailure;
  allowedErrors: CellFailure[];
  /** The end of the kernel's stderr, which explains a kernel that died. */
  kernelLog: string;
}

/** A request that cannot be run as given: the caller must change the options or the input. */
export class RunUsageError extends Error {
  override name = "RunUsageError";
}

/** A kernel that did not start or did not reply. */
export class KernelStartError extends Error {
  override name = "KernelStartError";
}

/**
 * Executes the notebook at `path` in a fresh kernel, injecting `parameters` after the cell tagged
 * `parameters`. Throws NotebookInputError, ParameterError, KernelNotFoundError or RunUsageError for
 * bad input, and KernelStartError when the kernel does not start. A failing cell is reported in
 * the result instead, and the notebook written to `outputPath` then contains the cells run up to it.
 */
export async function runNotebook(path: string, options: RunOptions = {}): Promise<RunResult> {
  const prepared = prepareRun(path, options);
  return executePrepared(prepared, options);
}

export interface PreparedRun {
  path: string;
  notebook: Notebook;
  spec: KernelSpec;
}

/** Reads the notebook, finds the kernel and injects the parameters, without starting anything. */
export function prepareRun(path: string, options: RunOptions): PreparedRun {
  if (options.outputPath !== undefined && resolve(options.outputPath) === resolve(path) && options.inplace !== true) {
    throw new RunUsageError(`${path}: the output path is the input notebook; pass inplace to overwrite it, or write elsewhere`);
  }
  const notebook = readNotebook(path);
  const spec = findKernelSpec(options.kernel ?? DEFAULT_KERNEL);
  checkKernelProgram(spec, { ...process.env, ...spec.env });
  const warning = injectParameters(notebook, options.parameters ?? {});
  if (warning !== undefined) options.onWarning?.(`${path}: ${warning}`);
  return { path, notebook, spec };
}

/** Runs a prepared notebook, then writes the outputs asked for. */
export async function executePrepared(prepared: PreparedRun, options: RunOptions): Promise<RunResult> {
  const { notebook, spec, path } = prepared;
  let log = "";
  const kernel = await startKernel(spec, options.cwd ?? dirname(resolve(path)), (text) => (log = (log + text).slice(-4000)));
  const started = new Date();
  runningKernels.add(kernel);
  try {
    const info = await kernel.client.kernelInfo();
    notebook.metadata.language_info = (info.reply.content as Record<string, unknown>).language_info;
    notebook.metadata.kernelspec = { name: spec.name, display_name: spec.displayName, language: spec.language };
    const executed = await executeNotebook(notebook, kernel, {
      timeoutMs: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
      allowErrors: options.allowErrors,
      interruptMode: spec.interruptMode,
      onCell: options.onCell,
    });
    recordRun(notebook, options.parameters ?? {}, started, executed.failure);
    const result: RunResult = { notebook, allowedErrors: executed.allowedErrors, failure: executed.failure, kernelLog: log };
    writeOutputs(result, options);
    return result;
  } finally {
    await kernel.shutdown(2000).catch(() => kernel.kill());
    runningKernels.delete(kernel);
  }
}

const runningKernels = new Set<LaunchedKernel>();

/** Kills the kernels of runs still in progress, for a caller that is about to exit. */
export function killRunningKernels(): void {
  for (const kernel of runningKernels) kernel.kill();
  runningKernels.clear();
}

async function startKernel(spec: KernelSpec, cwd: string, onStderr: (text: string) => void): Promise<LaunchedKernel> {
  const argv = spec.argv.map((arg) => arg.replaceAll("{resource_dir}", spec.resourceDir));
  let kernel: LaunchedKernel;
  try {
    kernel = await launchKernel({ argv, cwd, env: { ...process.env, ...spec.env }, onStderr });
  } catch (error) {
    throw new KernelStartError(`kernel "${spec.name}" (${argv[0]}) failed to start: ${(error as Error).message}`);
  }
  // A silent empty execution waits until the kernel can run code. The paramlab kernel replies to
  // kernel_info at once but loads the core before its first cell, and that load must not count
  // against the first cell's --timeout.
  const ready = kernel.client.execute("", { silent: true, storeHistory: false }).then(() => true);
  const waited = new Promise<false>((resolve) => setTimeout(() => resolve(false), STARTUP_TIMEOUT_MS).unref());
  if (!(await Promise.race([ready.catch(() => false), waited]))) {
    kernel.kill();
    throw new KernelStartError(`kernel "${spec.name}" did not finish starting within ${STARTUP_TIMEOUT_MS / 1000} s`);
  }
  return kernel;
}

const STARTUP_TIMEOUT_MS = 60_000;

function recordRun(notebook: Notebook, parameters: Parameters, started: Date, failure: CellFailure | undefined): void {
  const ended = new Date();
  notebook.metadata.paramlab = {
    parameters,
    start_time: started.toISOString(),
    end_time: ended.toISOString(),
    duration: (ended.getTime() - started.getTime()) / 1000,
    status: failure === undefined ? "completed" : "failed",
    ...(failure === undefined ? {} : { failed_cell: { id: failure.cellId, index: failure.index, ename: failure.ename, evalue: failure.evalue } }),
  };
}

function writeOutputs(result: RunResult, options: RunOptions): void {
  if (options.outputPath !== undefined) {
    writeFileAtomic(options.outputPath, serializeNotebook(result.notebook));
    result.outputPath = options.outputPath;
  }
  if (options.htmlPath !== undefined) {
    writeFileAtomic(options.htmlPath, renderHtml(result.notebook));
    result.htmlPath = options.htmlPath;
  }
}

