// Bridges one WebSocket to one kernel. Each connection gets its own shell, control and stdin
// DEALER sockets, so replies and input requests reach only the client that sent the request;
// IOPub comes from the kernel manager's shared subscriber and goes to every connection.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import * as zmq from "zeromq";
import type { Message } from "../../kernel/client/index.js";
import { endpoint } from "../../kernel/wire/connection.js";
import { Signer } from "../../kernel/wire/signing.js";
import { statusMessage, type RunningKernel } from "./kernels.js";
import type { Logger } from "./log.js";
import { decodeWs, encodeWs, type RawMessage } from "./ws-format.js";

const DELIMITER = Buffer.from("<IDS|MSG>");
const CLIENT_CHANNELS = ["shell", "control", "stdin"] as const;
type ClientChannel = (typeof CLIENT_CHANNELS)[number];

export class ChannelBridge {
  private readonly sockets: Record<ClientChannel, zmq.Dealer>;
  private readonly signer: Signer;
  private readonly sendQueues = new Map<zmq.Dealer, Promise<void>>();
  private closed = false;
  private readonly onIopub = (message: Message): void => this.forwardIopub(message);
  private readonly closeBridge = (): void => this.close();

  constructor(
    private readonly ws: WebSocket,
    private readonly protocol: string,
    private readonly kernel: RunningKernel,
    private readonly log: Logger,
  ) {
    const connection = kernel.launched.connection;
    this.signer = new Signer(connection.key);
    const identity = `lab-${randomUUID()}`;
    this.sockets = {
      shell: new zmq.Dealer({ linger: 0, routingId: identity }),
      control: new zmq.Dealer({ linger: 0 }),
      stdin: new zmq.Dealer({ linger: 0, routingId: identity }),
    };
    for (const channel of CLIENT_CHANNELS) {
      this.sockets[channel].connect(endpoint(connection, channel));
      void this.receive(channel);
    }
    kernel.listeners.add(this.onIopub);
    kernel.bridgeClosers.add(this.closeBridge);
    ws.on("message", (data, isBinary) => this.fromClient(toBuffer(data), isBinary));
    ws.on("close", () => this.close());
    ws.on("error", (error) => {
      this.log.warn(`WebSocket of kernel ${kernel.id} failed: ${error.message}`);
      this.close();
    });
    // A client that connects after its kernel died would otherwise wait for a status that was
    // sent before it listened.
    if (kernel.executionState === "dead") this.forwardIopub(statusMessage(kernel, "dead"));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.kernel.listeners.delete(this.onIopub);
    this.kernel.bridgeClosers.delete(this.closeBridge);
    for (const socket of Object.values(this.sockets)) socket.close();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, "kernel connection closed");
  }

  private fromClient(data: Buffer, isBinary: boolean): void {
    let message: RawMessage;
    try {
      message = decodeWs(data, isBinary, this.protocol);
    } catch (error) {
      this.log.warn(`dropped a WebSocket message for kernel ${this.kernel.id}: ${(error as Error).message}`);
      return;
    }
    if (!(CLIENT_CHANNELS as readonly string[]).includes(message.channel)) {
      this.log.warn(`dropped a WebSocket message for kernel ${this.kernel.id} on channel ${JSON.stringify(message.channel)}: expected shell, control or stdin`);
      return;
    }
    this.kernel.lastActivity = new Date();
    const signature = Buffer.from(this.signer.sign(message.parts));
    const frames = [DELIMITER, signature, ...message.parts, ...message.buffers];
    this.send(this.sockets[message.channel as ClientChannel], frames);
  }

  private send(socket: zmq.Dealer, frames: Buffer[]): void {
    const previous = this.sendQueues.get(socket) ?? Promise.resolve();
    const next = previous
      .then(() => (this.closed ? undefined : socket.send(frames)))
      .catch((error: Error) => this.log.warn(`could not send to kernel ${this.kernel.id}: ${error.message}`));
    this.sendQueues.set(socket, next);
  }

  private async receive(channel: ClientChannel): Promise<void> {
    try {
      for await (const frames of this.sockets[channel]) {
        const split = frames.findIndex((frame) => frame.equals(DELIMITER));
        if (split < 0 || frames.length < split + 6) continue;
        const parts = frames.slice(split + 2, split + 6) as RawMessage["parts"];
        if (!this.signer.verify(frames[split + 1].toString(), parts)) {
          this.log.warn(`dropped a ${channel} message from kernel ${this.kernel.id} with an invalid signature`);
          continue;
        }
        this.toClient({ channel, parts, buffers: frames.slice(split + 6) });
      }
    } catch (error) {
      if (!this.closed) this.log.warn(`${channel} socket of kernel ${this.kernel.id} failed: ${(error as Error).message}`);
    }
  }

  private forwardIopub(message: Message): void {
    const json = [message.header, message.parent_header, message.metadata, message.content];
    const parts = json.map((part) => Buffer.from(JSON.stringify(part), "utf8")) as RawMessage["parts"];
    this.toClient({ channel: "iopub", parts, buffers: message.buffers });
  }

  private toClient(message: RawMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const { data, binary } = encodeWs(message, this.protocol);
    this.ws.send(data, { binary });
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
