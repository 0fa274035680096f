// Publishes a cell's output on IOPub under the request that is running, or under the last one
// after it finished, as ipykernel does for output from timers.
import type { Header } from "../wire/types.js";

export type Publish = (msgType: string, content: Record<string, unknown>, parent?: Header) => void;

/** Stream text waits at most this long, or until this many characters, before it is published. */
const STREAM_FLUSH_MS = 20;
const STREAM_FLUSH_CHARS = 16_384;

export class Output {
  parent: Header | undefined;
  private pending: { name: "stdout" | "stderr"; text: string } | undefined;
  private lastFlush = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly publishMessage: Publish) {}

  /**
   * Queues stream text. It is published when the stream changes, when it grows large, when
   * enough time has passed (checked on every write, so a synchronous loop still streams), or
   * from a timer once the main thread is free.
   */
  write(name: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    if (this.pending !== undefined && this.pending.name !== name) this.flush();
    if (this.pending === undefined) this.pending = { name, text };
    else this.pending.text += text;

    const now = Date.now();
    if (this.pending.text.length >= STREAM_FLUSH_CHARS || now - this.lastFlush >= STREAM_FLUSH_MS) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
    }
  }

  /** Publishes queued stream text now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastFlush = Date.now();
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    this.publishMessage("stream", { name: pending.name, text: pending.text }, this.parent);
  }

  /** Publishes a non-stream message after any queued stream text, so order is kept. */
  publish(msgType: string, content: Record<string, unknown>): void {
    this.flush();
    this.publishMessage(msgType, content, this.parent);
  }
}
