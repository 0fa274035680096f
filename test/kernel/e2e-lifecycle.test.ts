// End-to-end: kernel lifecycle over ZeroMQ: ipc transport, restart, shutdown, type checking.
import { afterEach, describe, expect, it } from "vitest";
import { resultText, startKernel, type TestKernel } from "./harness.js";

let kernel: TestKernel | undefined;

afterEach(async () => {
  await kernel?.shutdown();
  expect(kernel?.problems).toEqual([]);
  kernel = undefined;
});

describe("kernel lifecycle", () => {
  it("runs over the ipc transport", async () => {
    kernel = await startKernel({ transport: "ipc" });
    const result = kernel.check(await kernel.client.execute("21 * 2"));

    expect(resultText(result.iopub)).toBe("42");
    expect(await kernel.client.heartbeat()).toBe(true);
  });

  it("restarts with fresh state", async () => {
    kernel = await startKernel();
    kernel.check(await kernel.client.execute("const beforeRestart = 1"));
    const firstPid = kernel.process.pid;
    await kernel.restart();
    const result = kernel.check(await kernel.client.execute("typeof beforeRestart"));

    expect(kernel.process.pid).not.toBe(firstPid);
    expect(resultText(result.iopub)).toBe("'undefined'");
  });

  it("exits with code 0 after shutdown_request", async () => {
    kernel = await startKernel();
    const child = kernel.process;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const reply = kernel.check(await kernel.client.shutdown(false));

    expect(reply.reply.content).toEqual({ status: "ok", restart: false });
    expect(await exited).toBe(0);
  });

  it("reports type errors before running when type checking is on", async () => {
    kernel = await startKernel({ kernelArgs: ["--type-check"] });
    const failed = kernel.check(await kernel.client.execute("let ran = true\nconst n: number = 'text'"));
    const check = kernel.check(await kernel.client.execute("\"ran\" in globalThis"));
    kernel.check(await kernel.client.execute("kernel.setTypeChecking(false)"));
    const unchecked = kernel.check(await kernel.client.execute("const m: number = 'text' as any; m"));

    expect(failed.reply.content.ename).toBe("TypeScriptError");
    expect((failed.reply.content.traceback as string[])[0]).toMatch(/^cell:2:7 - error TS2322/);
    expect(resultText(check.iopub)).toBe("false");
    expect(resultText(unchecked.iopub)).toBe("'text'");
  });

  it("completes and inspects over the protocol", async () => {
    kernel = await startKernel();
    kernel.check(await kernel.client.execute("/** The learning rate. */\nconst learningRate = 0.1"));
    const completion = kernel.check(await kernel.client.complete("learningRate.toFi"));
    const inspection = kernel.check(await kernel.client.inspect("learningRate", 3));

    expect(completion.reply.content.matches).toEqual(["toFixed"]);
    expect((inspection.reply.content.data as Record<string, string>)["text/plain"]).toContain("The learning rate.");
  });
});
