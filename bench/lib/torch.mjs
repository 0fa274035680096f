// Runs PyTorch scripts through Debian's python3-torch, pinned to a thread count.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Python preamble of every PyTorch script: imports, the seed, the thread count from the first
 * argument, and measure(fn), which returns the median wall-clock and CPU ms after warm-up runs.
 */
export const TORCH_PREAMBLE = `
import json, statistics, sys, time
import torch
torch.manual_seed(0)
torch.set_num_threads(int(sys.argv[1]))

def measure(fn, warmup=2, min_runs=5, min_seconds=1.0, max_runs=50):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    while len(wall) < max_runs and (len(wall) < min_runs or sum(wall) < min_seconds):
        c, w = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return {"wallMs": statistics.median(wall) * 1e3, "cpuMs": statistics.median(cpu) * 1e3}
`;

/**
 * Runs `script` (which starts with TORCH_PREAMBLE) on `threads` threads with `args` after the
 * thread count, and returns the JSON of its last output line. Returns null, with a notice naming
 * `owner`, when python3 or torch is missing or the script fails. torch.set_num_threads does not
 * reach the OpenBLAS that Debian's PyTorch multiplies with, so the count also goes in the
 * variables that the libraries read when they load.
 */
export function runTorch(owner, script, threads, args = []) {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return null;
  const count = String(threads);
  const env = { ...process.env, OMP_NUM_THREADS: count, OPENBLAS_NUM_THREADS: count, MKL_NUM_THREADS: count };
  const result = spawnSync(python, ["-c", script, count, ...args], { encoding: "utf8", timeout: 600_000, env });
  if (result.status !== 0) {
    const reason = (result.stderr || result.error?.message || "").trim().split("\n").pop();
    console.error(`${owner}: PyTorch not measured: ${reason}`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split("\n").pop());
}
