// Starts the socket worker. cli.ts calls this before it imports the executor, so the worker
// boots and replies to kernel_info_request while the main thread is still loading.
import { Worker } from "node:worker_threads";
import type { ToMain } from "../bridge.js";
import type { LogLevel } from "../log.js";
import type { ConnectionInfo } from "../wire/types.js";

/** The socket worker, with its messages kept until the main thread attaches its listener. */
export interface SocketWorker {
  worker: Worker;
  /** Delivers the messages that arrived so far, in order, then every later one. */
  onMessage(listener: (message: ToMain) => void): void;
}

export function startSocketWorker(connection: ConnectionInfo, logLevel: LogLevel): SocketWorker {
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: { connection, logLevel },
    stderr: true,
    stdout: true,
  });
  const early: ToMain[] = [];
  let deliver: ((message: ToMain) => void) | undefined;
  worker.on("message", (message: ToMain) => {
    if (deliver === undefined) early.push(message);
    else deliver(message);
  });
  return {
    worker,
    onMessage(listener) {
      deliver = listener;
      for (const message of early.splice(0)) listener(message);
    },
  };
}
