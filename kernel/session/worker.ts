// The socket thread: owns the ZeroMQ sockets and the session, so heartbeat, control and output
// stay responsive while the main thread runs a cell synchronously.
import { parentPort, workerData } from "node:worker_threads";
import type { MainMethod, ToMain, ToWorker } from "../bridge.js";
import { createLogger, type LogLevel } from "../log.js";
import { KernelSockets } from "../wire/sockets.js";
import { Signer } from "../wire/signing.js";
import type { ConnectionInfo, Header } from "../wire/types.js";
import { Interrupter } from "./interrupter.js";
import { Session, type MainThread } from "./session.js";
import { SigintWatch } from "./sigint-watch.js";

const { connection, logLevel } = workerData as { connection: ConnectionInfo; logLevel: LogLevel };
const log = createLogger("paramlab-kernel", logLevel);
const port = parentPort!;
const post = (message: ToMain): void => port.postMessage(message);

/** The bridge id of the execute request that the main thread is running, if any. */
let executeRequestId: number | undefined;
const interrupter = new Interrupter(log, () => {
  if (executeRequestId !== undefined) post({ kind: "terminated", requestId: executeRequestId });
});
// A SIGINT from outside (signal mode) interrupts a cell that awaits, or loops after an await, as
// interrupt_request does. It is watched only from the cell's first await to its end, because
// the synchronous part before that stops through vm's breakOnSigint.
const sigintWatch = SigintWatch.create(() => {
  if (executeRequestId !== undefined) interrupter.signalReceived();
}, log);
const pending = new Map<number, { resolve(result: Record<string, unknown>): void; reject(error: Error): void }>();
let nextRequestId = 0;

const main: MainThread = {
  request(method: MainMethod, params: Record<string, unknown>, parent: Header) {
    return new Promise((resolve, reject) => {
      const id = ++nextRequestId;
      if (method === "execute") executeRequestId = id;
      const settle = <T>(done: (value: T) => void) => (value: T) => {
        if (method === "execute") {
          executeRequestId = undefined;
          sigintWatch?.stop();
          interrupter.executionEnded();
        }
        done(value);
      };
      pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      post({ kind: "request", id, method, params, parent });
    });
  },
  interrupt() {
    interrupter.interrupt();
  },
  replyInput(id, value, error) {
    post({ kind: "inputReply", id, value, error });
  },
  shutdown(restart) {
    log.info(`shutting down${restart ? " for a restart" : ""}`);
    void sockets.flush().then(() => {
      sockets.close();
      post({ kind: "shutdown" });
      // The main thread exits when it is free. A cell stuck in a loop is ended by SIGTERM after
      // a delay that also covers a main thread still loading TypeScript on a busy machine.
      setTimeout(() => process.kill(process.pid, "SIGTERM"), 5000).unref();
    });
  },
};

const sockets = new KernelSockets(connection, new Signer(connection.key));
const session = new Session(sockets, main, log);

port.on("message", (message: ToWorker) => {
  switch (message.kind) {
    case "response": {
      const request = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) request?.reject(new Error(message.error));
      else request?.resolve(message.result ?? {});
      break;
    }
    case "iopub":
      session.publish(message.msgType, message.content, message.parent, message.metadata);
      break;
    case "inputRequest":
      session.requestInput(message.id, message.prompt, message.password);
      break;
    case "interruptHandled":
      interrupter.acknowledged();
      break;
    case "sigintWhileIdle":
      if (executeRequestId !== undefined) post({ kind: "interrupt", requestId: executeRequestId });
      break;
    case "cellStarted":
      interrupter.cellStarting();
      break;
    case "cellAwaiting":
      // The main thread posts this before the execute response, so the cell still runs.
      if (executeRequestId !== undefined) sigintWatch?.start();
      break;
    case "ready":
      break;
  }
});

await sockets.bind();
sockets.listen({
  message: (channel, message) => session.receive(channel, message),
  invalid: (channel, error) => log.warn(`dropped a message on ${channel}: ${error.message}`),
});
session.start();
log.info(`listening on ${connection.transport}://${connection.ip} (shell port ${connection.shell_port})`);
