/**
 * A pool of worker threads that run GEMM kernels on the shared WebAssembly memory.
 *
 * Each worker instantiates the same module on the same memory and sleeps in Atomics.wait on its
 * slot of a control block at CONTROL_ADDRESS. The calling thread writes a list of jobs into the
 * slot's job table, bumps the slot's sequence number, runs its own share, then waits until every
 * worker has reported that sequence number as done. gemm() therefore stays synchronous.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import type { WasmKernels } from "./runtime.js";

/** Byte address of the control block, inside the reserved first page of linear memory. */
const CONTROL_ADDRESS = 1024;
/**
 * 32-bit words per worker slot: the round's sequence number, the last sequence done, the number of
 * jobs, the byte address of their table, a ready flag and an error flag.
 */
const SLOT_WORDS = 6;
const [SEQUENCE, DONE, JOB_COUNT, JOB_TABLE, READY, ERROR] = [0, 1, 2, 3, 4, 5];
/** 32-bit words per job in a table: the 13 kernel arguments, then the dtype (1 for float64). */
const JOB_WORDS = 14;
/** Most jobs one thread takes per round; a longer list runs in several rounds. */
const MAX_JOBS = 64;
/** Byte address of slot 0's job table, after the control block, in the reserved first page. */
const TABLE_ADDRESS = 4096;
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
const { module, memory, slot, controlAddress, slotWords, jobWords } = workerData;
const { exports } = new WebAssembly.Instance(module, { env: { memory } });
const words = new Int32Array(memory.buffer, controlAddress + slot * slotWords * 4, slotWords);
let seen = 0;
Atomics.store(words, ${READY}, 1);
Atomics.notify(words, ${READY});
for (;;) {
  Atomics.wait(words, 0, seen);
  seen = Atomics.load(words, 0);
  try {
    const count = words[${JOB_COUNT}];
    const table = new Int32Array(memory.buffer, words[${JOB_TABLE}], count * jobWords);
    for (let j = 0; j < count; j++) {
      const a = table.subarray(j * jobWords, (j + 1) * jobWords);
      const kernel = a[13] === 1 ? exports.dgemm : exports.sgemm;
      kernel(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
    }
  } catch (error) {
    Atomics.store(words, ${ERROR}, 1);
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
 * Returns the thread count in PARAMLAB_NUM_THREADS when it is a positive integer (capped at
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
        controlAddress: CONTROL_ADDRESS, slotWords: SLOT_WORDS, jobWords: JOB_WORDS,
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
    if (Atomics.wait(words, READY, 0, START_TIMEOUT_MS) === "timed-out" && Atomics.load(words, READY) === 0) {
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
  runJobLists(kernels, jobs.map((job) => [job]));
}

/**
 * Runs the jobs of lists[0] in order on the calling thread and those of lists[t] in order on
 * worker t, and returns when all are done. Jobs of different lists must write disjoint memory, and
 * each list must use its own workspace. One round per MAX_JOBS jobs of the longest list.
 */
export function runJobLists(kernels: WasmKernels, lists: readonly (readonly KernelJob[])[]): void {
  const started = lists.length > 1 ? ensurePool(kernels) : null;
  if (started === null) {
    for (const job of lists.flat()) runJob(kernels, job);
    return;
  }
  const rounds = Math.max(...lists.map((list) => Math.ceil(list.length / MAX_JOBS)));
  for (let round = 0; round < rounds; round++) {
    const part = lists.map((list) => list.slice(round * MAX_JOBS, (round + 1) * MAX_JOBS));
    runRound(kernels, part);
  }
}

function runJob(kernels: WasmKernels, job: KernelJob): void {
  (job.double ? kernels.dgemm : kernels.sgemm)(...job.args);
}

/** Hands lists[1…] (each at most MAX_JOBS jobs) to the workers, runs lists[0], and waits for all. */
function runRound(kernels: WasmKernels, lists: readonly (readonly KernelJob[])[]): void {
  const sequences: number[] = [];
  for (let slot = 1; slot < lists.length; slot++) {
    const words = slotWords(kernels.memory, slot);
    const table = TABLE_ADDRESS + slot * MAX_JOBS * JOB_WORDS * 4;
    const entries = new Int32Array(kernels.memory.buffer, table, lists[slot].length * JOB_WORDS);
    lists[slot].forEach((job, j) => {
      entries.set(job.args, j * JOB_WORDS);
      entries[j * JOB_WORDS + JOB_WORDS - 1] = job.double ? 1 : 0;
    });
    words[JOB_COUNT] = lists[slot].length;
    words[JOB_TABLE] = table;
    const sequence = (Atomics.load(words, SEQUENCE) + 1) | 0;
    sequences.push(sequence);
    Atomics.store(words, SEQUENCE, sequence);
    Atomics.notify(words, SEQUENCE);
  }
  for (const job of lists[0]) runJob(kernels, job);
  let failed = false;
  for (let slot = 1; slot < lists.length; slot++) {
    const words = slotWords(kernels.memory, slot);
    const sequence = sequences[slot - 1];
    for (let done = Atomics.load(words, DONE); done !== sequence; done = Atomics.load(words, DONE)) {
      Atomics.wait(words, DONE, done);
    }
    if (Atomics.exchange(words, ERROR, 0) !== 0) failed = true;
  }
  if (failed) throw new Error("gemm: a WebAssembly kernel failed on a worker thread");
}
