// Starts kernels for end-to-end tests and validates every message they send against the schema.
import { launchKernel, type LaunchedKernel, type LaunchOptions, type RequestResult } from "../../kernel/client/index.js";
import type { Message } from "../../kernel/wire/types.js";
import { validateMessage } from "./schema.js";

export interface TestKernel extends LaunchedKernel {
  /** Schema violations seen so far, each with the message type. */
  problems: string[];
  /** Every IOPub message received, in order. */
  iopub: Message[];
  stderr: string[];
  /** Validates a request result's reply; its IOPub messages are validated as they arrive. */
  check(result: RequestResult): RequestResult;
}

export async function startKernel(options: LaunchOptions = {}): Promise<TestKernel> {
  const stderr: string[] = [];
  const kernel = await launchKernel({ ...options, onStderr: (text) => stderr.push(text), client: { timeoutMs: 30_000 } });
  const problems: string[] = [];
  const iopub: Message[] = [];
  kernel.client.onIopub((message) => {
    iopub.push(message);
    problems.push(...validateMessage(message));
  });
  return Object.assign(kernel, {
    problems,
    iopub,
    stderr,
    check(result: RequestResult) {
      problems.push(...validateMessage(result.reply));
      return result;
    },
  });
}

/** Returns the concatenated text of the stream messages in `messages`. */
export function streamText(messages: Message[], name: "stdout" | "stderr" = "stdout"): string {
  return messages
    .filter((message) => message.header.msg_type === "stream" && message.content.name === name)
    .map((message) => String(message.content.text))
    .join("");
}

/** Returns the text/plain of the execute_result in `messages`, if there is one. */
export function resultText(messages: Message[]): string | undefined {
  const result = messages.find((message) => message.header.msg_type === "execute_result");
  return (result?.content.data as Record<string, string> | undefined)?.["text/plain"];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
