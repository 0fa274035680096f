// The page's connection to a kernel: JSON messages over the lab's WebSocket, with requests
// matched to replies and IOPub output routed to the request that caused it. A lost socket
// reconnects with growing delays.

export interface JupyterMessage {
  channel: string;
  header: { msg_id: string; msg_type: string; session: string; username: string; date: string; version: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export type ConnectionState = "connecting" | "connected" | "reconnecting";

interface Pending {
  onIopub?: (message: JupyterMessage) => void;
  resolve(reply: JupyterMessage): void;
}

const MAX_RECONNECT_DELAY_MS = 10_000;

export class KernelSocket {
  readonly session = crypto.randomUUID();
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  /** IOPub handlers by parent msg_id; they outlive the reply until the kernel is idle again. */
  private readonly iopubHandlers = new Map<string, (message: JupyterMessage) => void>();
  private closed = false;
  private attempt = 0;
  private queue: string[] = [];
  onStatus: (state: string) => void = () => undefined;
  onConnection: (state: ConnectionState) => void = () => undefined;
  /** Receives IOPub messages that no request of this page caused, such as update_display_data. */
  onOtherIopub: (message: JupyterMessage) => void = () => undefined;

  constructor(readonly kernelId: string) {
    this.connect();
  }

  /** Sends a request and resolves with its reply; `onIopub` receives the output it causes. */
  request(channel: "shell" | "control", msgType: string, content: Record<string, unknown>, onIopub?: (message: JupyterMessage) => void): Promise<JupyterMessage> {
    const message = this.makeMessage(channel, msgType, content);
    if (onIopub !== undefined) this.iopubHandlers.set(message.header.msg_id, onIopub);
    return new Promise((resolve) => {
      this.pending.set(message.header.msg_id, { onIopub, resolve });
      this.send(JSON.stringify(message));
    });
  }

  /** Drops the socket as if the network failed; used to exercise reconnection. */
  dropConnection(): void {
    this.ws?.close(4000, "dropped by the page");
  }

  close(): void {
    this.closed = true;
    this.ws?.close(1000, "notebook closed");
  }

  private makeMessage(channel: string, msgType: string, content: Record<string, unknown>): JupyterMessage {
    return {
      channel,
      header: { msg_id: crypto.randomUUID(), msg_type: msgType, session: this.session, username: "paramlab", date: new Date().toISOString(), version: "5.4" },
      parent_header: {},
      metadata: {},
      content,
    };
  }

  private send(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.queue.push(text);
  }

  private connect(): void {
    // A reconnect timer set before close() must not open a new socket.
    if (this.closed) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/kernels/${encodeURIComponent(this.kernelId)}/channels?session_id=${this.session}`;
    this.onConnection(this.attempt === 0 ? "connecting" : "reconnecting");
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onConnection("connected");
      for (const text of this.queue.splice(0)) ws.send(text);
      void this.request("shell", "kernel_info_request", {});
    };
    ws.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as JupyterMessage);
    ws.onclose = () => {
      if (this.closed || this.ws !== ws) return;
      this.attempt++;
      this.onConnection("reconnecting");
      const delay = Math.min(MAX_RECONNECT_DELAY_MS, 250 * 2 ** Math.min(this.attempt, 6));
      setTimeout(() => this.connect(), delay);
    };
  }

  private receive(message: JupyterMessage): void {
    const parent = message.parent_header?.msg_id;
    if (message.channel === "iopub") {
      if (message.header.msg_type === "status") {
        this.onStatus(String(message.content.execution_state));
        if (message.content.execution_state === "idle" && parent !== undefined) this.iopubHandlers.delete(parent);
        return;
      }
      const handler = parent === undefined ? undefined : this.iopubHandlers.get(parent);
      if (handler !== undefined) handler(message);
      else this.onOtherIopub(message);
      return;
    }
    const pending = parent === undefined ? undefined : this.pending.get(parent);
    if (pending === undefined) return;
    this.pending.delete(parent!);
    pending.resolve(message);
  }
}
