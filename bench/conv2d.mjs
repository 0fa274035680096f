// Two float32 conv2d layers, forward and forward+backward: paramlab against TensorFlow.js's cpu and
// wasm backends. Batch 32 of 1×28×28 → conv 3×3 (32 channels, padding 1) → ReLU → conv 3×3
// (64 channels, padding 1) → sum. Backward computes the gradients of both weights and biases.
// Run with `npm run bench` (all benchmarks) or `npm run build && node bench/conv2d.mjs`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeLoad, describeMachine } from "./lib/machine.mjs";
import { fixed, formatTable } from "./lib/table.mjs";
import { maxRelativeDifference } from "./lib/compare.mjs";
import { describeWasm, loadTfjs, useBackend, registerGradients } from "./lib/tfjs.mjs";
import { measure, seededUniform } from "./lib/timing.mjs";

const BATCH = 32;
const SIZE = 28;
const CHANNELS = [1, 32, 64];
const KERNEL = 3;
const coreUrl = new URL("../dist/core/index.js", import.meta.url);

/** Float32 data of the input and both layers' weights and biases, the same for every engine. */
function makeData() {
  const random = seededUniform(28);
  const fill = (size, scale) => Float32Array.from({ length: size }, () => random() * scale);
  const weights = [];
  for (let layer = 0; layer < 2; layer++) {
    const [cin, cout] = [CHANNELS[layer], CHANNELS[layer + 1]];
    // Uniform in ±1/√fanIn, PyTorch's default range for conv weights and biases.
    const bound = 1 / Math.sqrt(cin * KERNEL * KERNEL);
    weights.push({ cin, cout, weight: fill(cout * cin * KERNEL * KERNEL, bound), bias: fill(cout, bound) });
  }
  return { input: fill(BATCH * SIZE * SIZE, 1), weights };
}

/** Floating-point operations of the forward pass (2 per multiply-add); backward costs about twice as many. */
function forwardFlops() {
  let total = 0;
  for (let layer = 0; layer < 2; layer++) total += 2 * BATCH * SIZE * SIZE * CHANNELS[layer + 1] * CHANNELS[layer] * KERNEL * KERNEL;
  return total;
}

/** Times paramlab's conv2d in NCHW layout; returns timings, the loss and the first layer's weight gradient. */
async function timeParamlab(data) {
  const pl = await import(coreUrl.href);
  const x = pl.Tensor.fromTypedArray(data.input, [BATCH, 1, SIZE, SIZE]);
  const params = data.weights.map(({ cin, cout, weight, bias }) => ({
    weight: pl.Tensor.fromTypedArray(weight.slice(), [cout, cin, KERNEL, KERNEL]).requiresGrad_(),
    bias: pl.Tensor.fromTypedArray(bias.slice(), [cout]).requiresGrad_(),
  }));
  const forward = () => {
    const hidden = pl.conv2d(x, params[0].weight, params[0].bias, { padding: 1 }).relu();
    return pl.conv2d(hidden, params[1].weight, params[1].bias, { padding: 1 }).sum();
  };
  const step = () => {
    for (const p of params) p.weight.grad = p.bias.grad = null;
    forward().backward();
  };

  // One thread, as the other engines run; then the default thread count, by wall-clock time.
  const threads = pl.getNumThreads();
  pl.setNumThreads(1);
  const forwardTime = measure(() => pl.noGrad(forward));
  const stepTime = measure(step);
  pl.setNumThreads(threads);
  const threaded = { threads, forwardTime: measure(() => pl.noGrad(forward)), stepTime: measure(step) };
  step();
  return { forwardTime, stepTime, threaded, loss: pl.noGrad(forward).item(), weightGrad: params[0].weight.grad.dataSync() };
}

/**
 * Times tf.conv2d on `backend` in NHWC layout (TensorFlow.js's native one). Backward is reported
 * as the error message when the backend has no kernel for a conv gradient.
 */
async function timeTfjs(tf, backend, data) {
  await registerGradients();
  await useBackend(tf, backend);
  const x = tf.tensor4d(data.input, [BATCH, SIZE, SIZE, 1]);
  // paramlab's [Cout, Cin, kH, kW] weight becomes tfjs's [kH, kW, Cin, Cout] filter.
  const params = data.weights.flatMap(({ cin, cout, weight, bias }) => [
    tf.transpose(tf.tensor4d(weight, [cout, cin, KERNEL, KERNEL]), [2, 3, 1, 0]),
    tf.tensor1d(bias),
  ]);
  const loss = (w1, b1, w2, b2) => {
    const hidden = tf.relu(tf.add(tf.conv2d(x, w1, 1, 1), b1));
    return tf.sum(tf.add(tf.conv2d(hidden, w2, 1, 1), b2));
  };
  const gradients = tf.grads(loss);
  const forward = () => tf.tidy(() => loss(...params).dataSync());
  let weightGrad = null;
  const step = () => {
    weightGrad = tf.tidy(() => {
      const grads = gradients(params);
      for (const g of grads) g.dataSync();
      return tf.transpose(grads[0], [3, 2, 0, 1]).dataSync();
    });
  };

  const forwardTime = measure(forward, { minRuns: 3 });
  let stepTime = null;
  let stepError = null;
  try {
    // tfjs-cpu takes over a minute of CPU time per step at batch 32, so one run is timed, with no warm-up.
    stepTime = measure(step, backend === "cpu" ? { warmup: 0, minRuns: 1, minMs: 0 } : { warmup: 1, minRuns: 3 });
  } catch (error) {
    stepError = error instanceof Error ? error.message : String(error);
  }
  const value = forward()[0];
  tf.dispose([x, ...params]);
  return { forwardTime, stepTime, stepError, loss: value, weightGrad };
}

/** Measures every engine and returns the table of times and ratios. */
export async function run() {
  if (!existsSync(coreUrl)) {
    throw new Error(`conv2d benchmark: ${coreUrl.pathname} not found; run \`npm run build\` first`);
  }
  const { tf, wasm, versions } = await loadTfjs();
  const load = describeLoad();
  const data = makeData();

  const paramlab = await timeParamlab(data);
  const cpu = await timeTfjs(tf, "cpu", data);
  const wasmResult = await timeTfjs(tf, "wasm", data);

  const flops = forwardFlops();
  const row = (name, result) => [
    name,
    fixed(result.forwardTime.cpuMs, 1),
    result.stepTime ? fixed(result.stepTime.cpuMs, 1) : "n/a",
    fixed(flops / result.forwardTime.cpuMs / 1e6),
    result.stepTime ? fixed((3 * flops) / result.stepTime.cpuMs / 1e6) : "n/a",
    fixed(result.forwardTime.cpuMs / paramlab.forwardTime.cpuMs),
    result.stepTime ? fixed(result.stepTime.cpuMs / paramlab.stepTime.cpuMs) : "n/a",
  ];
  const rows = [row("paramlab", paramlab), row("tfjs-cpu", cpu), row("tfjs-wasm", wasmResult)];

  const notes = [
    describeMachine(),
    load,
    `${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(", ")}. tfjs-wasm: ${await describeWasm(tf, wasm)}.`,
    `Model: batch ${BATCH} of 1×${SIZE}×${SIZE}, conv 3×3 to ${CHANNELS[1]} channels (padding 1), ReLU, conv 3×3 to ${CHANNELS[2]} channels, sum; float32. ` +
      "paramlab runs NCHW, TensorFlow.js NHWC. Forward+backward computes the gradients of both weights and biases.",
    "Times are the median CPU time of this process per call, after warm-up runs, except tfjs-cpu forward+backward, which is one run " +
      "without warm-up because it takes over a minute. Every engine runs on one thread (paramlab setNumThreads(1)). " +
      "GFLOP/s counts 2·multiply-adds of the forward pass, and three times that for forward+backward. " +
      "The slowdown columns divide each engine's time by paramlab's (above 1: paramlab is faster).",
    `Wall-clock forward / forward+backward ms, paramlab: ${fixed(paramlab.forwardTime.wallMs, 1)} / ${fixed(paramlab.stepTime.wallMs, 1)}; ` +
      `tfjs-cpu: ${fixed(cpu.forwardTime.wallMs, 1)} / ${cpu.stepTime ? fixed(cpu.stepTime.wallMs, 1) : "n/a"}; ` +
      `tfjs-wasm: ${fixed(wasmResult.forwardTime.wallMs, 1)} / ${wasmResult.stepTime ? fixed(wasmResult.stepTime.wallMs, 1) : "n/a"}.`,
    `paramlab with ${paramlab.threaded.threads} threads, wall-clock forward / forward+backward ms: ` +
      `${fixed(paramlab.threaded.forwardTime.wallMs, 1)} / ${fixed(paramlab.threaded.stepTime.wallMs, 1)}.`,
    `Check: loss paramlab ${paramlab.loss.toFixed(3)}, tfjs-cpu ${cpu.loss.toFixed(3)}, tfjs-wasm ${wasmResult.loss.toFixed(3)}; ` +
      `max relative difference of the first weight's gradient, paramlab vs tfjs-cpu: ${cpu.weightGrad ? maxRelativeDifference(cpu.weightGrad, paramlab.weightGrad).toExponential(1) : "n/a"}.`,
  ];
  for (const [name, result] of [["tfjs-cpu", cpu], ["tfjs-wasm", wasmResult]]) {
    if (result.stepError) notes.push(`${name} forward+backward failed: ${result.stepError}`);
  }
  return {
    title: "Convolution (float32)",
    columns: ["engine", "forward ms", "forward+backward ms", "forward GFLOP/s", "forward+backward GFLOP/s", "forward time / paramlab", "forward+backward time / paramlab"],
    rows,
    notes,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
