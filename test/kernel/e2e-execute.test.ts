// End-to-end: cells run in a kernel process driven over ZeroMQ, with every message validated.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, startKernel, streamText, waitFor, type TestKernel } from "./harness.js";

let kernel: TestKernel;
let notebookDir: string;

beforeAll(async () => {
  notebookDir = mkdtempSync(join(tmpdir(), "paramlab-notebook-"));
  writeEsmOnlyPackage(notebookDir);
  writeCommonJsPackage(notebookDir);
  writeFileSync(join(notebookDir, "helper.mjs"), "export const answer = 42;\n");
  writeFileSync(join(notebookDir, "settings.json"), JSON.stringify({ epochs: 3 }));
  kernel = await startKernel({ cwd: notebookDir });
});

afterAll(async () => {
  await kernel?.shutdown();
  rmSync(notebookDir, { recursive: true, force: true });
  expect(kernel.problems).toEqual([]);
});

function writeEsmOnlyPackage(dir: string): void {
  const packageDir = join(dir, "node_modules", "esm-only-greeter");
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(
    join(packageDir, "package.json"),
    JSON.stringify({ name: "esm-only-greeter", type: "module", exports: { ".": { import: "./index.js" } } }),
  );
  writeFileSync(join(packageDir, "index.js"), "export function greet(name) { return `hello ${name}`; }\nexport default 'esm-default';\n");
}

function writeCommonJsPackage(dir: string): void {
  const packageDir = join(dir, "node_modules", "cjs-counter");
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "cjs-counter", main: "lib.js" }));
  writeFileSync(join(packageDir, "lib.js"), "exports.count = (xs) => xs.length;\n");
}

describe("kernel execution", () => {
  it("redeclares a const in a later cell", async () => {
    const first = kernel.check(await kernel.client.execute("const x = 1\nx"));
    const second = kernel.check(await kernel.client.execute("const x = 2\nx * 10"));

    expect(first.reply.content.status).toBe("ok");
    expect(resultText(first.iopub)).toBe("1");
    expect(second.reply.content.status).toBe("ok");
    expect(resultText(second.iopub)).toBe("20");
  });

  it("persists every kind of declaration", async () => {
    const code = [
      "let a = 1, [b, c] = [2, 3]",
      "var d = 4",
      "function twice(n: number): number { return 2 * n }",
      "class Box { constructor(readonly v: number) {} }",
      "enum Color { Red, Green }",
      "interface Point { x: number }",
      "type Pair = [number, number]",
    ].join("\n");
    kernel.check(await kernel.client.execute(code));
    const result = kernel.check(await kernel.client.execute("const p: Point = { x: 1 }; [a, b, c, d, twice(3), new Box(5).v, Color.Green, p.x]"));

    expect(resultText(result.iopub)).toBe("[\n  1, 2, 3, 4,\n  6, 5, 1, 1\n]");
  });

  it("awaits at top level", async () => {
    const result = kernel.check(await kernel.client.execute("await new Promise(r => setTimeout(r, 10))\n'after'"));

    expect(result.reply.content.status).toBe("ok");
    expect(resultText(result.iopub)).toBe("'after'");
  });

  it("imports an ESM-only package", async () => {
    const result = kernel.check(await kernel.client.execute('import greeterDefault, { greet } from "esm-only-greeter"\n[greet("cell"), greeterDefault]'));

    expect(result.reply.content.status).toBe("ok");
    expect(resultText(result.iopub)).toBe("[ 'hello cell', 'esm-default' ]");
  });

  it("imports a CommonJS package and a relative file", async () => {
    const result = kernel.check(
      await kernel.client.execute(
        'import { count } from "cjs-counter"\nimport { answer } from "./helper.mjs"\nimport settings from "./settings.json"\n[count([1, 2, 3]), answer, settings.epochs]',
      ),
    );

    expect(resultText(result.iopub)).toBe("[ 3, 42, 3 ]");
  });

  it("gives cells the preloaded paramlab instance", async () => {
    const result = kernel.check(await kernel.client.execute('import * as again from "paramlab"\nagain === pl'));

    expect(resultText(result.iopub)).toBe("true");
  });

  it("multiplies with fused multiply-add", async () => {
    // C[0, 0] = −1·1 + (1 + 2⁻¹²)²: 2⁻¹¹ + 2⁻²⁴ when rounded once, 2⁻¹¹ when the square is rounded first.
    const code = [
      "const x = new Array(256).fill(0); const y = new Array(256).fill(0);",
      "x[0] = -1; x[1] = 1 + 2 ** -12; y[0] = 1; y[16] = 1 + 2 ** -12;",
      "const [a, b] = [pl.tensor(x).reshape([16, 16]), pl.tensor(y).reshape([16, 16])];",
      "(pl.matmul(a, b).dataSync()[0] - 2 ** -11) / 2 ** -24",
    ].join("\n");
    const result = kernel.check(await kernel.client.execute(code));

    expect(resultText(result.iopub)).toBe("1");
  });

  it("reports a late exception and keeps running", async () => {
    const seen = kernel.iopub.length;
    const scheduling = kernel.check(await kernel.client.execute('setTimeout(() => { throw new Error("late") }, 0); undefined'));
    const lateOutput = () => {
      const late = kernel.iopub.slice(seen).filter((message) => message.parent_header.msg_id === scheduling.reply.parent_header.msg_id);
      return streamText(late, "stderr");
    };
    await waitFor(() => lateOutput() !== "", "the late error on stderr");
    const next = kernel.check(await kernel.client.execute("1 + 1"));

    expect(scheduling.reply.content.status).toBe("ok");
    expect(lateOutput()).toContain("Error: late");
    expect(resultText(next.iopub)).toBe("2");
  });

  it("reports a late rejected promise", async () => {
    const seen = kernel.iopub.length;
    const scheduling = kernel.check(await kernel.client.execute('Promise.reject(new Error("rejected later")); undefined'));
    const lateOutput = () => {
      const late = kernel.iopub.slice(seen).filter((message) => message.parent_header.msg_id === scheduling.reply.parent_header.msg_id);
      return streamText(late, "stderr");
    };
    await waitFor(() => lateOutput() !== "", "the late rejection on stderr");

    expect(lateOutput()).toContain("rejected later");
    expect(resultText((await kernel.client.execute("'alive'")).iopub)).toBe("'alive'");
  });

  it("points an error to its line and column in the cell", async () => {
    const result = kernel.check(await kernel.client.execute("const ok = 1\nconst o: any = null\n  o.field"));

    expect(result.reply.content.status).toBe("error");
    expect(result.reply.content.ename).toBe("TypeError");
    const traceback = (result.reply.content.traceback as string[]).join("\n");
    expect(traceback).toMatch(/cell-\d+:3:5/);
    const error = result.iopub.find((message) => message.header.msg_type === "error");
    expect(error?.content.evalue).toBe(result.reply.content.evalue);
  });

  it("points a syntax error to its position", async () => {
    const result = kernel.check(await kernel.client.execute("const fine = 1\nlet = = 2"));

    expect(result.reply.content.ename).toBe("SyntaxError");
    expect((result.reply.content.traceback as string[]).join("\n")).toMatch(/cell-\d+:2:\d+/);
  });

  it("streams console methods to stdout and stderr", async () => {
    const result = kernel.check(
      await kernel.client.execute('console.log("log", 1); console.warn("warn"); console.error("error"); console.table([{ a: 1 }]); console.dir({ deep: { x: 1 } })'),
    );

    const stdout = streamText(result.iopub, "stdout");
    expect(stdout).toContain("log 1\n");
    expect(stdout).toContain("│ (index) │ a │");
    expect(stdout).toContain("{ deep: { x: 1 } }");
    expect(streamText(result.iopub, "stderr")).toBe("warn\nerror\n");
  });

  it("streams output while a synchronous loop runs", async () => {
    // The cell spins synchronously until the client has received its first line, so the line
    // can only arrive if output streams while the loop runs. The deadline only bounds a failure.
    const marker = join(notebookDir, "first-line-seen");
    const code = [
      'import { existsSync } from "node:fs"',
      'console.log("first")',
      "const deadline = Date.now() + 20_000",
      `while (!existsSync(${JSON.stringify(marker)}) && Date.now() < deadline) {}`,
      'console.log(existsSync(' + JSON.stringify(marker) + ') ? "seen during the loop" : "not seen")',
    ].join("\n");
    const result = kernel.check(
      await kernel.client.execute(code, {
        onIopub: (message) => {
          if (message.header.msg_type === "stream") writeFileSync(marker, "");
        },
      }),
    );

    expect(streamText(result.iopub)).toBe("first\nseen during the loop\n");
  });

  it("loses no output of 100 cells printing 50 lines each", async () => {
    const cells = Array.from({ length: 100 }, (_, cell) =>
      kernel.client.execute(`for (let i = 0; i < 50; i++) console.log("cell ${cell} line " + i)`),
    );
    const results = await Promise.all(cells);

    results.forEach((result, cell) => {
      kernel.check(result);
      const expected = Array.from({ length: 50 }, (_, i) => `cell ${cell} line ${i}\n`).join("");
      expect(streamText(result.iopub)).toBe(expected);
    });
    const idleIndex = (msgId: string) =>
      kernel.iopub.findIndex((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle");
    for (const result of results) {
      const msgId = result.reply.parent_header.msg_id!;
      const lastStream = kernel.iopub.map((m, i) => (m.parent_header.msg_id === msgId && m.header.msg_type === "stream" ? i : -1)).reduce((a, b) => Math.max(a, b));
      expect(lastStream).toBeLessThan(idleIndex(msgId));
    }
  });

  it("reads a line with await input()", async () => {
    const prompts: string[] = [];
    const result = kernel.check(
      await kernel.client.execute('const name = await input("Your name? "); `hi ${name}`', {
        onInput: (prompt) => {
          prompts.push(prompt);
          return "Ada";
        },
      }),
    );

    expect(prompts).toEqual(["Your name? "]);
    expect(resultText(result.iopub)).toBe("'hi Ada'");
  });

  it("rejects input() when the client disallows stdin", async () => {
    const result = kernel.check(await kernel.client.execute('await input("x")', { allowStdin: false }));

    expect(result.reply.content.status).toBe("error");
    expect(result.reply.content.evalue).toContain("allow_stdin");
  });

  it("does not publish execute_input or a result for a silent cell", async () => {
    const before = kernel.check(await kernel.client.execute("1"));
    const silent = kernel.check(await kernel.client.execute("40 + 2", { silent: true }));
    const after = kernel.check(await kernel.client.execute("2"));

    expect(silent.iopub).toEqual([]);
    expect(silent.reply.content.execution_count).toBe(before.reply.content.execution_count);
    expect(after.reply.content.execution_count).toBe((before.reply.content.execution_count as number) + 1);
  });

  it("evaluates user_expressions", async () => {
    const result = kernel.check(await kernel.client.execute("const ue = 5", { userExpressions: { doubled: "ue * 2", bad: "missingName" } }));

    const expressions = result.reply.content.user_expressions as Record<string, { status: string; data?: Record<string, string> }>;
    expect(expressions.doubled).toEqual({ status: "ok", data: { "text/plain": "10" }, metadata: {} });
    expect(expressions.bad.status).toBe("error");
  });
});
