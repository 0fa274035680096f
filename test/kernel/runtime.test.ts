// Handler tests of the main-thread runtime in process: cells, outputs, errors, imports and comms.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureConsole } from "../../kernel/executor/console.js";
import { Runtime, type LanguageFeatures } from "../../kernel/executor/runtime.js";
import { Output } from "../../kernel/executor/output.js";
import { createLogger } from "../../kernel/log.js";
import { makeHeader } from "../../kernel/wire/frames.js";

interface Published {
  msgType: string;
  content: Record<string, any>;
}

const published: Published[] = [];
let runtime: Runtime;
let dir: string;
let count = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "paramlab-runtime-"));
  const packageDir = join(dir, "node_modules", "esm-only-pkg");
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "esm-only-pkg", type: "module", exports: { import: "./main.js" } }));
  writeFileSync(join(packageDir, "main.js"), "export const kind = 'esm';\n");
  const noLanguage = async (): Promise<LanguageFeatures> => {
    throw new Error("the language service is not used in these tests");
  };
  runtime = await Runtime.create(
    {
      notebookDir: dir,
      log: createLogger("test", "silent"),
      publish: (msgType, content) => published.push({ msgType, content }),
      requestInput: async (prompt) => `typed for ${prompt}`,
    },
    noLanguage,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function execute(code: string, extra: Record<string, unknown> = {}) {
  published.length = 0;
  count += 1;
  const reply = await runtime.handle("execute", { code, execution_count: count, ...extra }, makeHeader("execute_request", "s"));
  return { reply, outputs: [...published] };
}

function resultOf(outputs: Published[]): string | undefined {
  return outputs.find((output) => output.msgType === "execute_result")?.content.data["text/plain"];
}

describe("runtime", () => {
  it("publishes the last value as execute_result", async () => {
    const { reply, outputs } = await execute("const n: number = 6\nn * 7");

    expect(reply.status).toBe("ok");
    expect(resultOf(outputs)).toBe("42");
    expect(outputs.find((output) => output.msgType === "execute_result")?.content.execution_count).toBe(count);
  });

  it("uses an object's display method for the result", async () => {
    const { outputs } = await execute("({ [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<b>x</b>', 'text/plain': 'x' }) })");

    expect(outputs.find((output) => output.msgType === "execute_result")?.content.data).toEqual({ "text/html": "<b>x</b>", "text/plain": "x" });
  });

  it("reports a display method that returns no bundle", async () => {
    const { reply } = await execute("({ [Symbol.for('Jupyter.display')]: () => 5 })");

    expect(reply.status).toBe("error");
    expect(reply.evalue).toContain("expected an object mapping MIME types to data");
  });

  it("imports an ESM-only package from the notebook folder", async () => {
    const { outputs } = await execute('import { kind } from "esm-only-pkg"\nkind');

    expect(resultOf(outputs)).toBe("'esm'");
  });

  it("names the package and the fix when an import is missing", async () => {
    const { reply } = await execute('import "not-installed-anywhere"');

    expect(reply.status).toBe("error");
    expect(reply.evalue).toContain('npm install not-installed-anywhere');
  });

  it("preloads the core and its common names", async () => {
    const { outputs } = await execute("[typeof pl, typeof tensor, typeof nn, typeof F, typeof display, typeof clearOutput]");

    expect(resultOf(outputs)).toBe("[ 'object', 'function', 'object', 'object', 'function', 'function' ]");
  });

  it("shows no result for a display helper's handle", async () => {
    const cells = ['display.latex("x^2")', "display.plotly({ data: [{ x: [1], y: [2] }] })", "display({ a: 1 })", 'display.text("t", { displayId: "shown" })'];
    for (const cell of cells) {
      const { reply, outputs } = await execute(cell);

      expect(reply.status).toBe("ok");
      expect(outputs.map((output) => output.msgType)).toEqual(["display_data"]);
    }
  });

  it("updates a display by its handle", async () => {
    const { outputs } = await execute('const progress = display.text("epoch 0", { displayId: "progress" })\nprogress.update("epoch 1")\nprogress');

    expect(outputs.map((output) => output.msgType)).toEqual(["display_data", "update_display_data"]);
    expect(outputs[1].content.data["text/plain"]).toBe("'epoch 1'");
    expect(outputs[1].content.transient).toEqual({ display_id: "progress" });
  });

  it("still requires a display id to update", async () => {
    const { reply } = await execute('display.text("once").update("twice")');

    expect(reply.evalue).toContain("has no display id");
  });

  it("reads input through the session", async () => {
    const { outputs } = await execute("await input('age? ')");

    expect(resultOf(outputs)).toBe("'typed for age? '");
  });

  it("interrupts a pending await", async () => {
    const running = execute("await new Promise(() => {})");
    await new Promise((resolve) => setTimeout(resolve, 20));
    runtime.executor.interrupt();
    const { reply } = await running;

    expect(reply.ename).toBe("InterruptError");
  });

  it("answers comm_info for comms opened by a cell", async () => {
    await execute("const opened = kernel.comms.open('progress', { step: 0 })");
    const info = await runtime.handle("commInfo", { target_name: "progress" }, makeHeader("comm_info_request", "s"));

    expect(Object.values(info.comms as object)).toEqual([{ target_name: "progress" }]);
  });
});

describe("console capture", () => {
  it("turns console calls into ordered stream writes and restores the console", () => {
    const writes: [string, string][] = [];
    const output = new Output((msgType, content) => writes.push([String(content.name), String(content.text)]));
    const originalLog = console.log;
    const capture = captureConsole(output);
    try {
      console.log("out", 1);
      console.error("err");
      process.stdout.write("raw\n");
    } finally {
      capture.restore();
    }

    expect(writes).toEqual([
      ["stdout", "out 1\n"],
      ["stderr", "err\n"],
      ["stdout", "raw\n"],
    ]);
    expect(console.log).toBe(originalLog);
  });
});
