// Handler tests of the session in process, with a recording transport and a scripted main thread.
import { afterEach, describe, expect, it } from "vitest";
import type { MainMethod } from "../../kernel/bridge.js";
import { createLogger } from "../../kernel/log.js";
import { Session, type MainThread, type OutChannel } from "../../kernel/session/session.js";
import { makeHeader } from "../../kernel/wire/frames.js";
import type { Header, Message } from "../../kernel/wire/types.js";
import { validateMessage } from "./schema.js";

interface Sent {
  channel: OutChannel;
  message: Message<Record<string, unknown>>;
}

type Responder = (method: MainMethod, params: Record<string, unknown>, parent: Header) => Promise<Record<string, unknown>>;

/** Schema violations of every message the sessions in these tests sent. */
const problems: string[] = [];

afterEach(() => {
  expect(problems).toEqual([]);
  problems.length = 0;
});

function setup(respond: Responder) {
  const sent: Sent[] = [];
  const calls = { interrupts: 0, inputs: [] as [number, string | undefined, string | undefined][], shutdowns: [] as boolean[] };
  const main: MainThread = {
    request: respond,
    interrupt: () => calls.interrupts++,
    replyInput: (id, value, error) => calls.inputs.push([id, value, error]),
    shutdown: (restart) => calls.shutdowns.push(restart),
  };
  const transport = {
    send: (channel: OutChannel, message: Message<unknown>) => {
      sent.push({ channel, message: message as Sent["message"] });
      problems.push(...validateMessage(message as Message));
    },
  };
  const session = new Session(transport, main, createLogger("test", "silent"));
  return { session, sent, calls };
}

function request(msgType: string, content: Record<string, unknown> = {}): Message {
  return { identities: [Buffer.from("peer")], header: makeHeader(msgType, "client"), parent_header: {}, metadata: {}, content, buffers: [] };
}

function repliesTo(sent: Sent[], message: Message): Sent[] {
  return sent.filter((entry) => entry.message.parent_header.msg_id === message.header.msg_id);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const okExecute: Responder = async () => ({ status: "ok", user_expressions: {} });

describe("session handlers", () => {
  it("wraps kernel_info in busy and idle", async () => {
    const { session, sent } = setup(okExecute);
    const message = request("kernel_info_request");
    session.receive("shell", message);
    await settle();

    const types = repliesTo(sent, message).map((entry) => `${entry.channel}:${entry.message.header.msg_type}:${entry.message.content.execution_state ?? ""}`);
    expect(types).toEqual(["iopub:status:busy", "shell:kernel_info_reply:", "iopub:status:idle"]);
  });

  it("counts executions only when storing history", async () => {
    const { session, sent } = setup(okExecute);
    const stored = request("execute_request", { code: "1" });
    const unstored = request("execute_request", { code: "2", store_history: false });
    const silent = request("execute_request", { code: "3", silent: true });
    for (const message of [stored, unstored, silent]) session.receive("shell", message);
    await settle();

    const counts = [stored, unstored, silent].map(
      (message) => repliesTo(sent, message).find((entry) => entry.message.header.msg_type === "execute_reply")?.message.content.execution_count,
    );
    expect(counts).toEqual([1, 1, 1]);
    expect(repliesTo(sent, silent).some((entry) => entry.message.header.msg_type === "execute_input")).toBe(false);
  });

  it("aborts queued requests after a failed cell", async () => {
    let calls = 0;
    const { session, sent } = setup(async () => {
      calls += 1;
      return calls === 1 ? { status: "error", ename: "Error", evalue: "boom", traceback: [] } : { status: "ok", user_expressions: {} };
    });
    const failing = request("execute_request", { code: "throw" });
    const queued = request("execute_request", { code: "queued" });
    const queuedComplete = request("complete_request", { code: "x", cursor_pos: 1 });
    session.receive("shell", failing);
    session.receive("shell", queued);
    session.receive("shell", queuedComplete);
    await settle();
    const later = request("execute_request", { code: "later" });
    session.receive("shell", later);
    await settle();

    const statusOf = (message: Message) => repliesTo(sent, message).find((entry) => entry.channel === "shell")?.message.content.status;
    expect([statusOf(failing), statusOf(queued), statusOf(queuedComplete), statusOf(later)]).toEqual(["error", "aborted", "aborted", "ok"]);
    expect(calls).toBe(2);
  });

  it("publishes buffered stream text before idle", async () => {
    let session!: Session;
    const setupResult = setup(async (_method, _params, parent) => {
      session.publish("stream", { name: "stdout", text: "a" }, parent);
      session.publish("stream", { name: "stdout", text: "b" }, parent);
      return { status: "ok", user_expressions: {} };
    });
    session = setupResult.session;
    const message = request("execute_request", { code: "print" });
    session.receive("shell", message);
    await settle();

    const types = repliesTo(setupResult.sent, message).map((entry) => entry.message.header.msg_type);
    expect(types).toEqual(["status", "execute_input", "stream", "execute_reply", "status"]);
    const stream = repliesTo(setupResult.sent, message).find((entry) => entry.message.header.msg_type === "stream");
    expect(stream?.message.content.text).toBe("ab");
  });

  it("replies with an error to an unknown request and ignores unknown other messages", async () => {
    const { session, sent } = setup(okExecute);
    const unknownRequest = request("bogus_request");
    const unknownOther = request("bogus_event");
    session.receive("shell", unknownRequest);
    session.receive("shell", unknownOther);
    await settle();

    expect(repliesTo(sent, unknownRequest).find((entry) => entry.channel === "shell")?.message.content.ename).toBe("UnknownMessageType");
    expect(repliesTo(sent, unknownOther).filter((entry) => entry.channel === "shell")).toEqual([]);
  });

  it("turns a failing handler into an error reply", async () => {
    const { session, sent } = setup(async () => {
      throw new Error("main thread failed");
    });
    const message = request("inspect_request", { code: "x", cursor_pos: 1 });
    session.receive("shell", message);
    await settle();

    const reply = repliesTo(sent, message).find((entry) => entry.channel === "shell");
    expect(reply?.message.content).toMatchObject({ status: "error", evalue: "main thread failed" });
  });

  it("interrupts only while a cell runs", async () => {
    let finish!: () => void;
    const { session, sent, calls } = setup(
      () => new Promise((resolve) => (finish = () => resolve({ status: "ok", user_expressions: {} }))),
    );
    const idleInterrupt = request("interrupt_request");
    session.receive("control", idleInterrupt);
    await settle();
    session.receive("shell", request("execute_request", { code: "loop" }));
    await settle();
    session.receive("control", request("interrupt_request"));
    await settle();
    finish();
    await settle();

    expect(calls.interrupts).toBe(1);
    expect(repliesTo(sent, idleInterrupt).find((entry) => entry.channel === "control")?.message.header.msg_type).toBe("interrupt_reply");
  });

  it("sends input_request on stdin and forwards the reply", async () => {
    let session!: Session;
    const setupResult = setup(async () => {
      session.requestInput(7, "name?", false);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { status: "ok", user_expressions: {} };
    });
    session = setupResult.session;
    const execute = request("execute_request", { code: "input", allow_stdin: true });
    session.receive("shell", execute);
    await settle();
    const inputRequest = setupResult.sent.find((entry) => entry.channel === "stdin");
    const reply = request("input_reply", { value: "Ada" });
    session.receive("stdin", reply);
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(inputRequest?.message.content).toEqual({ prompt: "name?", password: false });
    expect(inputRequest?.message.identities).toEqual([Buffer.from("peer")]);
    expect(setupResult.calls.inputs).toEqual([[7, "Ada", undefined]]);
  });

  it("replies to shutdown and then shuts the main thread down", async () => {
    const { session, sent, calls } = setup(okExecute);
    const message = request("shutdown_request", { restart: true });
    session.receive("control", message);
    await settle();

    expect(repliesTo(sent, message).find((entry) => entry.channel === "control")?.message.content).toEqual({ status: "ok", restart: true });
    expect(calls.shutdowns).toEqual([true]);
  });
});
