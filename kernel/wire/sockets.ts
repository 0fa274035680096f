import * as zmq from "zeromq";
import { endpoint } from "./connection.js";
import { decodeMessage, encodeMessage, InvalidMessageError } from "./frames.js";
import type { Signer } from "./signing.js";
import type { ConnectionInfo, Message } from "./types.js";

export type ReceivingChannel = "shell" | "control" | "stdin";

export interface SocketEvents {
  message(channel: ReceivingChannel, message: Message): void;
  invalid(channel: ReceivingChannel, error: Error): void;
}

/**
 * The five kernel sockets bound to the ports of a connection file. Sends on one socket are
 * serialized, because zeromq allows only one pending send per socket.
 */
export class KernelSockets {
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private readonly queues = new Map<zmq.Socket, Promise<void>>();
  private closed = false;

  constructor(
    private readonly info: ConnectionInfo,
    private readonly signer: Signer,
  ) {
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.linger = 0;
  }

  async bind(): Promise<void> {
    await Promise.all([
      this.shell.bind(endpoint(this.info, "shell")),
      this.control.bind(endpoint(this.info, "control")),
      this.stdin.bind(endpoint(this.info, "stdin")),
      this.iopub.bind(endpoint(this.info, "iopub")),
      this.hb.bind(endpoint(this.info, "hb")),
    ]);
  }

  /** Starts the receive loops and the heartbeat echo. */
  listen(events: SocketEvents): void {
    void this.receive("shell", this.shell, events);
    void this.receive("control", this.control, events);
    void this.receive("stdin", this.stdin, events);
    void this.echoHeartbeat();
  }

  send(channel: "shell" | "control" | "stdin" | "iopub", message: Message<unknown>): Promise<void> {
    const socket = this[channel];
    const frames = encodeMessage(message, this.signer);
    const previous = this.queues.get(socket) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (!this.closed) await socket.send(frames);
    });
    const settled = next.catch(() => undefined);
    this.queues.set(socket, settled);
    return next;
  }

  /** Waits until every queued send has been handed to ZeroMQ. */
  async flush(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  close(): void {
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.close();
  }

  private async receive(channel: ReceivingChannel, socket: zmq.Router, events: SocketEvents): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decodeMessage(frames, this.signer);
        } catch (error) {
          if (!(error instanceof InvalidMessageError)) throw error;
          events.invalid(channel, error);
          continue;
        }
        try {
          events.message(channel, message);
        } catch (error) {
          // A failing handler must not stop this socket's receive loop.
          events.invalid(channel, error as Error);
        }
      }
    } catch (error) {
      if (!this.closed) events.invalid(channel, error as Error);
    }
  }

  private async echoHeartbeat(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch {
      // The socket was closed at shutdown.
    }
  }
}
