// Dispatches Jupyter requests: a queue for shell, immediate handling for control, status
// busy/idle around every request, and aborting of queued requests after a failed cell.
import { randomUUID } from "node:crypto";
import type { Logger } from "../log.js";
import type { MainMethod } from "../bridge.js";
import { makeHeader } from "../wire/frames.js";
import type { Header, Message } from "../wire/types.js";
import { History } from "./history.js";
import { kernelInfo } from "./kernel-info.js";

export type OutChannel = "shell" | "control" | "stdin" | "iopub";

export interface Transport {
  send(channel: OutChannel, message: Message<unknown>): Promise<void> | void;
}

/** The executor side, on the main thread in the kernel and in process in tests. */
export interface MainThread {
  request(method: MainMethod, params: Record<string, unknown>, parent: Header): Promise<Record<string, unknown>>;
  /** Stops the running cell; called for interrupt_request. */
  interrupt(): void;
  replyInput(id: number, value: string | undefined, error: string | undefined): void;
  /** Ends the process after the shutdown reply was sent. */
  shutdown(restart: boolean): void;
}

type Handler = (message: Message, channel: "shell" | "control") => Promise<void>;

/** Request types forwarded to the main thread and the method that handles each. */
const FORWARDED: Record<string, MainMethod> = {
  complete_request: "complete",
  inspect_request: "inspect",
  is_complete_request: "isComplete",
};

export class Session {
  readonly id = randomUUID();
  executionCount = 0;
  private readonly history = new History();
  private readonly queue: Message[] = [];
  private draining = false;
  private current: Message | undefined;
  private executing = false;
  private waitingInput: number | undefined;
  private readonly handlers: Record<string, Handler>;

  constructor(
    private readonly transport: Transport,
    private readonly main: MainThread,
    private readonly log: Logger,
  ) {
    this.handlers = {
      kernel_info_request: (message, channel) => this.reply(channel, message, kernelInfo()),
      execute_request: (message) => this.execute(message),
      history_request: (message, channel) =>
        this.reply(channel, message, { status: "ok", history: this.history.query(message.content) }),
      comm_info_request: (message, channel) => this.forward(message, channel, "commInfo"),
      comm_open: (message) => this.forwardNoReply(message, "commOpen"),
      comm_msg: (message) => this.forwardNoReply(message, "commMsg"),
      comm_close: (message) => this.forwardNoReply(message, "commClose"),
      shutdown_request: (message, channel) => this.shutdown(message, channel),
      interrupt_request: (message, channel) => this.interrupt(message, channel),
    };
  }

  /** Publishes the status "starting" once, before the first request. */
  start(): void {
    this.publish("status", { execution_state: "starting" }, undefined);
  }

  receive(channel: "shell" | "control" | "stdin", message: Message): void {
    this.log.debug(`received ${message.header.msg_type} on ${channel}`);
    if (channel === "shell") {
      this.queue.push(message);
      void this.drain();
    } else if (channel === "control") {
      void this.dispatch(message, "control");
    } else {
      this.receiveStdin(message);
    }
  }

  /** Sends input_request on stdin for `input()` in a cell, or rejects it when the client disallows stdin. */
  requestInput(id: number, prompt: string, password: boolean): void {
    const request = this.current;
    if (request === undefined || request.header.msg_type !== "execute_request" || request.content.allow_stdin === false) {
      this.main.replyInput(id, undefined, "input() is not available: the client sent allow_stdin false or no cell is running");
      return;
    }
    this.waitingInput = id;
    void this.transport.send("stdin", this.message("input_request", { prompt, password }, request, request.identities));
  }

  /**
   * Publishes on IOPub. Stream text waits for the next turn of the worker's event loop, so a
   * burst of writes becomes one message. Any other message first publishes the waiting text.
   */
  publish(msgType: string, content: Record<string, unknown>, parent: Partial<Header> | undefined, metadata: Record<string, unknown> = {}): void {
    if (msgType === "stream") {
      this.bufferStream(String(content.name), String(content.text), parent);
      return;
    }
    this.flushStreams();
    this.send(msgType, content, parent, metadata);
  }

  private pendingStream: { name: string; text: string; parent: Partial<Header> | undefined } | undefined;
  private streamFlush: NodeJS.Immediate | undefined;

  private bufferStream(name: string, text: string, parent: Partial<Header> | undefined): void {
    const pending = this.pendingStream;
    if (pending !== undefined && (pending.name !== name || pending.parent?.msg_id !== parent?.msg_id)) this.flushStreams();
    if (this.pendingStream === undefined) this.pendingStream = { name, text, parent };
    else this.pendingStream.text += text;
    this.streamFlush ??= setImmediate(() => this.flushStreams());
  }

  private flushStreams(): void {
    if (this.streamFlush !== undefined) clearImmediate(this.streamFlush);
    this.streamFlush = undefined;
    const pending = this.pendingStream;
    this.pendingStream = undefined;
    if (pending !== undefined) this.send("stream", { name: pending.name, text: pending.text }, pending.parent, {});
  }

  private send(msgType: string, content: Record<string, unknown>, parent: Partial<Header> | undefined, metadata: Record<string, unknown>): void {
    const message = this.message(msgType, content, undefined, [Buffer.from(`kernel.${this.id}.${msgType}`)]);
    message.parent_header = parent ?? {};
    message.metadata = metadata;
    void this.transport.send("iopub", message);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const message = this.queue.shift()!;
        await this.dispatch(message, "shell");
        const aborted = this.aborting.splice(0);
        if (aborted.length > 0) await this.abort(aborted);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Handles one request with busy/idle around it. */
  private async dispatch(message: Message, channel: "shell" | "control"): Promise<void> {
    const type = message.header.msg_type;
    if (channel === "shell") this.current = message;
    this.publish("status", { execution_state: "busy" }, message.header);
    try {
      const handler = this.handlers[type];
      if (handler !== undefined) {
        await handler(message, channel);
      } else if (type in FORWARDED) {
        await this.forward(message, channel, FORWARDED[type]);
      } else {
        this.log.warn(`ignored ${type} on ${channel}: this kernel does not handle that message type`);
        if (type.endsWith("_request")) {
          await this.reply(channel, message, errorStatus("UnknownMessageType", `message type ${type} is not supported by this kernel`));
        }
      }
    } catch (error) {
      this.log.error(`handling ${type} failed:`, error);
      if (type.endsWith("_request")) await this.reply(channel, message, errorStatus("KernelError", (error as Error).message));
    } finally {
      this.publish("status", { execution_state: "idle" }, message.header);
      if (channel === "shell") this.current = undefined;
    }
  }

  /** Shell requests that were queued when a cell failed; they get "aborted" replies next. */
  private readonly aborting: Message[] = [];

  private async execute(message: Message): Promise<void> {
    const content = message.content;
    const code = typeof content.code === "string" ? content.code : "";
    const silent = content.silent === true;
    const storeHistory = !silent && content.store_history !== false;
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;

    if (!silent) this.publish("execute_input", { code, execution_count: count }, message.header);
    this.executing = true;
    let result: Record<string, unknown>;
    try {
      result = await this.main.request(
        "execute",
        { code, silent, store_history: storeHistory, user_expressions: content.user_expressions ?? {}, execution_count: count },
        message.header,
      );
    } finally {
      this.executing = false;
    }
    if (storeHistory) this.history.add(count, code);

    // The queue is taken before the reply goes out, so requests sent after the client saw the
    // error are not aborted.
    if (result.status === "error" && content.stop_on_error !== false && !silent) this.aborting.push(...this.queue.splice(0));
    const reply = result.status === "ok" ? { ...result, execution_count: count, payload: [] } : { ...result, execution_count: count };
    await this.reply("shell", message, reply, { status: result.status });
  }

  /** Replies "aborted" to every shell request queued when a cell failed, as ipykernel does. */
  private async abort(aborted: Message[]): Promise<void> {
    for (const message of aborted) {
      this.log.info(`aborted ${message.header.msg_type} ${message.header.msg_id} because an earlier cell failed`);
      this.publish("status", { execution_state: "busy" }, message.header);
      const content: Record<string, unknown> = { status: "aborted" };
      if (message.header.msg_type === "execute_request") content.execution_count = this.executionCount;
      if (message.header.msg_type.endsWith("_request")) await this.reply("shell", message, content, { status: "aborted" });
      this.publish("status", { execution_state: "idle" }, message.header);
    }
  }

  private async forward(message: Message, channel: "shell" | "control", method: MainMethod): Promise<void> {
    const result = await this.main.request(method, message.content, message.header);
    await this.reply(channel, message, { status: "ok", ...result });
  }

  private async forwardNoReply(message: Message, method: MainMethod): Promise<void> {
    try {
      await this.main.request(method, message.content, message.header);
    } catch (error) {
      this.log.warn(`${message.header.msg_type} failed:`, (error as Error).message);
    }
  }

  private async interrupt(message: Message, channel: "shell" | "control"): Promise<void> {
    if (this.executing) this.main.interrupt();
    await this.reply(channel, message, { status: "ok" });
  }

  private async shutdown(message: Message, channel: "shell" | "control"): Promise<void> {
    const restart = message.content.restart === true;
    await this.reply(channel, message, { status: "ok", restart });
    this.publish("status", { execution_state: "idle" }, message.header);
    this.main.shutdown(restart);
  }

  private receiveStdin(message: Message): void {
    if (message.header.msg_type !== "input_reply") {
      this.log.warn(`ignored ${message.header.msg_type} on stdin: only input_reply is expected there`);
      return;
    }
    const id = this.waitingInput;
    if (id === undefined) {
      this.log.warn("ignored an input_reply that arrived while no input was requested");
      return;
    }
    this.waitingInput = undefined;
    this.main.replyInput(id, String(message.content.value ?? ""), undefined);
  }

  /** True while a cell runs; the interrupt fallback reads it. */
  get isExecuting(): boolean {
    return this.executing;
  }

  private reply(channel: OutChannel, request: Message, content: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<void> {
    this.flushStreams();
    const type = request.header.msg_type.replace(/_request$/, "_reply");
    const message = this.message(type, content, request, request.identities);
    message.metadata = metadata;
    return Promise.resolve(this.transport.send(channel, message));
  }

  private message(msgType: string, content: Record<string, unknown>, parent: Message | undefined, identities: Buffer[]): Message<unknown> {
    return {
      identities,
      header: makeHeader(msgType, this.id),
      parent_header: parent?.header ?? {},
      metadata: {},
      content,
      buffers: [],
    };
  }
}

function errorStatus(ename: string, evalue: string): Record<string, unknown> {
  return { status: "error", ename, evalue, traceback: [`${ename}: ${evalue}`] };
}
