// Float32 elementwise loops: the generated JavaScript loop against the WebAssembly SIMD kernel
// (copies into and out of linear memory included), over a range of sizes, to place the size
// thresholds in core/backend/wasm/elementwise.ts and to show the speedup at 1.6M elements.
// Run with `npm run bench -- elementwise` or `npm run build && node --expose-gc bench/elementwise.mjs`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeLoad, describeMachine } from "./lib/machine.mjs";
import { fixed, formatTable } from "./lib/table.mjs";
import { maxRelativeDifference } from "./lib/compare.mjs";
import { measure, seededUniform } from "./lib/timing.mjs";

const loopsUrl = new URL("../dist/core/backend/elementwise.js", import.meta.url);
const wasmUrl = new URL("../dist/core/backend/wasm/elementwise.js", import.meta.url);
const backendUrl = new URL("../dist/core/backend/backend.js", import.meta.url);

/** Sizes of the threshold sweep, and the size of one CNN activation (batch 64, 32 channels, 28×28). */
const SWEEP = [16, 64, 256, 1024, 16384, 262144];
const LARGE = 1_605_632;

/** The expressions measured, covering every threshold class and a bias-row broadcast. */
const CASES = [
  { label: "add (x + y)", expression: "x + y", arity: 2 },
  { label: "mul by a bias row of 256", expression: "x * y", arity: 2, rowLength: 256 },
  { label: "relu", expression: "x > 0 || x !== x ? x : 0", arity: 1 },
  { label: "relu mask", expression: "(x > 0) ? 1 : 0", arity: 1 },
  { label: "exp", expression: "Math.exp(x)", arity: 1 },
  { label: "sigmoid", expression: "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))", arity: 1 },
  { label: "tanh", expression: "Math.tanh(x)", arity: 1 },
];

/** Measures every case at every size on both paths and returns the table of times and ratios. */
export async function run() {
  if (!existsSync(wasmUrl)) {
    throw new Error(`elementwise benchmark: ${wasmUrl.pathname} not found; run \`npm run build\` first`);
  }
  const { unaryLoop, binaryLoop } = await import(loopsUrl.href);
  const { unaryRoute, binaryRoute, runUnary, runBinary } = await import(wasmUrl.href);
  const { setBackend, activeKernels } = await import(backendUrl.href);
  setBackend("wasm");
  const kernels = activeKernels();
  if (kernels === null) throw new Error("elementwise benchmark: the wasm kernels did not load");

  const random = seededUniform(11);
  const x = Float32Array.from({ length: LARGE }, () => random() * 4);
  const y = Float32Array.from({ length: LARGE }, () => random() * 4);
  const rows = [];
  for (const test of CASES) {
    for (const size of [...SWEEP, LARGE]) {
      if (test.rowLength && size < test.rowLength) continue;
      const shape = test.rowLength ? [size / test.rowLength, test.rowLength] : [size];
      const a = { data: x, offset: 0, strides: test.rowLength ? [test.rowLength, 1] : [1] };
      const b = { data: y, offset: 0, strides: test.rowLength ? [0, 1] : [1] };
      const jsOut = new Float32Array(size);
      const wasmOut = new Float32Array(size);
      const options = { minMs: size === LARGE ? 1000 : 200, maxRuns: 200 };

      // Small sizes repeat the call, because CPU time counts in microseconds.
      const repeats = Math.ceil(65536 / size);
      const timed = (call) => measure(() => {
        for (let i = 0; i < repeats; i++) call();
      }, options).cpuMs * 1000 / repeats;

      setBackend("typescript");
      const js = test.arity === 1
        ? timed(() => unaryLoop(test.expression)(jsOut, a, shape))
        : timed(() => binaryLoop(test.expression)(jsOut, a, b, shape));
      setBackend("wasm");
      const route = test.arity === 1 ? unaryRoute(test.expression) : binaryRoute(test.expression);
      const simd = test.arity === 1
        ? timed(() => runUnary(kernels, route, wasmOut, a, shape, size))
        : timed(() => runBinary(kernels, route, wasmOut, a, b, shape, size));

      const error = maxRelativeDifference(jsOut, wasmOut);
      rows.push([test.label, size, fixed(js, 1), fixed(simd, 1), fixed(js / simd), error.toExponential(1)]);
    }
  }
  return {
    title: "Float32 elementwise loops: JavaScript against WebAssembly SIMD",
    columns: ["expression", "elements", "JS µs", "wasm µs", "JS / wasm", "max rel. diff"],
    rows,
    notes: [
      "Median CPU time of one call. The JS time includes the loop's per-call dispatch; the wasm time calls the kernel glue directly and includes copying the operands into linear memory and the result out.",
      "Inputs are seeded uniform in [-4, 4), so relu's select sees random signs as real activations do.",
      "The kernel runs from the size in MIN_SIZE (core/backend/wasm/elementwise.ts) on; smaller outputs stay on the JavaScript loop.",
      describeMachine(),
      describeLoad(),
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
