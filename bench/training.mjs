// One float32 training step (forward, backward, Adam update) of three models: paramlab on its
// wasm and typescript backends against TensorFlow.js's cpu and wasm backends and, when Debian's
// python3-torch is installed, PyTorch. The models are an MLP 784-256-256-10 at batch 128 and a
// small CNN (conv 3×3 32, pool, conv 3×3 64, pool, linear 128, linear 10) on 1×28×28 at batch 64.
// The third is an LSTM (input 32, hidden 128, 32 steps, batch 32) with a linear head on the last
// hidden state.
// Run with `npm run bench -- training` or `npm run build && node --expose-gc bench/training.mjs`.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeLoad, describeMachine } from "./lib/machine.mjs";
import { fixed, formatTable } from "./lib/table.mjs";
import { describeWasm, loadTfjs, useBackend, registerGradients } from "./lib/tfjs.mjs";
import { measure } from "./lib/timing.mjs";
import { TORCH_PREAMBLE, runTorch } from "./lib/torch.mjs";

const coreUrl = new URL("../dist/core/index.js", import.meta.url);
const MODELS = ["mlp", "cnn", "lstm"];
const LABELS = { mlp: "MLP 784-256-256-10, batch 128", cnn: "small CNN, batch 64", lstm: "LSTM I32 H128 T32 B32" };
/** Fewer timed runs for steps that take seconds. */
const SLOW = { warmup: 1, minRuns: 3, minMs: 0 };

/** Builds paramlab's three models with Adam and returns a step function per model. */
function paramlabSteps(pl) {
  const { nn, optim } = pl;
  pl.manualSeed(0);
  const crossEntropy = new nn.CrossEntropyLoss();
  const stepOf = (model, input, batch, forward = (x) => model.forward(x)) => {
    const labels = pl.randint(0, 10, [batch]);
    const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
    return () => {
      optimizer.zeroGrad();
      const loss = crossEntropy.forward(forward(input), labels);
      loss.backward();
      optimizer.step();
      return loss.item();
    };
  };
  const mlp = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(64 * 7 * 7, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
  const lstm = new nn.LSTM(32, 128);
  const head = new nn.Linear(128, 10);
  const lstmModel = new nn.ModuleList([lstm, head]);
  const sequence = pl.randn([32, 32, 32]);
  return {
    mlp: stepOf(mlp, pl.randn([128, 784]), 128),
    cnn: stepOf(cnn, pl.randn([64, 1, 28, 28]), 64),
    lstm: stepOf(lstmModel, sequence, 32, (x) => {
      const [, [hidden]] = lstm.forward(x);
      return head.forward(hidden.reshape([32, 128]));
    }),
  };
}

/**
 * Times paramlab's steps on `backend` with `threads` GEMM threads. One thread makes CPU time
 * comparable with the other single-threaded engines; two are compared by wall-clock time.
 */
async function timeParamlab(backend, threads = 1) {
  const pl = await import(coreUrl.href);
  pl.setBackend(backend);
  if (pl.getBackend() !== backend) throw new Error(`training benchmark: paramlab backend ${backend} did not load`);
  const before = pl.getNumThreads();
  pl.setNumThreads(threads);
  const steps = paramlabSteps(pl);
  const results = {};
  for (const model of MODELS) {
    results[model] = measure(steps[model], backend === "typescript" && model === "cnn" ? SLOW : {});
  }
  pl.setNumThreads(before);
  pl.setBackend("wasm");
  return results;
}

/** Builds the three models in TensorFlow.js (NHWC for the CNN) and returns a step function per model. */
function tfjsSteps(tf) {
  const weight = (shape, fanIn) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), "float32", 1));
  const dense = (inputs, outputs) => [weight([inputs, outputs], inputs), weight([outputs], inputs)];
  const labels = (batch) => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), "int32"), 10);
  const stepOf = (variables, loss) => {
    const optimizer = tf.train.adam(1e-3);
    return () => {
      const value = optimizer.minimize(loss, true, variables);
      const result = value.dataSync()[0];
      value.dispose();
      return result;
    };
  };

  const mlpLayers = [dense(784, 256), dense(256, 256), dense(256, 10)];
  const mlpInput = tf.randomNormal([128, 784], 0, 1, "float32", 2);
  const mlpLabels = labels(128);
  const mlpLoss = () => {
    let x = mlpInput;
    mlpLayers.forEach(([w, b], i) => {
      x = tf.add(tf.matMul(x, w), b);
      if (i < mlpLayers.length - 1) x = tf.relu(x);
    });
    return tf.losses.softmaxCrossEntropy(mlpLabels, x);
  };

  const filters = [[weight([3, 3, 1, 32], 9), weight([32], 9)], [weight([3, 3, 32, 64], 288), weight([64], 288)]];
  const cnnDense = [dense(64 * 7 * 7, 128), dense(128, 10)];
  const cnnInput = tf.randomNormal([64, 28, 28, 1], 0, 1, "float32", 3);
  const cnnLabels = labels(64);
  const cnnLoss = () => {
    let x = cnnInput;
    for (const [w, b] of filters) x = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w, 1, "same"), b)), 2, 2, "valid");
    x = tf.relu(tf.add(tf.matMul(tf.reshape(x, [64, 64 * 7 * 7]), cnnDense[0][0]), cnnDense[0][1]));
    return tf.losses.softmaxCrossEntropy(cnnLabels, tf.add(tf.matMul(x, cnnDense[1][0]), cnnDense[1][1]));
  };

  const lstmKernel = weight([32 + 128, 4 * 128], 128);
  const lstmBias = weight([4 * 128], 128);
  const lstmHead = dense(128, 10);
  const steps = tf.unstack(tf.randomNormal([32, 32, 32], 0, 1, "float32", 4));
  const lstmLabels = labels(32);
  const lstmLoss = () => {
    let c = tf.zeros([32, 128]);
    let h = tf.zeros([32, 128]);
    for (const x of steps) [c, h] = tf.basicLSTMCell(1, lstmKernel, lstmBias, x, c, h);
    return tf.losses.softmaxCrossEntropy(lstmLabels, tf.add(tf.matMul(h, lstmHead[0]), lstmHead[1]));
  };

  return {
    mlp: stepOf(mlpLayers.flat(), mlpLoss),
    cnn: stepOf([...filters.flat(), ...cnnDense.flat()], cnnLoss),
    lstm: stepOf([lstmKernel, lstmBias, ...lstmHead], lstmLoss),
  };
}

/** Times the TensorFlow.js steps on `backend`; a step that fails is reported by its message. */
async function timeTfjs(tf, backend) {
  await registerGradients();
  await useBackend(tf, backend);
  const steps = tfjsSteps(tf);
  const results = {};
  for (const model of MODELS) {
    try {
      // tfjs-cpu needs about 40 s of CPU time per CNN step, so that step runs once without warm-up.
      const options = model !== "cnn" ? {} : backend === "cpu" ? { warmup: 0, minRuns: 1, minMs: 0 } : SLOW;
      results[model] = measure(steps[model], options);
    } catch (error) {
      results[model] = { error: error instanceof Error ? error.message.split("\n")[0] : String(error) };
    }
  }
  tf.disposeVariables();
  return results;
}

// The same three models and steps in PyTorch. Prints one JSON object of median times per model.
const TORCH_SCRIPT = `${TORCH_PREAMBLE}
from torch import nn

def step_of(model, x, batch, forward=None):
    labels = torch.randint(0, 10, (batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    forward = forward or model
    def step():
        optimizer.zero_grad()
        loss = loss_fn(forward(x), labels)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step

mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
cnn = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
lstm, head = nn.LSTM(32, 128), nn.Linear(128, 10)
lstm_model = nn.ModuleList([lstm, head])
steps = {
    "mlp": step_of(mlp, torch.randn(128, 784), 128),
    "cnn": step_of(cnn, torch.randn(64, 1, 28, 28), 64),
    "lstm": step_of(lstm_model, torch.randn(32, 32, 32), 32, lambda x: head(lstm(x)[1][0].reshape(32, 128))),
}
print(json.dumps({"version": torch.__version__, **{name: measure(step) for name, step in steps.items()}}))
`;

/** Runs the PyTorch steps with `threads` threads; returns null when python3 or torch is missing. */
function timeTorch(threads) {
  return runTorch("training benchmark", TORCH_SCRIPT, threads);
}

/** Measures every engine and returns the table of step times and ratios. */
export async function run() {
  if (!existsSync(coreUrl)) {
    throw new Error(`training benchmark: ${coreUrl.pathname} not found; run \`npm run build\` first`);
  }
  const load = describeLoad();
  const engines = [
    ["paramlab-wasm", await timeParamlab("wasm")],
    ["paramlab-ts", await timeParamlab("typescript")],
  ];
  const paramlabPair = await timeParamlab("wasm", 2);
  const { tf, wasm, versions } = await loadTfjs();
  engines.push(["tfjs-cpu", await timeTfjs(tf, "cpu")], ["tfjs-wasm", await timeTfjs(tf, "wasm")]);
  const torch = timeTorch(1);
  const torchPair = timeTorch(2);
  if (torch) engines.push(["PyTorch", torch]);

  const paramlab = engines[0][1];
  const cell = (result) => (result.error ? "fails" : fixed(result.wallMs, 1));
  const ratio = (result, model) => (result.error ? "n/a" : fixed(result.wallMs / paramlab[model].wallMs));
  const rows = engines.map(([name, results]) => [
    name,
    ...MODELS.map((model) => cell(results[model])),
    ...MODELS.map((model) => ratio(results[model], model)),
  ]);

  const failures = engines.flatMap(([name, results]) =>
    MODELS.filter((model) => results[model].error).map((model) => `${name} ${model}: ${results[model].error}`));
  const cpu = engines.map(([name, results]) =>
    `${name} ${MODELS.map((model) => (results[model].error ? "n/a" : fixed(results[model].cpuMs, 1))).join(" / ")}`);
  const versionList = Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(", ");
  return {
    title: "Training step (float32): forward, backward, Adam",
    columns: ["engine", ...MODELS.map((model) => `${model} ms`), ...MODELS.map((model) => `${model} time / paramlab-wasm`)],
    rows,
    notes: [
      describeMachine(),
      load,
      `${versionList}. tfjs-wasm: ${await describeWasm(tf, wasm)}.${torch ? ` PyTorch ${torch.version}.` : " PyTorch: not installed."}`,
      `Models: ${MODELS.map((model) => LABELS[model]).join("; ")}. Cross-entropy loss on 10 classes, Adam with lr 1e-3.`,
      "Times are the median wall-clock time per step after warm-up runs (tfjs-cpu's CNN step: one run without warm-up), " +
        "with every engine on one thread " +
        "(paramlab setNumThreads(1), PyTorch torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1). Run on an idle machine: " +
        "other processes add their time to these figures. The ratio columns divide each engine's time by " +
        "paramlab-wasm's (above 1: paramlab-wasm is faster).",
      `CPU ms of the whole process (V8's garbage collector threads included), mlp / cnn / lstm: ${cpu.join("; ")}.`,
      `Two threads, wall-clock ms, mlp / cnn / lstm: paramlab-wasm ${MODELS.map((model) => fixed(paramlabPair[model].wallMs, 1)).join(" / ")}` +
        (torchPair
          ? `; PyTorch ${MODELS.map((model) => fixed(torchPair[model].wallMs, 1)).join(" / ")}; paramlab-wasm time / PyTorch time ` +
            `${MODELS.map((model) => fixed(paramlabPair[model].wallMs / torchPair[model].wallMs)).join(" / ")}.`
          : "."),
      ...(failures.length > 0 ? [`Failed steps: ${failures.join("; ")}.`] : []),
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatTable(await run()));
}
