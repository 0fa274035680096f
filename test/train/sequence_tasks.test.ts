import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn, optim, data } = pl;

const LENGTH = 5;
const VOCAB = 5; // pad 0 and symbols 1..4
const SEPARATOR = VOCAB; // an extra input token that marks "now answer"

/**
 * The delayed form of a copy/reverse task: the model reads the L symbols and a separator, then
 * must emit the target during the next L steps, so it has to remember the whole sequence.
 * Inputs are int32 [N, 2L+1]; targets are int32 [N, L] for the answer steps.
 */
function delayedTask(kind: "copy" | "reverse", samples: number, seed: number): { inputs: pl.Tensor; targets: pl.Tensor } {
  const make = kind === "copy" ? data.copySequences : data.reverseSequences;
  const set = make({ samples, length: LENGTH, vocabSize: VOCAB, generator: new pl.Generator(seed) });
  const [source, target] = set.tensors;
  const src = source.dataSync();
  const inputs = new Int32Array(samples * (2 * LENGTH + 1));
  for (let n = 0; n < samples; n++) {
    for (let i = 0; i < LENGTH; i++) inputs[n * (2 * LENGTH + 1) + i] = src[n * LENGTH + i];
    inputs[n * (2 * LENGTH + 1) + LENGTH] = SEPARATOR;
  }
  return { inputs: pl.Tensor.fromTypedArray(inputs, [samples, 2 * LENGTH + 1]), targets: target };
}

/** Token accuracy of logits [N, L, V] against int32 targets [N, L]. */
function tokenAccuracy(logits: pl.Tensor, targets: pl.Tensor): number {
  const predicted = logits.argmax(-1).dataSync();
  const expected = targets.dataSync();
  let correct = 0;
  for (let i = 0; i < expected.length; i++) if (predicted[i] === expected[i]) correct++;
  return correct / expected.length;
}

/** Trains `forward` (inputs → logits over the answer steps) with Adam and returns held-out token accuracy. */
function trainTask(model: pl.nn.Module, forward: (x: pl.Tensor) => pl.Tensor, kind: "copy" | "reverse", steps: number, lr: number): number {
  const trainSet = delayedTask(kind, 2048, 1);
  const testSet = delayedTask(kind, 512, 2);
  const optimizer = new optim.Adam(model.parameters(), { lr });
  const generator = new pl.Generator(3);
  const batch = 64;
  for (let step = 0; step < steps; step++) {
    const start = generator.integer(0, 2048 - batch);
    const x = trainSet.inputs.narrow(0, start, batch);
    const y = trainSet.targets.narrow(0, start, batch);
    optimizer.zeroGrad();
    const logits = forward(x);
    const loss = nn.functional.crossEntropy(logits.reshape([-1, VOCAB]), y.reshape([-1]));
    loss.backward();
    optimizer.step();
  }
  model.eval();
  return pl.noGrad(() => tokenAccuracy(forward(testSet.inputs), testSet.targets));
}

class RecurrentSolver extends nn.Module {
  embed = new nn.Embedding(VOCAB + 1, 16);
  head: pl.nn.Linear;
  constructor(readonly rnn: pl.nn.LSTM | pl.nn.GRU, hidden: number) {
    super();
    this.head = new nn.Linear(hidden, VOCAB);
  }
  forward(x: pl.Tensor): pl.Tensor {
    const [out] = this.rnn.forward(this.embed.forward(x));
    return this.head.forward(out.narrow(1, LENGTH + 1, LENGTH));
  }
}

class TransformerSolver extends nn.Module {
  embed = new nn.Embedding(VOCAB + 1, 32);
  position = new nn.LearnedPositionalEncoding(32, 2 * LENGTH + 1, { dropout: 0 });
  encoder = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, dropout: 0, batchFirst: true }), 2);
  head = new nn.Linear(32, VOCAB);
  forward(x: pl.Tensor): pl.Tensor {
    const h = this.encoder.forward(this.position.forward(this.embed.forward(x)));
    return this.head.forward(h.narrow(1, LENGTH + 1, LENGTH));
  }
}

/** Training runs take minutes on two cores; they never assert time, only results. */
const TRAINING_TIMEOUT = 900_000;

describe("sequence models learn copy and reverse", () => {
  it("LSTM learns the delayed reverse task", () => {
    pl.manualSeed(0);
    const model = new RecurrentSolver(new nn.LSTM(16, 64, { batchFirst: true }), 64);
    expect(trainTask(model, (x) => model.forward(x), "reverse", 600, 1e-2)).toBeGreaterThanOrEqual(0.99);
  }, TRAINING_TIMEOUT);

  it("GRU learns the delayed copy task", () => {
    pl.manualSeed(0);
    const model = new RecurrentSolver(new nn.GRU(16, 64, { batchFirst: true }), 64);
    expect(trainTask(model, (x) => model.forward(x), "copy", 600, 1e-2)).toBeGreaterThanOrEqual(0.99);
  }, TRAINING_TIMEOUT);

  it("Transformer encoder learns the delayed reverse task", () => {
    pl.manualSeed(0);
    const model = new TransformerSolver();
    expect(trainTask(model, (x) => model.forward(x), "reverse", 600, 3e-3)).toBeGreaterThanOrEqual(0.99);
  }, TRAINING_TIMEOUT);
});
