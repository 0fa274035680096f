// End-to-end: the preloaded core's displays, display handles and process.exit() in cells.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/wire/types.js";
import { resultText, startKernel, type TestKernel } from "./harness.js";

let kernel: TestKernel;

beforeAll(async () => {
  kernel = await startKernel();
});

afterAll(async () => {
  await kernel?.shutdown();
  expect(kernel.problems).toEqual([]);
});

function outputTypes(iopub: Message[]): string[] {
  const shown = ["stream", "display_data", "update_display_data", "execute_result", "error"];
  return iopub.map((message) => message.header.msg_type).filter((type) => shown.includes(type));
}

function resultData(iopub: Message[]): Record<string, unknown> {
  const result = iopub.find((message) => message.header.msg_type === "execute_result");
  return (result?.content.data ?? {}) as Record<string, unknown>;
}

describe("kernel displays", () => {
  it("preloads the core's common names", async () => {
    const names = ["pl", "tensor", "nn", "optim", "F", "data", "train", "analysis", "display"];
    const result = kernel.check(await kernel.client.execute(`[${names.map((name) => `typeof ${name}`).join(", ")}].join(" ")`));

    expect(resultText(result.iopub)).toBe("'object function object object object object object object function'");
  });

  it("keeps the kernel's display over the core's", async () => {
    const result = kernel.check(await kernel.client.execute("display !== pl.display && typeof display.html"));

    expect(resultText(result.iopub)).toBe("'function'");
  });

  it("shows a module as SVG", async () => {
    const result = kernel.check(await kernel.client.execute("new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1))"));
    const data = resultData(result.iopub);

    expect(result.reply.content.status).toBe("ok");
    expect(String(data["image/svg+xml"])).toContain("<svg");
    expect(String(data["text/plain"])).toContain("Linear");
  });

  it("shows a training history as a Plotly figure", async () => {
    const code = [
      "const history = new train.History()",
      "history.steps.push({ step: 1, epoch: 1, loss: 0.9 }, { step: 2, epoch: 2, loss: 0.4 })",
      "history.epochs.push({ epoch: 1, loss: 0.9 }, { epoch: 2, loss: 0.4 })",
      "history",
    ].join("\n");
    const result = kernel.check(await kernel.client.execute(code));
    const figure = resultData(result.iopub)["application/vnd.plotly.v1+json"] as { data?: unknown[] } | undefined;

    expect(result.reply.content.status).toBe("ok");
    expect(Array.isArray(figure?.data)).toBe(true);
    expect(figure?.data?.length).toBeGreaterThan(0);
  });

  it("shows a module passed to display()", async () => {
    const result = kernel.check(await kernel.client.execute("display(new nn.Linear(3, 2))"));
    const shown = result.iopub.find((message) => message.header.msg_type === "display_data");

    expect(outputTypes(result.iopub)).toEqual(["display_data"]);
    expect(String((shown?.content.data as Record<string, unknown>)["image/svg+xml"])).toContain("<svg");
  });

  it("shows no result for display helpers", async () => {
    for (const cell of ['display.latex("x^2")', "display.plotly({ data: [{ x: [1, 2], y: [3, 4] }] })", "display({ a: 1 })"]) {
      const result = kernel.check(await kernel.client.execute(cell));

      expect(outputTypes(result.iopub)).toEqual(["display_data"]);
    }
  });

  it("updates a display in place", async () => {
    const result = kernel.check(await kernel.client.execute('const bar = display.text("0%", { displayId: true })\nbar.update(50)\nbar'));
    const [shown, updated] = result.iopub.filter((message) => message.header.msg_type.endsWith("display_data"));

    expect(outputTypes(result.iopub)).toEqual(["display_data", "update_display_data"]);
    expect(updated.content.transient).toEqual(shown.content.transient);
    expect((updated.content.data as Record<string, unknown>)["text/plain"]).toBe("50");
  });
});

describe("process.exit in a cell", () => {
  it("reports an error and keeps the kernel", async () => {
    const pid = kernel.process.pid;
    for (const cell of ["process.exit()", "process.exit(3)"]) {
      const result = kernel.check(await kernel.client.execute(cell));

      expect(result.reply.content.status).toBe("error");
      expect(result.reply.content.ename).toBe("ProcessExitError");
      expect(String(result.reply.content.evalue)).toContain("restart");
    }
    const next = kernel.check(await kernel.client.execute("1 + 1"));

    expect(resultText(next.iopub)).toBe("2");
    expect(kernel.process.pid).toBe(pid);
    expect(kernel.process.exitCode).toBe(null);
  });

  it("still lets the kernel exit on shutdown_request", async () => {
    const other = await startKernel();
    const exited = new Promise<number | null>((resolve) => other.process.once("exit", (code) => resolve(code)));
    other.check(await other.client.shutdown(false));

    expect(await exited).toBe(0);
    await other.shutdown();
  });
});
