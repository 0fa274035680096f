// Stops the cell that runs on the main thread, from the socket worker.
//
// SIGINT stops synchronous code through vm's breakOnSigint and a pending await through the main
// thread's SIGINT listener. A SIGINT that arrives while the main thread is busy before the cell
// starts (loading the core or TypeScript) waits for the listener, so the signal is sent again
// once the cell starts. Neither stops a busy loop after an await, so when the cell has not stopped
// after a grace period, its JavaScript execution is terminated through the inspector. A SIGINT
// sent from outside (signal mode) starts the same grace period through signalReceived().
import { Session as InspectorSession } from "node:inspector";
import type { Logger } from "../log.js";

/** How long a cell may keep running after SIGINT before its JavaScript execution is terminated. */
const GRACE_MS = 500;

export class Interrupter {
  private pending = false;
  private cellStarted = false;
  private terminating = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    /** Tells the main thread that its current execution was terminated. */
    private readonly notifyTerminated: () => void,
  ) {}

  /** Sends SIGINT to this process for the running cell. */
  interrupt(): void {
    this.pending = true;
    this.signal();
  }

  /**
   * Starts the grace period for a SIGINT that reached the process while a cell runs. A SIGINT
   * that interrupt() sent has started it already.
   */
  signalReceived(): void {
    if (this.pending) return;
    this.pending = true;
    this.startGracePeriod();
  }

  /** The main thread started a cell's code. */
  cellStarting(): void {
    this.cellStarted = true;
    if (this.pending) this.signal();
  }

  /** The main thread reported that the cell stopped because of the interrupt. */
  acknowledged(): void {
    this.pending = false;
    clearTimeout(this.timer);
  }

  /** Clears the interrupt state when an execution ends. */
  executionEnded(): void {
    this.pending = false;
    this.cellStarted = false;
    clearTimeout(this.timer);
  }

  private signal(): void {
    process.kill(process.pid, "SIGINT");
    this.startGracePeriod();
  }

  private startGracePeriod(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      // Only a started cell is terminated: compiling or loading TypeScript can also take a
      // while, and the main thread handles the SIGINT when that finishes.
      if (this.pending && this.cellStarted && !this.terminating) this.terminate();
    }, GRACE_MS);
  }

  private terminate(): void {
    this.log.warn("the cell did not stop on SIGINT; terminating its JavaScript execution");
    this.terminating = true;
    const inspector = new InspectorSession();
    inspector.connectToMainThread();
    inspector.post("Runtime.terminateExecution", (error) => {
      if (error !== null) this.log.error("terminating the cell failed:", error);
      inspector.disconnect();
      this.terminating = false;
      this.notifyTerminated();
    });
  }
}
