// Finds kernelspecs where Jupyter looks for them, and falls back to this package's own kernel.
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { defaultKernelArgv } from "../../kernel/client/index.js";

/** The parts of kernel.json that launching needs. */
export interface KernelSpec {
  name: string;
  /** kernel.json's folder, or "built-in" for this package's kernel without a kernelspec. */
  resourceDir: string;
  argv: string[];
  displayName: string;
  language: string;
  interruptMode: "signal" | "message";
  env: Record<string, string>;
}

/** A kernel name that no kernelspec folder contains. */
export class KernelNotFoundError extends Error {
  override name = "KernelNotFoundError";
}

export const DEFAULT_KERNEL = "paramlab";

/**
 * Returns the kernels folders in the order jupyter_core's jupyter_path() searches them:
 * JUPYTER_PATH, the user's data folder, Python's sys.prefix, then the system folders.
 */
export function kernelSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const dataDirs: string[] = [];
  if (env.JUPYTER_PATH) dataDirs.push(...env.JUPYTER_PATH.split(delimiter).filter((dir) => dir !== ""));
  if (env.JUPYTER_DATA_DIR) dataDirs.push(env.JUPYTER_DATA_DIR);
  else if (process.platform === "darwin") dataDirs.push(join(homedir(), "Library", "Jupyter"));
  else dataDirs.push(join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter"));
  const prefix = pythonPrefix(env);
  if (prefix !== undefined) dataDirs.push(join(prefix, "share", "jupyter"));
  dataDirs.push("/usr/local/share/jupyter", "/usr/share/jupyter");
  return [...new Set(dataDirs.map((dir) => join(dir, "kernels")))];
}

let cachedPrefix: string | null | undefined;

function pythonPrefix(env: NodeJS.ProcessEnv): string | undefined {
  if (env.VIRTUAL_ENV) return env.VIRTUAL_ENV;
  if (env.CONDA_PREFIX) return env.CONDA_PREFIX;
  if (cachedPrefix === undefined) {
    try {
      cachedPrefix = execFileSync("python3", ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).trim();
    } catch {
      cachedPrefix = null;
    }
  }
  return cachedPrefix ?? undefined;
}

/** Lists the names of the kernelspecs on the search path, each once. */
export function listKernelSpecs(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = new Set<string>();
  for (const dir of kernelSearchPath(env)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (existsSync(join(dir, name, "kernel.json"))) names.add(name.toLowerCase());
  }
  return [...names].sort();
}

/**
 * Returns the kernelspec `name` (matched case-insensitively, as Jupyter does) from the first
 * folder on the search path that contains it. "paramlab" falls back to this package's kernel.
 */
export function findKernelSpec(name: string, env: NodeJS.ProcessEnv = process.env): KernelSpec {
  const wanted = name.toLowerCase();
  for (const dir of kernelSearchPath(env)) {
    if (!existsSync(dir)) continue;
    const match = readdirSync(dir).find((entry) => entry.toLowerCase() === wanted);
    const file = match === undefined ? undefined : join(dir, match, "kernel.json");
    if (file !== undefined && existsSync(file)) return readKernelJson(wanted, file);
  }
  if (wanted === DEFAULT_KERNEL) return builtInKernelSpec();

  const installed = listKernelSpecs(env);
  throw new KernelNotFoundError(
    `kernel "${name}" not found; installed kernelspecs: ${[...new Set([DEFAULT_KERNEL, ...installed])].join(", ")}. ` +
      `Searched ${kernelSearchPath(env).join(", ")}; install the kernel or pick one of those names with --kernel`,
  );
}

/**
 * Throws unless the program in the spec's argv exists: a path must name an executable file, and
 * a bare name must be found on PATH. Spawning a missing program would fail only later.
 */
export function checkKernelProgram(spec: KernelSpec, env: NodeJS.ProcessEnv = process.env): void {
  const program = spec.argv[0];
  const candidates = program.includes("/") ? [program] : (env.PATH ?? "").split(delimiter).filter((dir) => dir !== "").map((dir) => join(dir, program));
  if (candidates.some(isExecutable)) return;
  const where = program.includes("/") ? "does not exist or is not executable" : "is not on PATH";
  throw new KernelNotFoundError(`kernel "${spec.name}" cannot start: its program ${program} ${where}; install it or reinstall the kernelspec in ${spec.resourceDir}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Returns the spec of this package's kernel, used when no "paramlab" kernelspec is installed. */
export function builtInKernelSpec(): KernelSpec {
  return {
    name: DEFAULT_KERNEL,
    resourceDir: "built-in",
    argv: defaultKernelArgv(),
    displayName: "TypeScript (paramlab)",
    language: "typescript",
    interruptMode: "message",
    env: {},
  };
}

function readKernelJson(name: string, file: string): KernelSpec {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new KernelNotFoundError(`kernelspec ${file} is not valid JSON (${(error as Error).message}); reinstall the kernel`);
  }
  const argv = json.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((arg) => typeof arg === "string")) {
    throw new KernelNotFoundError(`kernelspec ${file} has no "argv" list of strings; reinstall the kernel`);
  }
  return {
    name,
    resourceDir: join(file, ".."),
    argv: argv as string[],
    displayName: typeof json.display_name === "string" ? json.display_name : name,
    language: typeof json.language === "string" ? json.language : "",
    interruptMode: json.interrupt_mode === "message" ? "message" : "signal",
    env: (json.env ?? {}) as Record<string, string>,
  };
}
