// Publishes a cell's output on IOPub under the request that is running, or under the last one
// after it finished, as ipykernel does for output from timers.
import type { Header } from "../wire/types.js";

export type Publish = (msgType: string, content: Record<string, unknown>, parent?: Header) => void;

/**
 * Sends every write at once, so output streams even from a synchronous loop. The socket worker
 * merges writes that arrive in a burst into one stream message.
 */
export class Output {
  parent: Header | undefined;

  constructor(private readonly publishMessage: Publish) {}

  write(name: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    this.publishMessage("stream", { name, text }, this.parent);
  }

  publish(msgType: string, content: Record<string, unknown>): void {
    this.publishMessage(msgType, content, this.parent);
  }
}
