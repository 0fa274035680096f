// Starts, tracks and stops the lab's kernel processes, and fans their IOPub messages out to the
// WebSocket connections attached to them.
import { randomUUID } from "node:crypto";
import { launchKernel, type LaunchedKernel, type Message } from "../../kernel/client/index.js";
import { makeHeader } from "../../kernel/wire/frames.js";
import { HttpError } from "./http.js";
import type { KernelSpecs } from "./kernelspecs.js";
import type { Logger } from "./log.js";

/** The model of GET /api/kernels/{id}. */
export interface KernelModel {
  id: string;
  name: string;
  last_activity: string;
  execution_state: string;
  connections: number;
}

/** Receives the IOPub messages of a kernel, and the status messages the lab makes up for it. */
export type IopubListener = (message: Message) => void;

export interface RunningKernel {
  readonly id: string;
  readonly name: string;
  readonly launched: LaunchedKernel;
  executionState: string;
  lastActivity: Date;
  readonly listeners: Set<IopubListener>;
  /** Closes the WebSocket bridges of this kernel; called when it shuts down. */
  readonly bridgeClosers: Set<() => void>;
  /** The last lines the kernel wrote to stderr. */
  stderr: string;
  stopping: boolean;
}

/** The stderr kept per kernel, in characters. */
const STDERR_TAIL = 8000;
/** How long interrupt waits for the kernel's interrupt_reply before it sends SIGINT. */
const INTERRUPT_REPLY_MS = 2000;

export interface KernelManagerOptions {
  specs: KernelSpecs;
  log: Logger;
  startTimeoutMs?: number;
}

export class KernelManager {
  private readonly kernels = new Map<string, RunningKernel>();

  constructor(private readonly options: KernelManagerOptions) {}

  /** Starts a kernel from its spec in `cwd`; on failure, the 500 error carries the kernel's stderr. */
  async start(name: string, cwd: string): Promise<RunningKernel> {
    const spec = this.options.specs.get(name);
    let stderr = "";
    const onStderr = (text: string): void => {
      this.options.log.debug(`kernel ${name} stderr: ${text.trimEnd()}`);
      stderr = (stderr + text).slice(-STDERR_TAIL);
      const kernel = [...this.kernels.values()].find((entry) => entry.launched === launched);
      if (kernel !== undefined) kernel.stderr = stderr;
    };
    let launched: LaunchedKernel | undefined;
    try {
      launched = await launchKernel({
        argv: spec.argv,
        cwd,
        env: { ...process.env, ...spec.env },
        startTimeoutMs: this.options.startTimeoutMs,
        onStderr,
      });
    } catch (error) {
      this.options.log.error(`kernel ${name} failed to start: ${(error as Error).message}`);
      throw new HttpError(500, `kernel ${name} failed to start: ${(error as Error).message}`, stderr.trim() || "(the kernel wrote nothing to stderr)");
    }
    const kernel: RunningKernel = {
      id: randomUUID(),
      name,
      launched,
      executionState: "idle",
      lastActivity: new Date(),
      listeners: new Set(),
      bridgeClosers: new Set(),
      stderr,
      stopping: false,
    };
    launched.client.onIopub((message) => this.onIopub(kernel, message));
    this.watchExit(kernel);
    this.kernels.set(kernel.id, kernel);
    this.options.log.info(`started kernel ${kernel.id} (${name}) in ${cwd}`);
    return kernel;
  }

  get(id: string): RunningKernel {
    const kernel = this.kernels.get(id);
    if (kernel === undefined) throw new HttpError(404, `kernel ${id} was not found; list running kernels with GET /api/kernels`);
    return kernel;
  }

  has(id: string): boolean {
    return this.kernels.has(id);
  }

  list(): KernelModel[] {
    return [...this.kernels.values()].map((kernel) => this.model(kernel));
  }

  model(kernel: RunningKernel): KernelModel {
    return {
      id: kernel.id,
      name: kernel.name,
      last_activity: kernel.lastActivity.toISOString(),
      execution_state: kernel.executionState,
      connections: kernel.listeners.size,
    };
  }

  /** Sends interrupt_request; when no reply comes in time, sends SIGINT to the process. */
  async interrupt(id: string): Promise<void> {
    const kernel = this.get(id);
    if (kernel.executionState === "dead") throw new HttpError(409, `kernel ${id} is dead; restart it first`);
    const replied = await Promise.race([
      kernel.launched.interrupt("message").then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), INTERRUPT_REPLY_MS)),
    ]);
    if (!replied) kernel.launched.interrupt("signal");
    this.options.log.info(`interrupted kernel ${id}${replied ? "" : " with SIGINT"}`);
  }

  /** Restarts the kernel process with fresh state; this also revives a dead kernel. */
  async restart(id: string): Promise<KernelModel> {
    const kernel = this.get(id);
    kernel.stopping = true;
    this.publishStatus(kernel, "restarting");
    try {
      await kernel.launched.restart();
    } catch (error) {
      kernel.executionState = "dead";
      this.publishStatus(kernel, "dead");
      throw new HttpError(500, `kernel ${id} failed to restart: ${(error as Error).message}`, kernel.stderr.trim());
    } finally {
      kernel.stopping = false;
    }
    this.watchExit(kernel);
    this.publishStatus(kernel, "idle");
    this.options.log.info(`restarted kernel ${id}`);
    return this.model(kernel);
  }

  async shutdown(id: string): Promise<void> {
    const kernel = this.get(id);
    kernel.stopping = true;
    this.kernels.delete(id);
    await kernel.launched.shutdown(2000);
    kernel.executionState = "dead";
    this.publishStatus(kernel, "dead");
    for (const close of kernel.bridgeClosers) close();
    kernel.listeners.clear();
    this.options.log.info(`shut down kernel ${id}`);
  }

  async shutdownAll(): Promise<void> {
    await Promise.all([...this.kernels.keys()].map((id) => this.shutdown(id).catch(() => undefined)));
  }

  /** Kills every kernel process at once; for a lab that exits without time to shut down. */
  killAll(): void {
    for (const kernel of this.kernels.values()) kernel.launched.kill();
    this.kernels.clear();
  }

  private onIopub(kernel: RunningKernel, message: Message): void {
    kernel.lastActivity = new Date();
    if (message.header.msg_type === "status" && typeof message.content.execution_state === "string") {
      kernel.executionState = message.content.execution_state;
    }
    for (const listener of kernel.listeners) listener(message);
  }

  /** Reports a kernel process that exits on its own as dead, so clients can offer a restart. */
  private watchExit(kernel: RunningKernel): void {
    const child = kernel.launched.process;
    child.once("exit", (code, signal) => {
      if (kernel.stopping || child !== kernel.launched.process) return;
      kernel.executionState = "dead";
      this.options.log.error(`kernel ${kernel.id} died (exit code ${code}, signal ${signal})`);
      this.publishStatus(kernel, "dead");
    });
  }

  private publishStatus(kernel: RunningKernel, state: string): void {
    kernel.executionState = state;
    const message = statusMessage(kernel, state);
    for (const listener of kernel.listeners) listener(message);
  }
}

/** Builds an IOPub status message from the lab itself, for states the kernel process cannot report. */
export function statusMessage(kernel: RunningKernel, state: string): Message {
  return {
    identities: [],
    header: makeHeader("status", kernel.launched.client.session, "paramlab-lab"),
    parent_header: {},
    metadata: {},
    content: { execution_state: state },
    buffers: [],
  };
}
