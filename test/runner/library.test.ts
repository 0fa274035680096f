import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CellProgress } from "../../lab/runner/execute.js";
import { runNotebook, RunUsageError } from "../../lab/runner/index.js";
import { Progress } from "../../lab/runner/progress.js";
import { copyFixtures } from "./helpers.js";

describe("runNotebook", () => {
  it("returns the executed notebook without writing", async () => {
    const dir = copyFixtures("params.ipynb");
    const seen: number[] = [];
    const result = await runNotebook(join(dir, "params.ipynb"), { parameters: { lr: 3 }, onCell: (progress) => seen.push(progress.done) });
    expect(result.failure).toBeUndefined();
    expect(result.outputPath).toBeUndefined();
    expect(seen).toEqual([1, 2, 3, 4]);
    const last = result.notebook.cells.at(-1)?.outputs?.[0];
    expect(last).toMatchObject({ output_type: "execute_result", data: { "text/plain": ["30"] } });
    expect(readdirSync(dir)).toEqual(["params.ipynb"]);
  });

  it("reports a failing cell in the result", async () => {
    const dir = copyFixtures("error.ipynb");
    const result = await runNotebook(join(dir, "error.ipynb"), { outputPath: join(dir, "out.ipynb"), htmlPath: join(dir, "out.html") });
    expect(result.failure).toMatchObject({ kind: "error", index: 1, cellId: "code-2", executionCount: 2, ename: "RangeError" });
    expect(existsSync(join(dir, "out.ipynb"))).toBe(true);
    expect(readFileSync(join(dir, "out.html"), "utf8")).toContain("that raised RangeError: unexpected failure");
  });

  it("refuses to overwrite the input unless inplace", async () => {
    const dir = copyFixtures("v44.ipynb");
    const input = join(dir, "v44.ipynb");
    await expect(runNotebook(input, { outputPath: input })).rejects.toThrow(RunUsageError);
  });
});

function progressEvent(done: number, total: number): CellProgress {
  return { done, total, status: "ok", seconds: 0.5, cell: { id: "a", cell_type: "code", metadata: {}, source: "", execution_count: done } };
}

describe("Progress", () => {
  it("redraws one bar on a terminal", () => {
    const written: string[] = [];
    const progress = new Progress({ isTTY: true, columns: 100, write: (text) => written.push(text) > 0 }, new Map([["a.ipynb", 4]]));
    progress.start("a.ipynb");
    progress.cell("a.ipynb", progressEvent(2, 4));
    expect(written.at(-1)).toBe("\r\x1b[K[############------------] 2/4 cells, 0/1 notebooks  a.ipynb");
    progress.finish("a.ipynb", "ran in 1 s");
    progress.close();
    expect(written.slice(-2)).toEqual(["\r\x1b[K", "a.ipynb: ran in 1 s\n"]);
  });

  it("writes plain lines otherwise", () => {
    const written: string[] = [];
    const progress = new Progress({ write: (text) => written.push(text) > 0 }, new Map([["a.ipynb", 4]]));
    progress.start("a.ipynb");
    progress.cell("a.ipynb", progressEvent(1, 4));
    expect(written).toEqual(["a.ipynb: started, 4 code cells\n", "a.ipynb: cell 1/4 In [1] ok (0.50 s)\n"]);
  });
});
