// Float32 matrix multiply, n×n by n×n: paramlab's gemm against TensorFlow.js's cpu and wasm backends.
// Run with `npm run bench` (all benchmarks) or `npm run build && node bench/matmul.mjs`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeLoad, describeMachine } from "./lib/machine.mjs";
import { fixed, formatTable } from "./lib/table.mjs";
import { describeWasm, loadTfjs, useBackend } from "./lib/tfjs.mjs";
import { measure, seededUniform } from "./lib/timing.mjs";

const SIZES = [256, 512, 1024];
const gemmUrl = new URL("../dist/core/backend/gemm.js", import.meta.url);

/** Measures every size on every engine and returns the table of GFLOP/s and ratios. */
export async function run() {
  if (!existsSync(gemmUrl)) {
    throw new Error(`matmul benchmark: ${gemmUrl.pathname} not found; run \`npm run build\` first`);
  }
  const { gemm } = await import(gemmUrl.href);
  const { tf, wasm, versions } = await loadTfjs();

  const load = describeLoad();
  const rows = [];
  const wallRates = [];
  const checks = [];
  for (const n of SIZES) {
    const random = seededUniform(n);
    const a = Float32Array.from({ length: n * n }, random);
    const b = Float32Array.from({ length: n * n }, random);
    const c = new Float32Array(n * n);
    const gflops = (ms) => (2 * n * n * n) / ms / 1e6;

    const paramlab = measure(() => gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false));
    const cpu = await timeTfjs(tf, "cpu", a, b, n);
    const wasmResult = await timeTfjs(tf, "wasm", a, b, n);
    checks.push(`${n}: ${maxRelativeDifference(c, wasmResult.output).toExponential(1)}`);

    const rates = [paramlab.cpuMs, cpu.time.cpuMs, wasmResult.time.cpuMs].map(gflops);
    rows.push([n, ...rates.map((rate) => fixed(rate)), fixed(rates[0] / rates[1]), fixed(rates[0] / rates[2])]);
    const wall = [paramlab.wallMs, cpu.time.wallMs, wasmResult.time.wallMs].map(gflops);
    wallRates.push(`${n}: ${wall.map((rate) => fixed(rate)).join(" / ")}`);
  }

  await useBackend(tf, "wasm");
  const versionList = Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(", ");
  return {
    title: "Matrix multiply (float32)",
    columns: ["n", "paramlab GFLOP/s", "tfjs-cpu GFLOP/s", "tfjs-wasm GFLOP/s", "paramlab / tfjs-cpu", "paramlab / tfjs-wasm"],
    rows,
    notes: [
      describeMachine(),
      load,
      `${versionList}. tfjs-wasm: ${await describeWasm(tf, wasm)}.`,
      "GFLOP/s = 2n³ / median CPU time of this process per multiply, after warm-up runs. All three engines run on one thread. " +
        "tfjs timings include reading the result back with dataSync().",
      `Wall-clock GFLOP/s, paramlab / tfjs-cpu / tfjs-wasm, n = ${wallRates.join("; ")}.`,
      `Check, max |paramlab − tfjs-wasm| / max |C|, n = ${checks.join("; ")}.`,
    ],
  };
}

/** Times tf.matMul on `backend` and returns the median times and one output for checking. */
async function timeTfjs(tf, backend, a, b, n) {
  await useBackend(tf, backend);
  const x = tf.tensor2d(a, [n, n]);
  const y = tf.tensor2d(b, [n, n]);
  const multiply = () => {
    const product = tf.matMul(x, y);
    const data = product.dataSync();
    product.dispose();
    return data;
  };
  const time = measure(multiply, { warmup: n >= 1024 && backend === "cpu" ? 1 : 2 });
  const output = multiply();
  x.dispose();
  y.dispose();
  return { time, output };
}

function maxRelativeDifference(expected, actual) {
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDifference = Math.max(maxDifference, Math.abs(expected[i] - actual[i]));
    maxMagnitude = Math.max(maxMagnitude, Math.abs(expected[i]));
  }
  return maxDifference / maxMagnitude;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
