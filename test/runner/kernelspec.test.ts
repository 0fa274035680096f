import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findKernelSpec, kernelSearchPath, KernelNotFoundError, listKernelSpecs } from "../../lab/runner/kernelspec.js";
import type { Notebook } from "../../lab/runner/notebook.js";
import { validateNotebook } from "../../lab/runner/schema.js";
import { copyFixtures, findPython, runCli } from "./helpers.js";

function writeSpec(dataDir: string, name: string, spec: Record<string, unknown>): void {
  mkdirSync(join(dataDir, "kernels", name), { recursive: true });
  writeFileSync(join(dataDir, "kernels", name, "kernel.json"), JSON.stringify(spec));
}

/** Returns an environment whose user and sys-prefix folders are empty, so only JUPYTER_PATH and the system folders count. */
function isolatedEnv(jupyterPath: string[]): NodeJS.ProcessEnv {
  const empty = mkdtempSync(join(tmpdir(), "paramlab-data-"));
  return { ...process.env, JUPYTER_PATH: jupyterPath.join(":"), JUPYTER_DATA_DIR: empty, VIRTUAL_ENV: empty };
}

describe("kernelSearchPath", () => {
  it("follows jupyter_core's order", () => {
    const env = { JUPYTER_PATH: "/a:/b", JUPYTER_DATA_DIR: "/user", VIRTUAL_ENV: "/venv" };
    expect(kernelSearchPath(env)).toEqual([
      "/a/kernels",
      "/b/kernels",
      "/user/kernels",
      "/venv/share/jupyter/kernels",
      "/usr/local/share/jupyter/kernels",
      "/usr/share/jupyter/kernels",
    ]);
  });

  it("uses XDG_DATA_HOME for the user folder", () => {
    expect(kernelSearchPath({ XDG_DATA_HOME: "/xdg", VIRTUAL_ENV: "/venv" })[0]).toBe("/xdg/jupyter/kernels");
  });
});

describe("findKernelSpec", () => {
  it("prefers the first folder on the path, ignoring case", () => {
    const first = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    const second = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(first, "Echo", { argv: ["first", "{connection_file}"], display_name: "First", language: "x" });
    writeSpec(second, "echo", { argv: ["second"], display_name: "Second", language: "x", interrupt_mode: "message", env: { A: "1" } });
    const spec = findKernelSpec("ECHO", isolatedEnv([first, second]));
    expect(spec).toMatchObject({ name: "echo", argv: ["first", "{connection_file}"], displayName: "First", interruptMode: "signal" });
    expect(listKernelSpecs(isolatedEnv([first, second]))).toContain("echo");
  });

  it("falls back to the built-in paramlab kernel", () => {
    const env = isolatedEnv([]);
    if (listKernelSpecs(env).includes("paramlab")) return; // a system-wide install shadows the fallback
    const spec = findKernelSpec("paramlab", env);
    expect(spec.resourceDir).toBe("built-in");
    expect(spec.argv.slice(-3)).toEqual(["kernel", "--connection-file", "{connection_file}"]);
  });

  it("lists the installed names for an unknown kernel", () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(dir, "julia-1.10", { argv: ["julia"], display_name: "Julia", language: "julia" });
    const find = () => findKernelSpec("rust", isolatedEnv([dir]));
    expect(find).toThrow(KernelNotFoundError);
    expect(find).toThrow(/kernel "rust" not found; installed kernelspecs: paramlab, .*julia-1\.10.*--kernel/);
  });

  it("rejects a kernelspec whose program is missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(dir, "ghost", { argv: ["no-such-kernel-program", "{connection_file}"], display_name: "Ghost", language: "x" });
    writeSpec(dir, "ghost-path", { argv: ["/no/such/kernel", "{connection_file}"], display_name: "Ghost", language: "x" });
    const work = copyFixtures("v44.ipynb");
    const result = await runCli([join(work, "v44.ipynb"), "--kernel", "ghost", "--out", join(work, "out")], { env: isolatedEnv([dir]) });
    expect(result.stderr).toMatch(/kernel "ghost" cannot start: its program no-such-kernel-program is not on PATH; install it or reinstall the kernelspec in /);
    expect(result.code, result.stderr).toBe(2);
    const absolute = await runCli([join(work, "v44.ipynb"), "--kernel", "ghost-path", "--out", join(work, "out")], { env: isolatedEnv([dir]) });
    expect(absolute.stderr).toMatch(/its program \/no\/such\/kernel does not exist or is not executable/);
    expect(absolute.code, absolute.stderr).toBe(2);
  });

  it("exits 1 when the kernel exits at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(dir, "quits", { argv: [process.execPath, "-e", "process.exit(7)", "{connection_file}"], display_name: "Quits", language: "x" });
    const work = copyFixtures("v44.ipynb");
    const result = await runCli([join(work, "v44.ipynb"), "--kernel", "quits", "--out", join(work, "out")], { env: isolatedEnv([dir]) });
    expect(result.stderr).toMatch(/FAILED: kernel "quits" \(.+\) failed to start: the kernel exited with code 7/);
    expect(result.code, result.stderr).toBe(1);
  });

  it("rejects a kernel.json without argv", () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(dir, "broken", { display_name: "Broken" });
    expect(() => findKernelSpec("broken", isolatedEnv([dir]))).toThrow(/has no "argv" list of strings; reinstall the kernel/);
  });
});

const python = findPython();
if (python === undefined) {
  console.warn("skipping the ipykernel tests: no python3 imports nbclient, nbformat and ipykernel (apt-get install python3-nbclient python3-nbformat python3-ipykernel)");
}

describe.skipIf(python === undefined)("paramlab run --kernel with ipykernel", () => {
  function pythonEnv(): NodeJS.ProcessEnv {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-spec-"));
    writeSpec(dir, "py-test", { argv: [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"], display_name: "Python (test)", language: "python" });
    return isolatedEnv([dir]);
  }

  it("kills a kernel whose cell ignores the interrupt", async () => {
    const dir = copyFixtures("python-ignores-interrupt.ipynb");
    const result = await runCli([join(dir, "python-ignores-interrupt.ipynb"), "--kernel", "py-test", "--timeout", "3", "--out", join(dir, "out")], { env: pythonEnv() });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("did not stop when interrupted, so the kernel was killed");
    const notebook = JSON.parse(readFileSync(join(dir, "out", "python-ignores-interrupt.ipynb"), "utf8")) as Notebook;
    expect(validateNotebook(notebook)).toEqual([]);
    expect(notebook.metadata.kernelspec).toMatchObject({ name: "py-test", language: "python" });
    expect(notebook.metadata.language_info).toMatchObject({ name: "python" });
    expect(notebook.cells[1].outputs?.at(-1)).toMatchObject({ output_type: "error", ename: "CellTimeoutError" });
  });
});
