// Starts a paramlab kernel process and connects a client to it.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { packageRoot } from "../paths.js";
import type { ConnectionInfo } from "../wire/types.js";
import { KernelClient, type KernelClientOptions } from "./client.js";
import { writeConnectionFile, type ConnectionOptions } from "./connection.js";

export interface LaunchOptions extends ConnectionOptions {
  /** The kernel's working folder, which cell imports resolve from (default: process.cwd()). */
  cwd?: string;
  /** The command to run, with "{connection_file}" in place of the file (default: this package's kernel). */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra arguments for the default command, such as ["--type-check"] or ["--log-level", "debug"]. */
  kernelArgs?: string[];
  /** How long to wait for the first kernel_info_reply (default 30 s). */
  startTimeoutMs?: number;
  /** Collects the kernel's stderr (its log); by default it is discarded. */
  onStderr?: (text: string) => void;
  client?: KernelClientOptions;
}

export interface LaunchedKernel {
  client: KernelClient;
  /** The current kernel process; restart() replaces it. */
  readonly process: ChildProcess;
  connection: ConnectionInfo;
  connectionFile: string;
  /** Interrupts the running cell: "message" sends interrupt_request, "signal" sends SIGINT. */
  interrupt(mode?: "message" | "signal"): Promise<void>;
  /**
   * Sends shutdown_request with restart true, waits for the process to exit, and starts a new
   * one on the same connection file. The client stays connected; the new kernel has fresh state.
   */
  restart(timeoutMs?: number): Promise<void>;
  /** Asks the kernel to shut down and waits for the process to exit; kills it after `timeoutMs`. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Kills the process at once. */
  kill(): void;
}

/** Returns the argv that runs this package's kernel with `node`. */
export function defaultKernelArgv(extra: string[] = []): string[] {
  const bin = join(packageRoot(), "bin", "paramlab.js");
  return [process.execPath, bin, "kernel", "--connection-file", "{connection_file}", ...extra];
}

/**
 * Writes a connection file, starts the kernel and waits until it replies to kernel_info_request
 * and its IOPub messages reach the client, as jupyter_client's wait_for_ready does.
 */
export async function launchKernel(options: LaunchOptions = {}): Promise<LaunchedKernel> {
  const { file, info } = await writeConnectionFile(options);
  const argv = (options.argv ?? defaultKernelArgv(options.kernelArgs)).map((arg) => arg.replaceAll("{connection_file}", file));
  const spawnProcess = (): SpawnedKernel => {
    // JPY_PARENT_PID names the process that started the kernel, as jupyter_client sets it, so a
    // kernel whose launcher is killed exits instead of running on as an orphan.
    const env = { ...(options.env ?? process.env), JPY_PARENT_PID: String(process.pid) };
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => options.onStderr?.(text));
    // Without an 'error' listener, a program that cannot be started (missing, not executable)
    // throws from the event emitter and ends the calling process.
    const failed = new Promise<never>((_, reject) => {
      child.once("error", (error) => reject(spawnError(error, options.argv ?? defaultKernelArgv(options.kernelArgs))));
    });
    failed.catch(() => undefined);
    // A process that failed to start emits 'error' and may never emit 'exit'.
    const exited = Promise.race([new Promise<void>((resolve) => child.once("exit", () => resolve())), failed.catch(() => undefined)]);
    return { child, exited, failed };
  };
  let current = spawnProcess();
  const client = new KernelClient(info, options.client);

  const stop = async (restart: boolean, timeoutMs: number): Promise<void> => {
    const { child, exited } = current;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await Promise.race([client.shutdown(restart).catch(() => undefined), exited]);
    await exited;
    clearTimeout(timer);
  };

  const kernel: LaunchedKernel = {
    client,
    get process() {
      return current.child;
    },
    connection: info,
    connectionFile: file,
    async interrupt(mode = "message") {
      if (mode === "signal") current.child.kill("SIGINT");
      else await client.interrupt();
    },
    async restart(timeoutMs = 10_000) {
      await stop(true, timeoutMs);
      current = spawnProcess();
      await waitForReady(client, current, options.startTimeoutMs ?? 30_000);
    },
    async shutdown(timeoutMs = 10_000) {
      await stop(false, timeoutMs);
      client.close();
      cleanup(file, options.dir === undefined);
    },
    kill() {
      current.child.kill("SIGKILL");
      client.close();
      cleanup(file, options.dir === undefined);
    },
  };

  try {
    await waitForReady(client, current, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    kernel.kill();
    throw error;
  }
  return kernel;
}

interface SpawnedKernel {
  child: ChildProcess;
  /** Resolves when the process exits or fails to start. */
  exited: Promise<void>;
  /** Rejects when the program cannot be started; never resolves. */
  failed: Promise<never>;
}

function spawnError(error: Error, argv: string[]): Error {
  const program = argv[0];
  const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "was not found" : `could not be started (${error.message})`;
  return new Error(
    `the kernel program ${JSON.stringify(program)} ${reason}; the kernelspec argv is ${JSON.stringify(argv)}. ` +
      "Install the kernel or fix the first entry of the kernelspec's argv.",
    { cause: error },
  );
}

async function waitForReady(client: KernelClient, spawned: SpawnedKernel, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null = null;
  spawned.child.once("exit", (code) => (exitCode = code ?? -1));
  while (Date.now() < deadline) {
    if (exitCode !== null) throw new Error(`the kernel exited with code ${exitCode} before it replied to kernel_info_request`);
    const reply = await Promise.race([
      client.kernelInfo().then(() => true),
      spawned.failed,
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 250)),
    ]);
    if (reply) return;
  }
  throw new Error(`the kernel did not reply to kernel_info_request within ${timeoutMs} ms; its log goes to onStderr`);
}

function cleanup(file: string, ownsDir: boolean): void {
  rmSync(ownsDir ? dirname(file) : file, { recursive: true, force: true });
}
