// Float32 matrix multiply, n×n by n×n: paramlab's gemm on its wasm and typescript backends against
// TensorFlow.js's cpu and wasm backends and, when Debian's python3-torch is installed, PyTorch.
// Run with `npm run bench` (all benchmarks) or `npm run build && node bench/matmul.mjs`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeLoad, describeMachine } from "./lib/machine.mjs";
import { fixed, formatTable } from "./lib/table.mjs";
import { maxRelativeDifference } from "./lib/compare.mjs";
import { TORCH_PREAMBLE, runTorch } from "./lib/torch.mjs";
import { describeWasm, loadTfjs, useBackend } from "./lib/tfjs.mjs";
import { measure, seededUniform } from "./lib/timing.mjs";

const SIZES = [256, 512, 1024];
const gemmUrl = new URL("../dist/core/backend/gemm.js", import.meta.url);
const backendUrl = new URL("../dist/core/backend/backend.js", import.meta.url);

/** Measures every size on every engine and returns the table of GFLOP/s and ratios. */
export async function run() {
  if (!existsSync(gemmUrl)) {
    throw new Error(`matmul benchmark: ${gemmUrl.pathname} not found; run \`npm run build\` first`);
  }
  const { gemm } = await import(gemmUrl.href);
  const { setBackend, getBackend, setNumThreads, getNumThreads } = await import(backendUrl.href);
  const threads = getNumThreads();
  const { tf, wasm, versions } = await loadTfjs();
  const torch = timeTorch();

  const load = describeLoad();
  const rows = [];
  const wallRates = [];
  const threadRates = [];
  const checks = [];
  for (const n of SIZES) {
    const random = seededUniform(n);
    const a = Float32Array.from({ length: n * n }, random);
    const b = Float32Array.from({ length: n * n }, random);
    const c = new Float32Array(n * n);
    const gflops = (ms) => (2 * n * n * n) / ms / 1e6;

    const multiply = () => gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
    setBackend("typescript");
    const reference = measure(multiply, { warmup: 1, minRuns: 3 });
    const expected = c.slice();
    setBackend("wasm");
    if (getBackend() !== "wasm") throw new Error("matmul benchmark: the wasm backend did not load");
    setNumThreads(1);
    const paramlab = measure(multiply);
    const check = maxRelativeDifference(expected, c);
    setNumThreads(threads);
    const threaded = measure(multiply);
    const cpu = await timeTfjs(tf, "cpu", a, b, n);
    const wasmResult = await timeTfjs(tf, "wasm", a, b, n);
    checks.push(`${n}: ${check.toExponential(1)} / ${maxRelativeDifference(c, wasmResult.output).toExponential(1)}`);

    const times = [paramlab, reference, cpu.time, wasmResult.time, ...(torch ? [torch[n].one] : [])];
    const rates = times.map((time) => gflops(time.cpuMs));
    rows.push([n, ...rates.map((rate) => fixed(rate)), ...rates.slice(1).map((rate) => fixed(rates[0] / rate))]);
    wallRates.push(`${n}: ${times.map((time) => fixed(gflops(time.wallMs))).join(" / ")}`);
    threadRates.push(`${n}: ${fixed(gflops(threaded.wallMs))}${torch ? ` / ${fixed(gflops(torch[n].two.wallMs))}` : ""}`);
  }

  await useBackend(tf, "wasm");
  const versionList = Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(", ");
  const engines = ["paramlab-wasm", "paramlab-ts", "tfjs-cpu", "tfjs-wasm", ...(torch ? ["PyTorch"] : [])];
  return {
    title: "Matrix multiply (float32)",
    columns: ["n", ...engines.map((name) => `${name} GFLOP/s`), ...engines.slice(1).map((name) => `paramlab-wasm / ${name}`)],
    rows,
    notes: [
      describeMachine(),
      load,
      `${versionList}. tfjs-wasm: ${await describeWasm(tf, wasm)}.${torch ? ` PyTorch ${torch.version}.` : " PyTorch: not installed."}`,
      "GFLOP/s = 2n³ / median CPU time of this process per multiply, after warm-up runs. Every engine runs on one thread " +
        "(PyTorch with torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1). tfjs timings include reading the result back with dataSync().",
      `Wall-clock GFLOP/s, ${engines.join(" / ")}, n = ${wallRates.join("; ")}.`,
      `Wall-clock GFLOP/s with ${threads} threads, paramlab-wasm${torch ? " / PyTorch" : ""}, n = ${threadRates.join("; ")}.`,
      `Check, max |paramlab-wasm − paramlab-ts| / max |C| and max |paramlab-wasm − tfjs-wasm| / max |C|, n = ${checks.join("; ")}.`,
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

// Times torch.mm in PyTorch for each n given after the thread count. Prints JSON: per n, median times in ms.
const TORCH_SCRIPT = `${TORCH_PREAMBLE}
result = {"version": torch.__version__}
for n in map(int, sys.argv[2:]):
    a, b = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1
    result[n] = measure(lambda: torch.mm(a, b))
print(json.dumps(result))
`;

/** Runs the PyTorch timings on one and on two threads; returns null when python3 or torch is missing. */
function timeTorch() {
  const runs = [1, 2].map((threads) => runTorch("matmul benchmark", TORCH_SCRIPT, threads, SIZES.map(String)));
  if (runs.some((run) => run === null)) return null;
  const [one, two] = runs;
  return { version: one.version, ...Object.fromEntries(SIZES.map((n) => [n, { one: one[n], two: two[n] }])) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
