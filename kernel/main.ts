// The kernel process's main thread: runs cells while the worker thread owns the sockets.
import type { ToMain, ToWorker } from "./bridge.js";
import { captureConsole } from "./executor/console.js";
import { Runtime } from "./executor/runtime.js";
import { interceptProcessExit } from "./executor/exit.js";
import { errorContent } from "./executor/traceback.js";
import { loadTypeScript } from "./executor/typescript.js";
import { createLanguageFeatures } from "./language/features.js";
import { createLogger, type Logger, type LogLevel } from "./log.js";
import { startSocketWorker, type SocketWorker } from "./session/start-worker.js";
import type { ConnectionInfo } from "./wire/types.js";

export interface KernelOptions {
  connection: ConnectionInfo;
  /** The folder that relative imports in cells resolve from; the notebook's folder. */
  notebookDir: string;
  logLevel: LogLevel;
  typeChecking: boolean;
  /** A socket worker started earlier with startSocketWorker; by default runKernel starts one. */
  worker?: SocketWorker;
}

/** Starts the kernel and resolves with the exit code once it shuts down. */
export async function runKernel(options: KernelOptions): Promise<number> {
  const log = createLogger("paramlab-kernel", options.logLevel);
  // The worker starts first, so it replies to kernel_info_request while the core and TypeScript load.
  const socketWorker = options.worker ?? startSocketWorker(options.connection, options.logLevel);
  const worker = socketWorker.worker;
  const post = (message: ToWorker): void => worker.postMessage(message);
  // The worker's log goes to the real stderr, not through the cell output capture below.
  const kernelStderr = process.stderr.write.bind(process.stderr);
  worker.stderr.on("data", (chunk: Buffer) => kernelStderr(chunk));
  worker.stdout.on("data", (chunk: Buffer) => kernelStderr(chunk));

  const pendingInputs = new Map<number, { resolve(value: string): void; reject(error: Error): void }>();
  let nextInputId = 0;
  let runtime: Runtime | undefined;
  const exitProcess = interceptProcessExit();

  // A SIGINT can arrive before the main thread has taken the execute request from the worker,
  // for example while the core or TypeScript loads. The worker then sends the interrupt again,
  // queued behind that request.
  process.on("SIGINT", () => {
    log.debug(`SIGINT received while ${runtime?.executor.isRunning === true ? "a cell runs" : "no cell runs"}`);
    if (runtime?.executor.interrupt() !== true) post({ kind: "sigintWhileIdle" });
  });

  const runtimeReady = Runtime.create(
    {
      notebookDir: options.notebookDir,
      log,
      typeChecking: options.typeChecking,
      publish: (msgType, content, parent) => post({ kind: "iopub", msgType, content, parent }),
      requestInput: (prompt, password, parent) =>
        new Promise<string>((resolve, reject) => {
          const id = ++nextInputId;
          pendingInputs.set(id, { resolve, reject });
          post({ kind: "inputRequest", id, prompt, password, parent });
        }),
    },
    (cells) => createLanguageFeatures(cells),
  );

  let restoreConsole = (): void => {};
  const exited = new Promise<number>((resolve) => {
    worker.on("error", (error) => {
      log.error("the socket worker failed:", error);
      resolve(1);
    });
    worker.on("exit", (code) => resolve(code));
  });

  // Messages are handled in arrival order once the runtime exists.
  socketWorker.onMessage((message: ToMain) => {
    void runtimeReady.then((ready) => {
      log.debug(`main thread received ${message.kind}${message.kind === "request" ? ` ${message.method}` : ""}`);
      handleMessage(ready, message);
    });
  });

  // Interrupts from the worker name their execute request, so a late one cannot stop the next cell.
  let executeRequestId: number | undefined;
  const handleMessage = (ready: Runtime, message: ToMain): void => {
    if (message.kind === "request") {
      if (message.method === "execute") executeRequestId = message.id;
      ready.handle(message.method, message.params, message.parent).then(
        (result) => {
          if (message.id === executeRequestId) executeRequestId = undefined;
          post({ kind: "response", id: message.id, result });
        },
        (error: Error) => {
          if (message.id === executeRequestId) executeRequestId = undefined;
          post({ kind: "response", id: message.id, error: error.message });
        },
      );
    } else if (message.kind === "inputReply") {
      const pending = pendingInputs.get(message.id);
      pendingInputs.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value ?? "");
    } else if (message.kind === "terminated" || message.kind === "interrupt") {
      if (message.requestId === executeRequestId) ready.executor.interrupt();
    } else if (message.kind === "shutdown") {
      restoreConsole();
      exitProcess(0);
    }
  };

  watchParent(() => {
    log.info(`the process that started the kernel (pid ${process.env.JPY_PARENT_PID}) is gone; shutting down`);
    restoreConsole();
    exitProcess(0);
  });

  runtime = await runtimeReady;
  restoreConsole = captureConsole(runtime.output).restore;
  runtime.executor.onInterrupted = () => post({ kind: "interruptHandled" });
  runtime.executor.onCellStarted = () => post({ kind: "cellStarted" });
  runtime.executor.onCellAwaiting = () => post({ kind: "cellAwaiting" });
  reportLateErrors(runtime, log);
  post({ kind: "ready" });
  void loadTypeScript();

  const code = await exited;
  restoreConsole();
  return code;
}

/** Reports exceptions and rejections that surface after their cell finished, and keeps running. */
function reportLateErrors(runtime: Runtime, log: Logger): void {
  const report = (kind: string, error: unknown): void => {
    log.warn(`${kind} after its cell finished:`, error);
    const content = errorContent(error, runtime.executor.cells);
    runtime.output.write("stderr", `${kind}: ${content.traceback.join("\n")}\n`);
  };
  process.on("uncaughtException", (error) => report("Uncaught exception", error));
  process.on("unhandledRejection", (reason) => report("Unhandled promise rejection", reason));
}

/**
 * Calls `onGone` when the process named by JPY_PARENT_PID (set by Jupyter clients and by
 * paramlab's launcher) stops being this kernel's parent, as ipykernel's parent poller does.
 * NOTE: the check runs on the main thread, so it waits while a cell runs synchronously.
 */
function watchParent(onGone: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0 || process.ppid !== parent) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, 1000);
  timer.unref();
}
