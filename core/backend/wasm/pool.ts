/**
 * A pool of worker threads that run GEMM kernels on the shared WebAssembly memory.
 *
 * Each worker instantiates the same module on the same memory and sleeps in Atomics.wait on its
 * slot of a control block at CONTROL_ADDRESS. The calling thread writes a job into the slot,
 * bumps the slot's sequence number, runs its own share, then waits until every worker has
 * reported that sequence number as done. gemm() therefore stays synchronous.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import type { WasmKernels } from "./runtime.js";

/** Byte address of the control block, inside the reserved first page of linear memory. */
const CONTROL_ADDRESS = 1024;
/**
 * 32-bit words per worker slot: the job's sequence number, the last sequence done, the 13 kernel
 * arguments, the dtype (1 for float64), a ready flag and an error flag.
 */
const SLOT_WORDS = 18;
/** How long the calling thread waits for a new worker to start before it gives up on threads. */
const START_TIMEOUT_MS = 10_000;
/** Most threads a GEMM is split over, the calling thread included. */
export const MAX_THREADS = Math.min(4, availableParallelism());

/** Arguments of one kernel call: the dtype's kernel, then sgemm's parameters in order. */
export interface KernelJob {
  double: boolean;
  args: [number, number, number, number, number, number, number, number, number, number, number, number, number];
}

// The worker body. It runs as a string (eval: true) so that it works the same from dist/ and
// from the TypeScript sources under test.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, slot, controlAddress, slotWords } = workerData;
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
const words = new Int32Array(memory.buffer, controlAddress + slot * slotWords * 4, slotWords);
let seen = 0;
Atomics.store(words, 16, 1);
Atomics.notify(words, 16);
for (;;) {
  Atomics.wait(words, 0, seen);
  seen = Atomics.load(words, 0);
  const a = words;
  try {
    const kernel = a[15] === 1 ? exports.dgemm : exports.sgemm;
    kernel(a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
  } catch (error) {
    Atomics.store(words, 17, 1);
  }
  Atomics.store(words, 1, seen);
  Atomics.notify(words, 1);
}
`;

interface Pool {
  memory: WebAssembly.Memory;
  workers: Worker[];
}

let pool: Pool | null = null;
// NOTE: Large GEMMs use every core by default, as PyTorch does. On a machine that other
// processes keep busy a second thread can slow them down (n = 1024 took 1.35 times as long with
// load average 10 to 17 on 2 cores); PARAMLAB_NUM_THREADS=1 or setNumThreads(1) turns threads off.
let threadLimit = defaultThreadCount(process.env.PARAMLAB_NUM_THREADS);

/**
 * The thread count from PARAMLAB_NUM_THREADS when it holds a positive integer (capped at
 * MAX_THREADS), else MAX_THREADS. A value that is not a positive integer prints a notice.
 */
export function defaultThreadCount(setting: string | undefined): number {
  if (setting === undefined || setting === "") return MAX_THREADS;
  const count = /^[0-9]+$/.test(setting) ? Number(setting) : Number.NaN;
  if (count >= 1) return Math.min(count, MAX_THREADS);
  console.warn(
    `paramlab: PARAMLAB_NUM_THREADS=${JSON.stringify(setting)} is not a positive integer; using ${MAX_THREADS} threads. ` +
      `Set it to a whole number from 1 to ${MAX_THREADS}, or unset it.`,
  );
  return MAX_THREADS;
}

/** Sets how many threads large GEMMs use (1 keeps all work on the calling thread). */
export function setThreadCount(count: number): void {
  threadLimit = Math.max(1, Math.min(MAX_THREADS, Math.floor(count)));
}

/** Returns how many threads large GEMMs use. */
export function threadCount(): number {
  return threadLimit;
}

/**
 * Starts the workers for `kernels` on first use and waits until they run; later calls reuse them.
 * Returns null when a worker does not start in time, and threads stay off from then on.
 */
function ensurePool(kernels: WasmKernels): Pool | null {
  if (pool !== null && pool.memory === kernels.memory) return pool;
  if (pool !== null) for (const worker of pool.workers) void worker.terminate();
  pool = null;
  const workers: Worker[] = [];
  for (let slot = 1; slot < MAX_THREADS; slot++) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // No inherited flags: under --input-type=module an eval worker would be an ES module, where
      // the source's require() does not exist.
      execArgv: [],
      workerData: {
        module: kernels.module, memory: kernels.memory, slot,
        controlAddress: CONTROL_ADDRESS, slotWords: SLOT_WORDS,
      },
    });
    // A worker that fails must not take the process down: later products run on one thread.
    worker.on("error", (error) => {
      console.warn(`paramlab: a GEMM worker thread failed (${error.message}); running on one thread`);
      threadLimit = 1;
    });
    // The workers sleep between jobs and must not keep the process alive.
    worker.unref();
    workers.push(worker);
  }
  for (let slot = 1; slot < MAX_THREADS; slot++) {
    const words = slotWords(kernels.memory, slot);
    if (Atomics.wait(words, 16, 0, START_TIMEOUT_MS) === "timed-out" && Atomics.load(words, 16) === 0) {
      console.warn(`paramlab: a GEMM worker thread did not start within ${START_TIMEOUT_MS} ms; running on one thread`);
      for (const worker of workers) void worker.terminate();
      threadLimit = 1;
      return null;
    }
  }
  pool = { memory: kernels.memory, workers };
  return pool;
}

/** Returns the control words of worker `slot`. */
function slotWords(memory: WebAssembly.Memory, slot: number): Int32Array {
  return new Int32Array(memory.buffer, CONTROL_ADDRESS + slot * SLOT_WORDS * 4, SLOT_WORDS);
}

/**
 * Runs jobs[0] on the calling thread and jobs[1…] on workers 1…, and returns when all are done.
 * The jobs must write disjoint parts of C and use distinct workspaces.
 */
export function runParallel(kernels: WasmKernels, jobs: readonly KernelJob[]): void {
  const started = jobs.length > 1 ? ensurePool(kernels) : null;
  if (started === null) {
    for (const job of jobs) (job.double ? kernels.dgemm : kernels.sgemm)(...job.args);
    return;
  }
  const sequences: number[] = [];
  for (let slot = 1; slot < jobs.length; slot++) {
    const words = slotWords(kernels.memory, slot);
    const job = jobs[slot];
    for (let i = 0; i < job.args.length; i++) words[2 + i] = job.args[i];
    words[15] = job.double ? 1 : 0;
    const sequence = (Atomics.load(words, 0) + 1) | 0;
    sequences.push(sequence);
    Atomics.store(words, 0, sequence);
    Atomics.notify(words, 0);
  }
  const own = jobs[0];
  (own.double ? kernels.dgemm : kernels.sgemm)(...own.args);
  let failed = false;
  for (let slot = 1; slot < jobs.length; slot++) {
    const words = slotWords(kernels.memory, slot);
    const sequence = sequences[slot - 1];
    for (let done = Atomics.load(words, 1); done !== sequence; done = Atomics.load(words, 1)) {
      Atomics.wait(words, 1, done);
    }
    if (Atomics.exchange(words, 17, 0) !== 0) failed = true;
  }
  if (failed) throw new Error("gemm: a WebAssembly kernel failed on a worker thread");
}
