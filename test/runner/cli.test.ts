import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Notebook } from "../../lab/runner/notebook.js";
import { validateNotebook } from "../../lab/runner/schema.js";
import { copyFixtures, runCli } from "./helpers.js";

function readOutput(path: string): Notebook {
  return JSON.parse(readFileSync(path, "utf8")) as Notebook;
}

function stdoutOf(notebook: Notebook, index: number): string {
  return (notebook.cells[index].outputs ?? [])
    .filter((output) => output.output_type === "stream")
    .map((output) => (output.output_type === "stream" ? [output.text].flat().join("") : ""))
    .join("");
}

describe("paramlab run", () => {
  it("injects parameters and writes valid nbformat 4.5", async () => {
    const dir = copyFixtures("params.ipynb");
    const input = join(dir, "params.ipynb");
    const before = readFileSync(input, "utf8");
    const result = await runCli([input, "--out", join(dir, "out"), "-p", "lr=0.01", "-p", "sizes=[8, 4]", "-p", "name=tuned"]);
    expect(result.stderr).toContain("1 of 1 notebooks ran without errors");
    expect(result.code, result.stderr).toBe(0);

    const notebook = readOutput(join(dir, "out", "params.ipynb"));
    expect(validateNotebook(notebook)).toEqual([]);
    expect(notebook.cells[2].metadata.tags).toEqual(["injected-parameters"]);
    expect(stdoutOf(notebook, 3)).toBe('{"lr":0.01,"epochs":3,"name":"tuned","sizes":[8,4]}\n');
    expect(notebook.cells.map((cell) => cell.execution_count ?? null)).toEqual([null, 1, 2, 3, 4]);
    const timing = notebook.cells[4].metadata.execution ?? {};
    for (const key of ["iopub.status.busy", "iopub.execute_input", "shell.execute_reply", "iopub.status.idle"]) {
      expect(Number.isNaN(Date.parse(timing[key] ?? ""))).toBe(false);
    }
    expect(notebook.metadata.paramlab).toMatchObject({ parameters: { lr: 0.01, sizes: [8, 4], name: "tuned" }, status: "completed" });
    expect(readFileSync(input, "utf8")).toBe(before);
  });

  it("reads a parameters file and lets -p override it", async () => {
    const dir = copyFixtures("params.ipynb");
    writeFileSync(join(dir, "p.json"), '{"lr": 0.5, "name": "from file"}');
    const result = await runCli([join(dir, "params.ipynb"), "--out", join(dir, "out"), "--parameters-file", join(dir, "p.json"), "-p", "lr=2"]);
    expect(result.code, result.stderr).toBe(0);
    expect(stdoutOf(readOutput(join(dir, "out", "params.ipynb")), 3)).toBe('{"lr":2,"epochs":3,"name":"from file","sizes":[4]}\n');
  });

  it("stops at the first error and exits 1", async () => {
    const dir = copyFixtures("error.ipynb");
    const result = await runCli([join(dir, "error.ipynb"), "--out", join(dir, "out")]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAILED at cell 2 \(id code-2, In \[2\]\): raised: RangeError: unexpected failure/);

    const notebook = readOutput(join(dir, "out", "error.ipynb"));
    expect(validateNotebook(notebook)).toEqual([]);
    expect(notebook.cells[1].outputs?.[0]).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "unexpected failure" });
    expect(notebook.cells[2].execution_count).toBeNull();
    expect(notebook.cells[2].outputs).toEqual([]);
    expect(notebook.metadata.paramlab).toMatchObject({ status: "failed", failed_cell: { id: "code-2", ename: "RangeError" } });
  });

  it("runs past errors with --allow-errors", async () => {
    const dir = copyFixtures("error.ipynb");
    const result = await runCli([join(dir, "error.ipynb"), "--out", join(dir, "out"), "--allow-errors"]);
    expect(result.code, result.stderr).toBe(0);
    expect(stdoutOf(readOutput(join(dir, "out", "error.ipynb")), 2)).toBe("never runs\n");
  });

  it("lets raises-exception cells fail", async () => {
    const dir = copyFixtures("raises.ipynb");
    const result = await runCli([join(dir, "raises.ipynb"), "--out", join(dir, "out")]);
    expect(result.code, result.stderr).toBe(0);
    const notebook = readOutput(join(dir, "out", "raises.ipynb"));
    expect(notebook.cells[1].outputs?.[0]).toMatchObject({ output_type: "error", evalue: "expected failure" });
    expect(stdoutOf(notebook, 2)).toBe("after 1\n");
  });

  it("interrupts a cell at the timeout", async () => {
    const dir = copyFixtures("busy.ipynb");
    const result = await runCli([join(dir, "busy.ipynb"), "--out", join(dir, "out"), "--timeout", "3"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAILED at cell 2 .*timed out: CellTimeoutError: the cell did not finish within 3 s and was interrupted/);
    const notebook = readOutput(join(dir, "out", "busy.ipynb"));
    expect(validateNotebook(notebook)).toEqual([]);
    expect(notebook.cells[1].outputs?.map((output) => output.output_type === "error" && output.ename)).toEqual(["InterruptError", "CellTimeoutError"]);
    expect(notebook.cells[2].execution_count).toBeNull();
  });

  it("reports the cell where the kernel died", async () => {
    const dir = copyFixtures("exit.ipynb");
    const result = await runCli([join(dir, "exit.ipynb"), "--out", join(dir, "out")]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/FAILED at cell 2 \(id code-2\): the kernel died: DeadKernelError: the kernel (exited with code \d+|was killed by SIG\w+) while this cell ran/);
    const notebook = readOutput(join(dir, "out", "exit.ipynb"));
    expect(validateNotebook(notebook)).toEqual([]);
    expect(stdoutOf(notebook, 0)).toBe("before exit\n");
    expect(notebook.cells[1].outputs?.at(-1)).toMatchObject({ output_type: "error", ename: "DeadKernelError" });
  });

  it("warns and injects at the top without a parameters cell", async () => {
    const dir = copyFixtures("no-parameters.ipynb");
    const result = await runCli([join(dir, "no-parameters.ipynb"), "--out", join(dir, "out"), "-p", "lr=3"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: ' + join(dir, "no-parameters.ipynb") + ': no cell is tagged "parameters", so the parameters were injected at the top');
    const notebook = readOutput(join(dir, "out", "no-parameters.ipynb"));
    expect(notebook.cells[0].metadata.tags).toEqual(["injected-parameters"]);
    expect(stdoutOf(notebook, 1)).toBe("lr=3\n");
  });

  it("overwrites the input only with --inplace", async () => {
    const dir = copyFixtures("v44.ipynb");
    const input = join(dir, "v44.ipynb");
    const refused = await runCli([input, "--out", dir]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`--out ${dir} would overwrite the input ${input}`);

    const result = await runCli([input, "--inplace", "--html"]);
    expect(result.code, result.stderr).toBe(0);
    const notebook = readOutput(input);
    expect(notebook.nbformat_minor).toBe(5);
    expect(notebook.cells[0].outputs?.[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": ["42"] } });
    expect(existsSync(join(dir, "v44.html"))).toBe(true);
  });

  it("runs notebooks in parallel with --jobs", async () => {
    const dir = copyFixtures("params.ipynb", "raises.ipynb", "v44.ipynb");
    const inputs = ["params.ipynb", "raises.ipynb", "v44.ipynb"].map((name) => join(dir, name));
    const result = await runCli([...inputs, "--out", join(dir, "out"), "--jobs", "3", "--html"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("3 of 3 notebooks ran without errors");
    for (const name of ["params", "raises", "v44"]) {
      expect(validateNotebook(readOutput(join(dir, "out", `${name}.ipynb`)))).toEqual([]);
      expect(readFileSync(join(dir, "out", `${name}.html`), "utf8")).toMatch(/^<!DOCTYPE html>/);
    }
  });

  it("logs one line per cell when not on a terminal", async () => {
    const dir = copyFixtures("raises.ipynb");
    const result = await runCli([join(dir, "raises.ipynb"), "--out", join(dir, "out")]);
    expect(result.stderr).toContain(`${join(dir, "raises.ipynb")}: cell 2/3 In [2] allowed error`);
    expect(result.stderr).not.toContain("\r");
  });
});

describe("paramlab run bad input", () => {
  const dir = copyFixtures("params.ipynb", "invalid.ipynb", "not-a-notebook.txt", "v3.ipynb");
  const out = join(dir, "out");
  const cases: [string, string[], RegExp][] = [
    ["a missing file", [join(dir, "missing.ipynb"), "--out", out], /missing\.ipynb: file not found/],
    ["a file that is not a notebook", [join(dir, "not-a-notebook.txt"), "--out", out], /not-a-notebook\.txt is not a notebook: expected a \.ipynb file/],
    ["invalid JSON", [join(dir, "invalid.ipynb"), "--out", out], /invalid\.ipynb is not valid JSON \(.+\); fix or re-save the notebook/],
    ["nbformat 3", [join(dir, "v3.ipynb"), "--out", out], /v3\.ipynb uses nbformat 3, but paramlab run reads nbformat 4; convert it with/],
    ["an unknown kernel", [join(dir, "params.ipynb"), "--out", out, "--kernel", "no-such-kernel"], /kernel "no-such-kernel" not found; installed kernelspecs: paramlab/],
    ["a parameter without a value", [join(dir, "params.ipynb"), "--out", out, "-p", "lr"], /-p lr: expected name=value/],
    ["a parameter with broken JSON", [join(dir, "params.ipynb"), "--out", out, "-p", "sizes=[1,"], /-p sizes=\[1,: value \[1, looks like JSON but does not parse/],
    ["a parameter with an invalid name", [join(dir, "params.ipynb"), "--out", out, "-p", "learning-rate=1"], /parameter name "learning-rate" is invalid/],
    ["a missing parameters file", [join(dir, "params.ipynb"), "--out", out, "--parameters-file", join(dir, "nope.json")], /--parameters-file .*nope\.json: file not found/],
    ["no notebook", ["--out", out], /no notebook given/],
    ["no output choice", [join(dir, "params.ipynb")], /choose where to write the executed notebooks: --out DIR, or --inplace/],
    ["both --out and --inplace", [join(dir, "params.ipynb"), "--out", out, "--inplace"], /choose either --out DIR or --inplace, not both/],
    ["an unknown option", [join(dir, "params.ipynb"), "--out", out, "--colour"], /Unknown option '--colour'/],
    ["a bad timeout", [join(dir, "params.ipynb"), "--out", out, "--timeout", "soon"], /--timeout soon is invalid: expected a positive number/],
    ["a bad job count", [join(dir, "params.ipynb"), "--out", out, "--jobs", "1.5"], /--jobs 1.5 is invalid: expected a positive integer/],
    ["a notebook given twice", [join(dir, "params.ipynb"), join(dir, "params.ipynb"), "--out", out], /params\.ipynb is given twice/],
  ];
  for (const [name, args, message] of cases) {
    it(`exits 2 on ${name}`, async () => {
      const result = await runCli(args);
      expect(result.stderr).toMatch(message);
      expect(result.code, result.stderr).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("exits 2 when --out exists as a file", async () => {
    const file = join(dir, "taken");
    writeFileSync(file, "keep me");
    const result = await runCli([join(dir, "params.ipynb"), "--out", file]);
    expect(result.stderr).toMatch(/--out .*taken exists as a file, but --out takes a folder/);
    expect(result.code, result.stderr).toBe(2);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("exits 2 when two inputs share a name", async () => {
    const first = copyFixtures("params.ipynb");
    const second = copyFixtures("params.ipynb");
    const result = await runCli([join(first, "params.ipynb"), join(second, "params.ipynb"), "--out", out]);
    expect(result.stderr).toMatch(/would both be written to .*params\.ipynb; run them with different --out folders/);
    expect(result.code, result.stderr).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it("runs nothing when one of several inputs is bad", async () => {
    const target = join(dir, "partial");
    mkdirSync(target);
    const result = await runCli([join(dir, "params.ipynb"), join(dir, "invalid.ipynb"), "--out", target]);
    expect(result.code, result.stderr).toBe(2);
    expect(existsSync(join(target, "params.ipynb"))).toBe(false);
  });

  it("prints the usage with --help", async () => {
    const result = await runCli(["--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("usage: paramlab run NOTEBOOK...");
  });
});
