// A Jupyter client over ZeroMQ: requests on shell and control, IOPub collection, stdin replies
// and heartbeat. The lab, the runner and the tests drive kernels through it.
import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import { endpoint } from "../wire/connection.js";
import { decodeMessage, encodeMessage, makeHeader } from "../wire/frames.js";
import { Signer } from "../wire/signing.js";
import type { ConnectionInfo, Header, Message } from "../wire/types.js";

export type RequestChannel = "shell" | "control";

export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  allowStdin?: boolean;
  stopOnError?: boolean;
  userExpressions?: Record<string, string>;
  /** Returns the reply to an input_request. Without it, allow_stdin is false. */
  onInput?: (prompt: string, password: boolean) => string | Promise<string>;
  /** Receives each IOPub message of this request as it arrives. */
  onIopub?: (message: Message) => void;
}

/** The reply to a request and the IOPub messages published for it up to its idle status. */
export interface RequestResult {
  reply: Message;
  /** IOPub messages whose parent is the request, in arrival order, without the status messages. */
  iopub: Message[];
}

interface PendingRequest {
  reply?: Message;
  idle: boolean;
  iopub: Message[];
  onIopub?: (message: Message) => void;
  resolve(result: RequestResult): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export interface KernelClientOptions {
  /** Rejects a request whose reply and idle status have not both arrived in this time (default: none). */
  timeoutMs?: number;
}

/**
 * Connects to a kernel's five sockets. Every request resolves once both its reply and its idle
 * status arrived, with all IOPub output published in between.
 */
export class KernelClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly stdin = new zmq.Dealer();
  private readonly iopubSocket = new zmq.Subscriber();
  private readonly pending = new Map<string, PendingRequest>();
  private readonly sendQueues = new Map<zmq.Socket, Promise<void>>();
  private readonly iopubListeners = new Set<(message: Message) => void>();
  private inputHandlers = new Map<string, ExecuteOptions["onInput"]>();
  private closed = false;

  constructor(
    readonly connection: ConnectionInfo,
    private readonly options: KernelClientOptions = {},
  ) {
    this.signer = new Signer(connection.key);
    const identity = Buffer.from(this.session);
    this.shell.routingId = identity.toString();
    this.stdin.routingId = identity.toString();
    for (const socket of [this.shell, this.control, this.stdin, this.iopubSocket]) socket.linger = 0;
    this.iopubSocket.subscribe();
    this.shell.connect(endpoint(connection, "shell"));
    this.control.connect(endpoint(connection, "control"));
    this.stdin.connect(endpoint(connection, "stdin"));
    this.iopubSocket.connect(endpoint(connection, "iopub"));
    void this.receiveReplies(this.shell);
    void this.receiveReplies(this.control);
    void this.receiveIopub();
    void this.receiveStdin();
  }

  /** Sends a request and resolves with its reply and IOPub output once the kernel is idle again. */
  request(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown> = {},
    hooks: Pick<ExecuteOptions, "onIopub"> = {},
  ): Promise<RequestResult> {
    return this.sendPrepared(channel, this.makeMessage(msgType, content), hooks.onIopub);
  }

  async execute(code: string, options: ExecuteOptions = {}): Promise<RequestResult> {
    const content = {
      code,
      silent: options.silent ?? false,
      store_history: options.storeHistory ?? true,
      user_expressions: options.userExpressions ?? {},
      allow_stdin: options.allowStdin ?? options.onInput !== undefined,
      stop_on_error: options.stopOnError ?? true,
    };
    const message = this.makeMessage("execute_request", content);
    if (options.onInput !== undefined) this.inputHandlers.set(message.header.msg_id, options.onInput);
    return this.sendPrepared("shell", message, options.onIopub).finally(() => this.inputHandlers.delete(message.header.msg_id));
  }

  kernelInfo(channel: RequestChannel = "shell"): Promise<RequestResult> {
    return this.request(channel, "kernel_info_request");
  }

  complete(code: string, cursorPos = [...code].length): Promise<RequestResult> {
    return this.request("shell", "complete_request", { code, cursor_pos: cursorPos });
  }

  inspect(code: string, cursorPos = [...code].length, detailLevel: 0 | 1 = 0): Promise<RequestResult> {
    return this.request("shell", "inspect_request", { code, cursor_pos: cursorPos, detail_level: detailLevel });
  }

  isComplete(code: string): Promise<RequestResult> {
    return this.request("shell", "is_complete_request", { code });
  }

  history(content: Record<string, unknown>): Promise<RequestResult> {
    return this.request("shell", "history_request", { output: false, raw: true, ...content });
  }

  interrupt(): Promise<RequestResult> {
    return this.request("control", "interrupt_request");
  }

  shutdown(restart = false): Promise<RequestResult> {
    return this.request("control", "shutdown_request", { restart });
  }

  /** Sends a comm message (comm_open, comm_msg, comm_close) that has no reply. */
  async sendComm(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>): Promise<Header> {
    const message = this.makeMessage(msgType, content);
    await this.sendOn(this.shell, encodeMessage(message, this.signer));
    return message.header;
  }

  /** Sends frames as they are, for example a message with a wrong signature. */
  async sendFrames(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    await this.sendOn(channel === "shell" ? this.shell : this.control, frames);
  }

  /** Builds a signed message without sending it. */
  makeMessage(msgType: string, content: Record<string, unknown>): Message<Record<string, unknown>> {
    return { identities: [], header: makeHeader(msgType, this.session, "paramlab-client"), parent_header: {}, metadata: {}, content, buffers: [] };
  }

  encode(message: Message<unknown>): Buffer[] {
    return encodeMessage(message, this.signer);
  }

  /** Calls `listener` with every IOPub message; returns a function that removes it. */
  onIopub(listener: (message: Message) => void): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  /** Sends one heartbeat ping and resolves true when it is echoed within `timeoutMs`. */
  async heartbeat(timeoutMs = 1000): Promise<boolean> {
    const socket = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    socket.connect(endpoint(this.connection, "hb"));
    try {
      const ping = Buffer.from(randomUUID());
      await socket.send(ping);
      const [pong] = await socket.receive();
      return pong.equals(ping);
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopubSocket]) socket.close();
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new Error(`the client was closed before request ${id} finished`));
    }
    this.pending.clear();
  }

  private sendPrepared(channel: RequestChannel, message: Message<unknown>, onIopub?: (message: Message) => void): Promise<RequestResult> {
    const result = new Promise<RequestResult>((resolve, reject) => {
      const entry: PendingRequest = { idle: false, iopub: [], onIopub, resolve, reject };
      if (this.options.timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(message.header.msg_id);
          reject(new Error(`${message.header.msg_type} timed out after ${this.options.timeoutMs} ms`));
        }, this.options.timeoutMs);
      }
      this.pending.set(message.header.msg_id, entry);
    });
    void this.sendOn(channel === "shell" ? this.shell : this.control, encodeMessage(message, this.signer)).catch((error: Error) =>
      this.settleWithError(message.header.msg_id, error),
    );
    return result;
  }

  private sendOn(socket: zmq.Dealer, frames: Buffer[]): Promise<void> {
    const previous = this.sendQueues.get(socket) ?? Promise.resolve();
    const next = previous.then(() => socket.send(frames));
    this.sendQueues.set(socket, next.catch(() => undefined));
    return next;
  }

  private async receiveReplies(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const message = this.decode(frames);
        const id = message?.parent_header.msg_id;
        const entry = id === undefined ? undefined : this.pending.get(id);
        if (message === undefined || entry === undefined) continue;
        entry.reply = message;
        this.settleIfDone(id!, entry);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private async receiveIopub(): Promise<void> {
    try {
      for await (const frames of this.iopubSocket) {
        const message = this.decode(frames);
        if (message === undefined) continue;
        for (const listener of this.iopubListeners) listener(message);
        const id = message.parent_header.msg_id;
        const entry = id === undefined ? undefined : this.pending.get(id);
        if (entry === undefined) continue;
        if (message.header.msg_type === "status") {
          if (message.content.execution_state === "idle") {
            entry.idle = true;
            this.settleIfDone(id!, entry);
          }
          continue;
        }
        entry.iopub.push(message);
        entry.onIopub?.(message);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private async receiveStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const message = this.decode(frames);
        if (message?.header.msg_type !== "input_request") continue;
        const handler = this.inputHandlers.get(message.parent_header.msg_id ?? "");
        const value = handler === undefined ? "" : await handler(String(message.content.prompt ?? ""), message.content.password === true);
        const reply = this.makeMessage("input_reply", { value });
        reply.parent_header = message.header;
        await this.sendOn(this.stdin, encodeMessage(reply, this.signer));
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private decode(frames: Buffer[]): Message | undefined {
    try {
      return decodeMessage(frames, this.signer);
    } catch {
      return undefined;
    }
  }

  private settleIfDone(id: string, entry: PendingRequest): void {
    if (entry.reply === undefined || !entry.idle) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    entry.resolve({ reply: entry.reply, iopub: entry.iopub });
  }

  private settleWithError(id: string, error: Error): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    entry.reject(error);
  }
}
