// Redirects console and process.stdout/stderr writes to IOPub stream messages.
import { Console } from "node:console";
import { Writable } from "node:stream";
import type { Output } from "./output.js";

interface Capture {
  /** Puts back the console and the process stream writers that were in place before. */
  restore(): void;
}

/**
 * Replaces the global console and the write methods of process.stdout and process.stderr.
 * The kernel keeps them replaced for its lifetime, as ipykernel replaces sys.stdout; tests in
 * process call `restore()`.
 */
export function captureConsole(output: Output): Capture {
  const previousConsole = globalThis.console;
  const previousStdoutWrite = process.stdout.write;
  const previousStderrWrite = process.stderr.write;

  const stdout = streamWriter(output, "stdout");
  const stderr = streamWriter(output, "stderr");
  globalThis.console = new Console({ stdout, stderr, colorMode: false });
  process.stdout.write = directWriter(output, "stdout");
  process.stderr.write = directWriter(output, "stderr");

  return {
    restore() {
      globalThis.console = previousConsole;
      process.stdout.write = previousStdoutWrite;
      process.stderr.write = previousStderrWrite;
    },
  };
}

function streamWriter(output: Output, name: "stdout" | "stderr"): Writable {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, callback) {
      output.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      callback();
    },
  });
  return stream;
}

/** Creates a replacement for process.stdout.write that publishes synchronously, even inside a busy loop. */
function directWriter(output: Output, name: "stdout" | "stderr"): typeof process.stdout.write {
  return ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    output.write(name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof done === "function") done();
    return true;
  }) as typeof process.stdout.write;
}
