// Drives a running lab with @jupyterlab/services, as JupyterLab and other Jupyter clients do.
import { ContentsManager, KernelAPI, KernelManager, KernelSpecAPI, SessionManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JsonOnlyWebSocket, makeSettings, notebookWith, startTestLab, type TestLab } from "./harness.js";

let lab: TestLab;

beforeAll(async () => {
  // @jupyterlab/services logs every WebSocket it opens and every status change.
  vi.spyOn(console, "debug").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  lab = await startTestLab({
    kernelSpecs: {
      broken: {
        argv: [process.execPath, "-e", "process.stderr.write('broken kernel: cannot load module x'); process.exit(3)", "{connection_file}"],
        display_name: "Broken",
        language: "typescript",
      },
    },
  });
});

afterAll(async () => {
  await lab?.stop();
});

/** Executes `code` and returns the IOPub messages of the request and its reply. */
async function run(kernel: Kernel.IKernelConnection, code: string): Promise<{ iopub: KernelMessage.IIOPubMessage[]; reply: KernelMessage.IExecuteReplyMsg }> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (message) => {
    iopub.push(message);
  };
  const reply = await future.done;
  return { iopub, reply };
}

function outputsOf(iopub: KernelMessage.IIOPubMessage[], type: string): KernelMessage.IIOPubMessage[] {
  return iopub.filter((message) => message.header.msg_type === type);
}

describe("lab through @jupyterlab/services", () => {
  it("lists the paramlab kernelspec", async () => {
    const specs = await KernelSpecAPI.getSpecs(lab.settings);
    expect(specs.default).toBe("paramlab");
    expect(specs.kernelspecs.paramlab?.language).toBe("typescript");
    expect(specs.kernelspecs.paramlab?.display_name).toBe("TypeScript (paramlab)");
  });

  it("executes code over the v1 protocol", async () => {
    const manager = new KernelManager({ serverSettings: lab.settings });
    const kernel = await manager.startNew({ name: "paramlab" });
    try {
      const info = await kernel.info;
      expect(info.protocol_version).toBe("5.4");
      const { iopub, reply } = await run(kernel, 'console.log("hello from the lab"); 6 * 7');
      expect(reply.content.status).toBe("ok");
      const stdout = outputsOf(iopub, "stream").map((message) => (message.content as { text: string }).text).join("");
      expect(stdout).toContain("hello from the lab");
      const result = outputsOf(iopub, "execute_result")[0]?.content as KernelMessage.IExecuteResultMsg["content"];
      expect(result.data["text/plain"]).toBe("42");
      expect(result.execution_count).toBe(reply.content.execution_count);
      const models = await KernelAPI.listRunning(lab.settings);
      expect(models.find((model) => model.id === kernel.id)?.connections).toBe(1);
    } finally {
      await kernel.shutdown();
      manager.dispose();
    }
  });

  it("executes code over JSON text messages", async () => {
    const settings = makeSettings(lab, JsonOnlyWebSocket as never);
    const manager = new KernelManager({ serverSettings: settings });
    const kernel = await manager.startNew({ name: "paramlab" });
    try {
      const { iopub, reply } = await run(kernel, "throw new RangeError('bad value 7')");
      expect(reply.content.status).toBe("error");
      const error = outputsOf(iopub, "error")[0]?.content as KernelMessage.IErrorMsg["content"];
      expect(error.ename).toBe("RangeError");
      expect(error.evalue).toContain("bad value 7");
      const complete = await kernel.requestComplete({ code: "Math.ma", cursor_pos: 7 });
      expect(complete.content.status).toBe("ok");
      expect((complete.content as { matches: string[] }).matches).toContain("max");
    } finally {
      await kernel.shutdown();
      manager.dispose();
    }
  });

  it("restarts and interrupts a kernel", async () => {
    const manager = new KernelManager({ serverSettings: lab.settings });
    const kernel = await manager.startNew({ name: "paramlab" });
    try {
      await run(kernel, "var kept = 5;");
      await kernel.restart();
      const { reply } = await run(kernel, "typeof kept");
      expect(reply.content.status).toBe("ok");
      const after = await run(kernel, "typeof kept");
      const result = outputsOf(after.iopub, "execute_result")[0]?.content as KernelMessage.IExecuteResultMsg["content"];
      expect(result.data["text/plain"]).toContain("undefined");

      const slow = run(kernel, "await new Promise((resolve) => setTimeout(resolve, 60_000)); 'finished'");
      await new Promise((resolve) => setTimeout(resolve, 500));
      await kernel.interrupt();
      const interrupted = await slow;
      expect(interrupted.reply.content.status).not.toBe("ok");
    } finally {
      await kernel.shutdown();
      manager.dispose();
    }
  });

  it("reports a dead kernel and restarts it", async () => {
    const manager = new KernelManager({ serverSettings: lab.settings });
    const kernel = await manager.startNew({ name: "paramlab" });
    try {
      const dead = new Promise<void>((resolve) => {
        kernel.statusChanged.connect((_, status) => {
          if (status === "dead") resolve();
        });
      });
      lab.kernels.get(kernel.id).launched.process.kill("SIGKILL");
      await dead;
      expect((await KernelAPI.getKernelModel(kernel.id, lab.settings))?.execution_state).toBe("dead");

      await KernelAPI.restartKernel(kernel.id, lab.settings);
      const connection = manager.connectTo({ model: { id: kernel.id, name: "paramlab" } });
      const { reply } = await run(connection, "1 + 1");
      expect(reply.content.status).toBe("ok");
      connection.dispose();
    } finally {
      await KernelAPI.shutdownKernel(kernel.id, lab.settings);
      manager.dispose();
    }
  });

  it("closes WebSockets on kernel shutdown", async () => {
    const started = (await (await lab.request("api/kernels", { method: "POST", body: "{}" })).json()) as { id: string };
    const ws = new WebSocket(`${lab.baseUrl.replace(/^http/, "ws")}api/kernels/${started.id}/channels?token=${lab.token}`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const statuses: string[] = [];
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { header: { msg_type: string }; content: { execution_state?: string } };
      if (message.header.msg_type === "status") statuses.push(String(message.content.execution_state));
    });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    expect((await lab.request(`api/kernels/${started.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await closed).toBe(1000);
    expect(statuses.at(-1)).toBe("dead");
    expect((await lab.request(`api/kernels/${started.id}`)).status).toBe(404);
  });

  it("tells a WebSocket that connects to a dead kernel that it is dead", async () => {
    const started = (await (await lab.request("api/kernels", { method: "POST", body: "{}" })).json()) as { id: string };
    const { process: child } = lab.kernels.get(started.id).launched;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    await expect.poll(async () => ((await (await lab.request(`api/kernels/${started.id}`)).json()) as { execution_state: string }).execution_state).toBe("dead");
    const ws = new WebSocket(`${lab.baseUrl.replace(/^http/, "ws")}api/kernels/${started.id}/channels?token=${lab.token}`);
    const status = new Promise<string>((resolve) => {
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { channel: string; header: { msg_type: string }; content: { execution_state?: string } };
        if (message.channel === "iopub" && message.header.msg_type === "status") resolve(String(message.content.execution_state));
      });
    });
    expect(await status).toBe("dead");
    ws.close();
    await lab.request(`api/kernels/${started.id}`, { method: "DELETE" });
  });

  it("survives malformed WebSocket messages", async () => {
    const started = (await (await lab.request("api/kernels", { method: "POST", body: "{}" })).json()) as { id: string };
    const ws = new WebSocket(`${lab.baseUrl.replace(/^http/, "ws")}api/kernels/${started.id}/channels?token=${lab.token}`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const replies: string[] = [];
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { channel: string; header: { msg_type: string } };
      if (message.channel === "shell") replies.push(message.header.msg_type);
    });
    ws.send("not json");
    ws.send(Buffer.from([0, 0, 0, 9]));
    ws.send(JSON.stringify({ channel: "iopub", header: { msg_id: "x", msg_type: "status" }, parent_header: {}, metadata: {}, content: {} }));
    ws.send(JSON.stringify({ channel: "shell", header: { msg_id: "no-type" }, parent_header: {}, metadata: {}, content: {} }));
    const header = { msg_id: "after-garbage", msg_type: "kernel_info_request", session: "s", username: "u", date: new Date().toISOString(), version: "5.4" };
    ws.send(JSON.stringify({ channel: "shell", header, parent_header: {}, metadata: {}, content: {} }));
    await expect.poll(() => replies, { timeout: 30_000 }).toContain("kernel_info_reply");
    ws.close();
    expect((await lab.request(`api/kernels/${started.id}`)).status).toBe(200);
    await lab.request(`api/kernels/${started.id}`, { method: "DELETE" });
  });

  it("reports the stderr of a kernel that fails to start", async () => {
    const response = await lab.request("api/kernels", { method: "POST", body: JSON.stringify({ name: "broken" }) });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { message: string; reason: string };
    expect(body.message).toContain("kernel broken failed to start");
    expect(body.reason).toContain("broken kernel: cannot load module x");
    expect((await lab.request("api/status")).status).toBe(200);
  });

  it("runs a session for a notebook", async () => {
    const contents = new ContentsManager({ serverSettings: lab.settings });
    await contents.save("session.ipynb", { type: "notebook", format: "json", content: notebookWith(["1"]) });
    const sessions = new SessionManager({ serverSettings: lab.settings, kernelManager: new KernelManager({ serverSettings: lab.settings }) });
    const session = await sessions.startNew({ path: "session.ipynb", name: "session.ipynb", type: "notebook", kernel: { name: "paramlab" } });
    try {
      const { reply } = await run(session.kernel!, "process.cwd()");
      expect(reply.content.status).toBe("ok");
      const listed = await sessions.findByPath("session.ipynb");
      expect(listed?.id).toBe(session.id);
      expect(listed?.kernel?.id).toBe(session.kernel?.id);
    } finally {
      await session.shutdown();
      sessions.dispose();
    }
    expect(await KernelAPI.listRunning(lab.settings)).toEqual([]);
  });
});

describe("lab contents", () => {
  it("saves and reloads a notebook with its outputs", async () => {
    const contents = new ContentsManager({ serverSettings: lab.settings });
    const manager = new KernelManager({ serverSettings: lab.settings });
    const kernel = await manager.startNew({ name: "paramlab" });
    const notebook = notebookWith(['console.log("saved output")']);
    try {
      const { iopub } = await run(kernel, 'console.log("saved output")');
      const stream = outputsOf(iopub, "stream")[0].content as { name: string; text: string };
      (notebook.cells as Array<Record<string, unknown>>)[0].outputs = [{ output_type: "stream", name: stream.name, text: stream.text }];
    } finally {
      await kernel.shutdown();
      manager.dispose();
    }
    await contents.save("run/saved.ipynb", { type: "directory" }).catch(() => undefined);
    await contents.save("saved.ipynb", { type: "notebook", format: "json", content: notebook });
    const model = await contents.get("saved.ipynb");
    expect(model.type).toBe("notebook");
    expect(model.content).toEqual(notebook);
    expect(readFileSync(join(lab.root, "saved.ipynb"), "utf8")).toContain('"text": "saved output\\n"');
  });

  it("keeps an unedited notebook byte-identical", async () => {
    const contents = new ContentsManager({ serverSettings: lab.settings });
    const layouts = [
      `${JSON.stringify(notebookWith(["a", "b"]), null, 1)}\n`,
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { z: 1, a: "é" }, cells: [] }, null, 2),
      '{"cells": [], "metadata": {"plot": {"opacity": 1.0, "x": [0.50, 2e3]}}, "nbformat": 4, "nbformat_minor": 5}',
    ];
    for (const [index, text] of layouts.entries()) {
      const name = `layout-${index}.ipynb`;
      writeFileSync(join(lab.root, name), text);
      const model = await contents.get(name);
      await contents.save(name, { type: "notebook", format: "json", content: model.content });
      expect(readFileSync(join(lab.root, name), "utf8")).toBe(text);
    }
  });

  it("renames, copies, checkpoints and deletes", async () => {
    const contents = new ContentsManager({ serverSettings: lab.settings });
    const untitled = await contents.newUntitled({ path: "", type: "notebook" });
    expect(untitled.path).toMatch(/^Untitled\d*\.ipynb$/);
    const renamed = await contents.rename(untitled.path, "renamed.ipynb");
    expect(renamed.path).toBe("renamed.ipynb");

    const checkpoint = await contents.createCheckpoint("renamed.ipynb");
    await contents.save("renamed.ipynb", { type: "notebook", format: "json", content: notebookWith(["changed"]) });
    expect((await contents.listCheckpoints("renamed.ipynb")).map((item) => item.id)).toEqual([checkpoint.id]);
    await contents.restoreCheckpoint("renamed.ipynb", checkpoint.id);
    expect(((await contents.get("renamed.ipynb")).content as { cells: unknown[] }).cells).toEqual([]);

    const copy = await contents.copy("renamed.ipynb", "");
    expect(copy.path).toBe("renamed-Copy.ipynb");
    await contents.delete(copy.path);
    await contents.deleteCheckpoint("renamed.ipynb", checkpoint.id);
    expect(await contents.listCheckpoints("renamed.ipynb")).toEqual([]);
    const listing = await contents.get("");
    const names = (listing.content as Array<{ name: string }>).map((item) => item.name);
    expect(names).toContain("renamed.ipynb");
    expect(names).not.toContain("renamed-Copy.ipynb");
    expect(names).not.toContain(".ipynb_checkpoints");
  });

  it("rejects a save over a file changed on disk", async () => {
    const contents = new ContentsManager({ serverSettings: lab.settings });
    const saved = await contents.save("conflict.ipynb", { type: "notebook", format: "json", content: notebookWith(["mine"]) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(lab.root, "conflict.ipynb"), `${JSON.stringify(notebookWith(["theirs"]), null, 1)}\n`);

    const stale = { type: "notebook", format: "json", content: notebookWith(["mine again"]), last_modified: saved.last_modified };
    const response = await lab.request("api/contents/conflict.ipynb", { method: "PUT", body: JSON.stringify(stale) });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toContain("changed on disk");
    expect(readFileSync(join(lab.root, "conflict.ipynb"), "utf8")).toContain("theirs");

    const overwrite = await lab.request("api/contents/conflict.ipynb", { method: "PUT", body: JSON.stringify({ ...stale, last_modified: undefined }) });
    expect(overwrite.status).toBe(200);
    expect(readFileSync(join(lab.root, "conflict.ipynb"), "utf8")).toContain("mine again");
  });

  it("reports a corrupt notebook and keeps serving", async () => {
    writeFileSync(join(lab.root, "corrupt.ipynb"), '{"cells": [ {"cell_type": "code", ');
    const response = await lab.request("api/contents/corrupt.ipynb");
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain("notebook corrupt.ipynb is corrupt");
    expect(body.message).toContain("not valid JSON");

    writeFileSync(join(lab.root, "not-a-notebook.ipynb"), '{"nbformat": 3, "worksheets": []}');
    const old = await lab.request("api/contents/not-a-notebook.ipynb");
    expect(old.status).toBe(400);
    expect(((await old.json()) as { message: string }).message).toContain("nbformat is 3, expected 4");
    expect((await lab.request("api/status")).status).toBe(200);
  });

  it("marks notebooks saved in the lab as trusted", async () => {
    writeFileSync(join(lab.root, "foreign.ipynb"), `${JSON.stringify(notebookWith(["x"]), null, 1)}\n`);
    const foreign = (await (await lab.request("api/contents/foreign.ipynb")).json()) as { trusted: boolean; content: unknown };
    expect(foreign.trusted).toBe(false);
    const save = await lab.request("api/contents/foreign.ipynb", { method: "PUT", body: JSON.stringify({ type: "notebook", format: "json", content: foreign.content }) });
    expect(save.status).toBe(200);
    const trusted = (await (await lab.request("api/contents/foreign.ipynb")).json()) as { trusted: boolean };
    expect(trusted.trusted).toBe(true);
  });
});
