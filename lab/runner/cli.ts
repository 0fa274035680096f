// `paramlab run`: executes notebooks headlessly, each in a fresh kernel, and writes the results.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CellFailure } from "./execute.js";
import { KernelNotFoundError } from "./kernelspec.js";
import { joinSource, NotebookInputError } from "./notebook.js";
import { parseAssignment, ParameterError, readParametersFile, type Parameters } from "./parameters.js";
import { Progress } from "./progress.js";
import { executePrepared, killRunningKernels, prepareRun, RunUsageError, type PreparedRun, type RunOptions, type RunResult } from "./run.js";

export const USAGE = `usage: paramlab run NOTEBOOK... (--out DIR | --inplace) [options]

Executes each notebook in a fresh kernel, stops at the first unexpected error and writes the
executed notebook (nbformat 4.5) with outputs, execution counts and timing metadata.

  --out DIR               write the executed notebooks into DIR (created if missing)
  --inplace               overwrite the input notebooks instead
  --html                  also write NAME.html, a self-contained page, beside each output
  -p, --parameter N=V     inject N = V after the cell tagged "parameters"; V is a number, true,
                          false, null, JSON string, array or object, else a string (repeatable)
  --parameters-file F     read parameters from the JSON object in F; -p values override it
  --timeout SECONDS       interrupt a cell after SECONDS, then kill the kernel if it does not stop
  --kernel NAME           use the installed kernelspec NAME (default: paramlab)
  --jobs N                run N notebooks at once (default 1)
  --allow-errors          record errors and go on instead of stopping at the first one
  -h, --help              show this help

A cell tagged "raises-exception" may fail without stopping the run.
Exit codes: 0 all notebooks ran, 1 a cell failed or a kernel died, 2 invalid arguments or input.
`;

/** Invalid arguments: reported with the usage text, exit code 2. */
class UsageError extends Error {}

interface Plan {
  runs: { prepared: PreparedRun; options: RunOptions }[];
  jobs: number;
}

/** Runs `paramlab run ARGS` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let plan: Plan;
  try {
    plan = makePlan(args);
  } catch (error) {
    return reportInputError(error);
  }
  if (plan.runs.length === 0) return 0;

  const totals = new Map(plan.runs.map(({ prepared }) => [prepared.path, countCodeCells(prepared)]));
  const progress = new Progress(process.stderr, totals);
  const stop = stopOnSignal(progress);
  const results = await runPool(plan, progress);
  stop();
  progress.close();
  const failed = results.filter((result) => result !== "ok").length;
  process.stderr.write(`${plan.runs.length - failed} of ${plan.runs.length} notebooks ran without errors\n`);
  return failed > 0 ? 1 : 0;
}

/**
 * Kills the kernels and exits on SIGINT or SIGTERM. The kernels are child processes that
 * would outlive this one, and a terminal's Ctrl-C reaches them only as an interrupt.
 */
function stopOnSignal(progress: Progress): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    progress.close();
    process.stderr.write(`paramlab run: stopped by ${signal}; the notebooks still running were not written\n`);
    killRunningKernels();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

function reportInputError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`paramlab run: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof NotebookInputError || error instanceof ParameterError || error instanceof KernelNotFoundError || error instanceof RunUsageError) {
    process.stderr.write(`paramlab run: ${error.message}\n`);
    return 2;
  }
  throw error;
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        inplace: { type: "boolean" },
        html: { type: "boolean" },
        parameter: { type: "string", short: "p", multiple: true },
        "parameters-file": { type: "string" },
        timeout: { type: "string" },
        kernel: { type: "string" },
        jobs: { type: "string" },
        "allow-errors": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Checks the arguments and prepares every notebook before any kernel starts. */
function makePlan(args: string[]): Plan {
  const { values, positionals } = parseCommandLine(args);
  if (values.help === true) {
    process.stdout.write(USAGE);
    return { runs: [], jobs: 1 };
  }
  if (positionals.length === 0) throw new UsageError("no notebook given");
  if (values.out !== undefined && values.inplace === true) throw new UsageError("choose either --out DIR or --inplace, not both");
  if (values.out === undefined && values.inplace !== true) {
    throw new UsageError("choose where to write the executed notebooks: --out DIR, or --inplace to overwrite the inputs");
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : positiveNumber("--timeout", values.timeout, false);
  const jobs = values.jobs === undefined ? 1 : positiveNumber("--jobs", values.jobs, true);
  const parameters = readParameters(values["parameters-file"], values.parameter ?? []);
  const outputs = outputPaths(positionals, values.out);

  const base: RunOptions = { parameters, timeoutSeconds, kernel: values.kernel, allowErrors: values["allow-errors"] === true, inplace: values.inplace === true };
  const runs = positionals.map((path, index) => {
    const options: RunOptions = { ...base, outputPath: outputs[index], htmlPath: values.html === true ? htmlPath(outputs[index]) : undefined };
    const warnings: string[] = [];
    const prepared = prepareRun(path, { ...options, onWarning: (message) => warnings.push(message) });
    for (const warning of warnings) process.stderr.write(`paramlab run: warning: ${warning}\n`);
    return { prepared, options };
  });
  if (values.out !== undefined) mkdirSync(values.out, { recursive: true });
  return { runs, jobs };
}

function positiveNumber(option: string, text: string, integer: boolean): number {
  const value = Number(text);
  const valid = text.trim() !== "" && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!valid) throw new UsageError(`${option} ${text} is invalid: expected a positive ${integer ? "integer" : "number"}, for example ${option} ${integer ? 2 : 60}`);
  return value;
}

function readParameters(file: string | undefined, assignments: string[]): Parameters {
  const parameters: Parameters = file === undefined ? {} : readParametersFile(file);
  for (const assignment of assignments) {
    const [name, value] = parseAssignment(assignment);
    parameters[name] = value;
  }
  return parameters;
}

/** Returns where each notebook's result goes, rejecting paths that would overwrite an input. */
function outputPaths(inputs: string[], out: string | undefined): string[] {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const key = resolve(input);
    if (seen.has(key)) throw new UsageError(`${input} is given twice`);
    seen.set(key, input);
  }
  if (out === undefined) return inputs;
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} exists as a file, but --out takes a folder; choose another path or remove the file`);
  }
  const outputs = inputs.map((input) => join(out, basename(input)));
  const taken = new Map<string, string>();
  for (const [index, output] of outputs.entries()) {
    const key = resolve(output);
    if (seen.has(key)) throw new UsageError(`--out ${out} would overwrite the input ${seen.get(key)}; choose another folder or pass --inplace`);
    if (taken.has(key)) throw new UsageError(`${taken.get(key)} and ${inputs[index]} would both be written to ${output}; run them with different --out folders`);
    taken.set(key, inputs[index]);
  }
  return outputs;
}

function htmlPath(output: string): string {
  return output.replace(/\.ipynb$/i, "") + ".html";
}

function countCodeCells(prepared: PreparedRun): number {
  return prepared.notebook.cells.filter((cell) => cell.cell_type === "code" && joinSource(cell.source).trim() !== "").length;
}

/** Runs the notebooks, `jobs` at a time; returns "ok" or "failed" for each. */
async function runPool(plan: Plan, progress: Progress): Promise<("ok" | "failed")[]> {
  const results: ("ok" | "failed")[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.runs.length) {
      const index = next++;
      results[index] = await runOne(plan.runs[index], progress);
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.jobs, plan.runs.length) }, worker));
  return results;
}

const FAILURE_VERBS: Record<CellFailure["kind"], string> = { error: "raised", timeout: "timed out", "kernel died": "the kernel died" };

async function runOne({ prepared, options }: Plan["runs"][number], progress: Progress): Promise<"ok" | "failed"> {
  const name = prepared.path;
  const started = Date.now();
  progress.start(name);
  let result: RunResult;
  try {
    result = await executePrepared(prepared, { ...options, onCell: (cell) => progress.cell(name, cell) });
  } catch (error) {
    progress.finish(name, `FAILED: ${(error as Error).message}`);
    return "failed";
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const written = [result.outputPath, result.htmlPath].filter((path) => path !== undefined).join(" and ");
  if (result.failure === undefined) {
    const allowed = result.allowedErrors.length > 0 ? ` (${result.allowedErrors.length} allowed errors)` : "";
    progress.finish(name, `ran in ${seconds} s${allowed}; wrote ${written}`);
    return "ok";
  }
  const { failure } = result;
  const where = `cell ${failure.index + 1} (id ${failure.cellId}${failure.executionCount === null ? "" : `, In [${failure.executionCount}]`})`;
  const what = FAILURE_VERBS[failure.kind];
  const log = failure.kind === "kernel died" && result.kernelLog.trim() !== "" ? `\nkernel log:\n${result.kernelLog.trimEnd()}` : "";
  progress.finish(name, `FAILED at ${where}: ${what}: ${failure.ename}: ${failure.evalue}; wrote the partial notebook to ${written}${log}`);
  return "failed";
}
