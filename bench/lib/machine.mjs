// Facts about the machine and runtime that a benchmark record needs.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

const runtimeUrl = new URL("../../dist/core/backend/wasm/runtime.js", import.meta.url);

/**
 * True when paramlab's fused multiply-add kernels run in this process. Importing this module
 * enables them as the paramlab kernel does, so the benchmarks measure what notebooks run.
 */
export const fusedKernels = existsSync(runtimeUrl) ? (await import(runtimeUrl.href)).enableRelaxedSimd() : false;

/** Returns the CPU model and flags summary from /proc/cpuinfo, the core count and the Node and V8 versions. */
export function machineFacts() {
  let cpu = "unknown CPU";
  let vectorFlags = "";
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
    const flags = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? [];
    vectorFlags = ["avx2", "fma", "avx512f"].filter((flag) => flags.includes(flag)).join(", ");
  } catch {
    // /proc/cpuinfo exists only on Linux; the report then names the CPU as unknown.
  }
  return {
    cpu,
    vectorFlags,
    cores: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
  };
}

/** Formats machineFacts() as one Markdown line. */
export function describeMachine() {
  const facts = machineFacts();
  const flags = facts.vectorFlags ? ` (${facts.vectorFlags})` : "";
  const kernels = fusedKernels ? "fused multiply-add (relaxed SIMD)" : "SIMD128";
  return `Machine: ${facts.cpu}${flags}, ${facts.cores} cores, Node ${facts.node} (V8 ${facts.v8}). paramlab wasm kernels: ${kernels}.`;
}

/** Formats the 1-minute load average, which shows whether other processes shared the cores. */
export function describeLoad() {
  return `Load average (1 min) at the start: ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores.`;
}
