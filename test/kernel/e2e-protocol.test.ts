// End-to-end: protocol behavior of a kernel process over ZeroMQ, with every message validated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/wire/types.js";
import { resultText, sleep, startKernel, waitFor, type TestKernel } from "./harness.js";

let kernel: TestKernel;

beforeAll(async () => {
  kernel = await startKernel();
});

afterAll(async () => {
  await kernel?.shutdown();
  expect(kernel.problems).toEqual([]);
});

function statesOf(msgId: string): string[] {
  return kernel.iopub
    .filter((message) => message.header.msg_type === "status" && message.parent_header.msg_id === msgId)
    .map((message) => String(message.content.execution_state));
}

describe("kernel protocol", () => {
  it("answers kernel_info on shell and control", async () => {
    for (const channel of ["shell", "control"] as const) {
      const result = kernel.check(await kernel.client.kernelInfo(channel));
      const content = result.reply.content as Record<string, any>;

      expect(content.language_info.name).toBe("typescript");
      expect(content.help_links.length).toBeGreaterThan(0);
      expect(Array.isArray(content.supported_features)).toBe(true);
      expect(statesOf(result.reply.parent_header.msg_id!)).toEqual(["busy", "idle"]);
    }
  });

  it("ignores a message with a wrong signature", async () => {
    const forged = kernel.client.makeMessage("execute_request", { code: "globalThis.forged = true", silent: false });
    const frames = kernel.client.encode(forged);
    frames[1] = Buffer.from("0".repeat(64));
    await kernel.client.sendFrames("shell", frames);
    await sleep(200);

    const repliesToForged = kernel.iopub.filter((message) => message.parent_header.msg_id === forged.header.msg_id);
    expect(repliesToForged).toEqual([]);
    const check = kernel.check(await kernel.client.execute("globalThis.forged === true"));
    expect(resultText(check.iopub)).toBe("false");
    await waitFor(() => kernel.stderr.join("").includes("signature is invalid"), "the kernel to log the invalid signature");
  });

  it("survives malformed frames", async () => {
    await kernel.client.sendFrames("shell", [Buffer.from("no delimiter")]);
    const message = kernel.client.makeMessage("execute_request", { code: "1" });
    const frames = kernel.client.encode(message);
    frames[frames.length - 1] = Buffer.from("{not json");
    await kernel.client.sendFrames("shell", frames);
    await sleep(100);

    const alive = kernel.check(await kernel.client.execute("'still here'"));
    expect(resultText(alive.iopub)).toBe("'still here'");
  });

  it("replies with an error to an unknown request type", async () => {
    const result = kernel.check(await kernel.client.request("shell", "frobnicate_request", {}));

    expect(result.reply.header.msg_type).toBe("frobnicate_reply");
    expect(result.reply.content.status).toBe("error");
    expect(result.reply.content.ename).toBe("UnknownMessageType");
  });

  it("aborts queued requests after an error but not later ones", async () => {
    const failing = kernel.client.execute("await new Promise(r => setTimeout(r, 200)); throw new Error('boom')");
    const queued = [kernel.client.execute("'queued 1'"), kernel.client.execute("'queued 2'")];
    const [failed, ...abortedResults] = await Promise.all([failing, ...queued]);
    const later = kernel.check(await kernel.client.execute("'later'"));

    kernel.check(failed);
    expect(failed.reply.content.status).toBe("error");
    for (const result of abortedResults) {
      kernel.check(result);
      expect(result.reply.content.status).toBe("aborted");
      expect(result.iopub.filter((message) => message.header.msg_type === "execute_result")).toEqual([]);
    }
    expect(later.reply.content.status).toBe("ok");
    expect(resultText(later.iopub)).toBe("'later'");
  });

  it("does not abort queued requests when stop_on_error is false", async () => {
    const failing = kernel.client.execute("await new Promise(r => setTimeout(r, 100)); throw new Error('soft')", { stopOnError: false });
    const queued = kernel.client.execute("'runs anyway'");
    const [, next] = await Promise.all([failing, queued]);

    expect(next.reply.content.status).toBe("ok");
    expect(resultText(next.iopub)).toBe("'runs anyway'");
  });

  for (const mode of ["message", "signal"] as const) {
    it(`interrupts while(true) in ${mode} mode`, async () => {
      kernel.check(await kernel.client.execute("const kept = 'state'"));
      const running = kernel.client.execute("while (true) {}");
      await sleep(300);

      expect(await kernel.client.heartbeat()).toBe(true);
      const info = kernel.check(await kernel.client.kernelInfo("control"));
      expect(info.reply.content.status).toBe("ok");
      await kernel.interrupt(mode);
      const stopped = kernel.check(await running);
      const next = kernel.check(await kernel.client.execute("1 + 1"));
      const state = kernel.check(await kernel.client.execute("kept"));

      expect(stopped.reply.content.status).toBe("error");
      expect(stopped.reply.content.ename).toBe("InterruptError");
      expect(resultText(next.iopub)).toBe("2");
      expect(resultText(state.iopub)).toBe("'state'");
    });

    it(`interrupts a pending await in ${mode} mode`, async () => {
      const running = kernel.client.execute("await new Promise(() => {})");
      await sleep(200);
      await kernel.interrupt(mode);
      const stopped = kernel.check(await running);

      expect(stopped.reply.content.ename).toBe("InterruptError");
      expect(resultText((await kernel.client.execute("1 + 1")).iopub)).toBe("2");
    });
  }

  for (const mode of ["message", "signal"] as const) {
    it(`interrupts a loop that runs after an await in ${mode} mode`, async () => {
      const running = kernel.client.execute("await new Promise(r => setTimeout(r, 10)); let spins = 0; while (true) { spins++ }");
      await sleep(300);
      await kernel.interrupt(mode);
      const stopped = kernel.check(await running);

      expect(stopped.reply.content.ename).toBe("InterruptError");
      expect(resultText((await kernel.client.execute("1 + 1")).iopub)).toBe("2");
    });
  }

  it("interrupts signal mode repeatedly", async () => {
    const cells = ["await new Promise(r => setTimeout(r, 10)); while (true) {}", "while (true) {}", "await new Promise(r => setTimeout(r, 10)); while (true) {}"];
    for (const cell of cells) {
      const running = kernel.client.execute(cell);
      await sleep(300);
      await kernel.interrupt("signal");
      const stopped = kernel.check(await running);

      expect(stopped.reply.content.ename).toBe("InterruptError");
    }
    const pid = kernel.process.pid;

    expect(resultText((await kernel.client.execute("1 + 1")).iopub)).toBe("2");
    expect(kernel.process.pid).toBe(pid);
    expect(kernel.process.exitCode).toBe(null);
  });

  it("pairs busy and idle around every request", async () => {
    const results = [
      await kernel.client.execute("'a'"),
      await kernel.client.complete("Mat"),
      await kernel.client.isComplete("1 +"),
      await kernel.client.history({ hist_access_type: "tail", n: 1 }),
    ];
    for (const result of results) {
      kernel.check(result);
      expect(statesOf(result.reply.parent_header.msg_id!)).toEqual(["busy", "idle"]);
    }
  });

  it("answers history tail, range and search", async () => {
    const first = kernel.check(await kernel.client.execute("const historyMarker = 'alpha'"));
    kernel.check(await kernel.client.execute("historyMarker + 'beta'"));
    const line = first.reply.content.execution_count as number;

    const tail = kernel.check(await kernel.client.history({ hist_access_type: "tail", n: 2 }));
    const range = kernel.check(await kernel.client.history({ hist_access_type: "range", session: 0, start: line, stop: line + 1 }));
    const search = kernel.check(await kernel.client.history({ hist_access_type: "search", pattern: "*historyMarker*", unique: true }));

    expect((tail.reply.content.history as unknown[][]).map((entry) => entry[2])).toEqual([
      "const historyMarker = 'alpha'",
      "historyMarker + 'beta'",
    ]);
    expect(range.reply.content.history).toEqual([[1, line, "const historyMarker = 'alpha'"]]);
    expect((search.reply.content.history as unknown[][]).length).toBe(2);
  });

  it("opens, messages and closes comms in both directions", async () => {
    kernel.check(
      await kernel.client.execute(
        "kernel.comms.registerTarget('echo', (comm, data) => { comm.send({ opened: data.hello }); comm.onMessage((msg) => comm.send({ echo: msg.value })) })",
      ),
    );
    const commId = "comm-e2e-1";
    const seen = kernel.iopub.length;
    await kernel.client.sendComm("comm_open", { comm_id: commId, target_name: "echo", data: { hello: "world" } });
    await kernel.client.sendComm("comm_msg", { comm_id: commId, data: { value: 7 } });
    const info = kernel.check(await kernel.client.request("shell", "comm_info_request", { target_name: "echo" }));
    await kernel.client.sendComm("comm_close", { comm_id: commId, data: {} });
    const after = kernel.check(await kernel.client.request("shell", "comm_info_request", {}));

    const messages = kernel.iopub.slice(seen).filter((m: Message) => m.header.msg_type === "comm_msg").map((m) => m.content.data);
    expect(messages).toEqual([{ opened: "world" }, { echo: 7 }]);
    expect(info.reply.content.comms).toEqual({ [commId]: { target_name: "echo" } });
    expect(after.reply.content.comms).toEqual({});
  });

  it("closes a comm opened for an unknown target", async () => {
    const seen = kernel.iopub.length;
    await kernel.client.sendComm("comm_open", { comm_id: "comm-unknown", target_name: "nobody", data: {} });
    await kernel.client.execute("0");

    const closes = kernel.iopub.slice(seen).filter((m) => m.header.msg_type === "comm_close");
    expect(closes.map((m) => m.content.comm_id)).toEqual(["comm-unknown"]);
  });

  it("publishes display helpers, updates and clear_output", async () => {
    const code = [
      "display.html('<b>bold</b>')",
      "display.markdown('# title')",
      "display.latex('x^2')",
      "display.svg('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')",
      "display.png(new Uint8Array([137, 80, 78, 71]))",
      "display.json({ a: [1, 2] })",
      "display.plotly({ data: [{ x: [1], y: [2] }] })",
      "display.table([{ name: 'w', size: 3 }])",
      "display({ [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<i>custom</i>' }) })",
      "const handle = display('v1', { displayId: 'progress' })",
      "handle.update('v2')",
      "clearOutput({ wait: true });",
      "({ [Symbol.for('Jupyter.display')]() { return { 'text/markdown': '**result**' } } })",
    ].join("\n");
    const result = kernel.check(await kernel.client.execute(code));

    expect(result.reply.content.status).toBe("ok");
    const shown = result.iopub.filter((m) => m.header.msg_type === "display_data").map((m) => Object.keys(m.content.data as object).sort());
    expect(shown).toEqual([
      ["text/html", "text/plain"],
      ["text/markdown", "text/plain"],
      ["text/latex", "text/plain"],
      ["image/svg+xml", "text/plain"],
      ["image/png", "text/plain"],
      ["application/json", "text/plain"],
      ["application/vnd.plotly.v1+json", "text/plain"],
      ["text/html", "text/plain"],
      ["text/html", "text/plain"],
      ["text/plain"],
    ]);
    const png = result.iopub.find((m) => (m.content.data as Record<string, unknown>)?.["image/png"] !== undefined);
    expect((png!.content.data as Record<string, string>)["image/png"]).toBe("iVBORw==");
    const update = result.iopub.find((m) => m.header.msg_type === "update_display_data");
    expect(update?.content.transient).toEqual({ display_id: "progress" });
    expect((update?.content.data as Record<string, string>)["text/plain"]).toBe("'v2'");
    expect(result.iopub.find((m) => m.header.msg_type === "clear_output")?.content).toEqual({ wait: true });
    const executeResult = result.iopub.find((m) => m.header.msg_type === "execute_result");
    expect((executeResult?.content.data as Record<string, string>)["text/markdown"]).toBe("**result**");
  });

  it("runs tslab notebooks through the shim", async () => {
    const result = kernel.check(
      await kernel.client.execute("import * as tslab from 'tslab'\ntslab.display.html('<p>t</p>')\nconst d = tslab.newDisplay(); d.text('one'); d.text('two')"),
    );

    const types = result.iopub.map((m) => m.header.msg_type).filter((type) => type !== "execute_input");
    expect(types).toEqual(["display_data", "display_data", "update_display_data"]);
  });
});
