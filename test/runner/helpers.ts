// Runs the built `paramlab run` in a child process and finds the tools the checks compare with.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..", "..");
export const fixtures = join(root, "test", "fixtures", "notebooks");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/paramlab.js run ARGS` and collects its output. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bin", "paramlab.js"), "run", ...args], {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Copies fixture notebooks into a new temporary folder, so a run never writes into the repository. */
export function copyFixtures(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "paramlab-run-"));
  for (const name of names) cpSync(join(fixtures, name), join(dir, name));
  return dir;
}

/**
 * Returns a python3 that imports nbclient, nbformat and ipykernel (Debian's python3-nbclient,
 * python3-nbformat and python3-ipykernel), or undefined. PATH may list another python3 first.
 */
export function findPython(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(candidate, ["-c", "import nbclient, nbformat, ipykernel"], { stdio: "ignore" });
      return candidate === "python3" ? execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim() : candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

export function findChromium(): string | undefined {
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
}
