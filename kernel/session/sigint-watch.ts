// Lets the socket worker see SIGINT while the main thread is busy.
//
// Node emits signal events such as process.on("SIGINT") only on the main thread, whose listener
// cannot run while a cell keeps that thread busy. libuv, however, wakes every event loop that has
// an active signal handle for the signal, so a handle started in this worker is called even then.
// Node 20 exposes the handle only through the deprecated process.binding("signal_wrap").
//
// The handle must be stopped while a cell's synchronous part runs under vm's breakOnSigint. That
// option swaps in its own SIGINT handler and afterwards relies on the main thread's listener
// restarting the first SIGINT handle, which makes libuv install its handler again. With this
// handle still active, libuv skips that, and the next SIGINT ends the process (observed with
// Node 20.20.2; the "interrupts signal mode repeatedly" test covers it).
import { constants } from "node:os";
import type { Logger } from "../log.js";

interface SignalHandle {
  onsignal: ((signal: number) => void) | undefined;
  start(signal: number): number;
  stop(): number;
  unref(): void;
}

type SignalBinding = { Signal: new () => SignalHandle };

export class SigintWatch {
  private active = false;

  private constructor(private readonly handle: SignalHandle) {}

  /** Creates a stopped watch that calls `onSignal` on this thread, or returns undefined if Node cannot. */
  static create(onSignal: () => void, log: Logger): SigintWatch | undefined {
    const noDeprecation = process.noDeprecation;
    try {
      // Keeps the DEP0111 warning about process.binding off the kernel's stderr.
      process.noDeprecation = true;
      const binding = (process as unknown as { binding(name: string): SignalBinding }).binding("signal_wrap");
      const handle = new binding.Signal();
      handle.onsignal = () => onSignal();
      handle.unref();
      return new SigintWatch(handle);
    } catch (error) {
      log.warn("SIGINT cannot be watched from the socket worker, so a signal-mode interrupt waits for the cell to yield:", (error as Error).message);
      return undefined;
    } finally {
      process.noDeprecation = noDeprecation;
    }
  }

  start(): void {
    if (this.active) return;
    this.active = this.handle.start(constants.signals.SIGINT) === 0;
  }

  stop(): void {
    if (!this.active) return;
    this.handle.stop();
    this.active = false;
  }
}
