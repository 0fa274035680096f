// Checks paramlab run against Debian's nbclient and nbformat, which execute the same notebook
// through the installed kernelspec and validate both results.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Notebook } from "../../lab/runner/notebook.js";
import { copyFixtures, findPython, root, runCli } from "./helpers.js";

const python = findPython();
if (python === undefined) {
  console.warn("skipping the nbclient check: no python3 imports nbclient, nbformat and ipykernel (apt-get install python3-nbclient python3-nbformat python3-ipykernel)");
}

// Executes a notebook with nbclient and validates it with nbformat; prints the executed notebook.
const EXECUTE = `
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name="paramlab", timeout=120, resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.validate(nb)
nbformat.write(nb, sys.stdout)
`;

const VALIDATE = `
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
nbformat.validate(nb)
print(nb.nbformat, nb.nbformat_minor)
`;

function streamText(notebook: Notebook): string[] {
  return notebook.cells.map((cell) =>
    (cell.outputs ?? []).map((output) => (output.output_type === "stream" ? [output.text].flat().join("") : "")).join(""),
  );
}

function outputKinds(notebook: Notebook): string[][] {
  return notebook.cells.map((cell) =>
    (cell.outputs ?? []).map((output) => ("data" in output ? `${output.output_type} ${Object.keys(output.data).sort().join(",")}` : output.output_type)),
  );
}

function resultText(notebook: Notebook): string[] {
  return notebook.cells.map((cell) =>
    (cell.outputs ?? []).map((output) => (output.output_type === "execute_result" ? [output.data["text/plain"]].flat().join("") : "")).join(""),
  );
}

describe.skipIf(python === undefined)("nbclient cross-check", () => {
  it("gives the same outputs as paramlab run", async () => {
    const prefix = mkdtempSync(join(tmpdir(), "paramlab-prefix-"));
    execFileSync(process.execPath, [join(root, "bin", "paramlab.js"), "kernel", "install", "--prefix", prefix], { stdio: "ignore" });
    const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") };
    const names = ["params.ipynb", "display.ipynb", "raises.ipynb"];
    const dir = copyFixtures(...names);

    for (const name of names) {
      const input = join(dir, name);
      const theirs = JSON.parse(execFileSync(python!, ["-c", EXECUTE, input, dir], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as Notebook;
      const result = await runCli([input, "--out", join(dir, "out")], { env });
      expect(result.code, result.stderr).toBe(0);
      const ours = JSON.parse(readFileSync(join(dir, "out", name), "utf8")) as Notebook;

      expect(execFileSync(python!, ["-c", VALIDATE, join(dir, "out", name)], { encoding: "utf8" }).trim()).toBe("4 5");
      expect(streamText(ours)).toEqual(streamText(theirs));
      expect(resultText(ours)).toEqual(resultText(theirs));
      expect(outputKinds(ours)).toEqual(outputKinds(theirs));
      expect(ours.cells.map((cell) => cell.execution_count ?? null)).toEqual(theirs.cells.map((cell) => cell.execution_count ?? null));
      expect(Object.keys(ours.cells.find((cell) => cell.cell_type === "code")?.metadata.execution ?? {}).sort()).toEqual(
        Object.keys(theirs.cells.find((cell) => cell.cell_type === "code")?.metadata.execution ?? {}).sort(),
      );
    }
  });
});
