import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn, optim, train, data } = pl;

/** A linearly separable two-class problem: the label is whether x0 + x1 > 0. */
function separable(samples: number, seed: number): pl.data.TensorDataset {
  const generator = new pl.Generator(seed);
  const x = pl.randn([samples, 2], { generator });
  const values = x.dataSync();
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) labels[i] = values[2 * i] + values[2 * i + 1] > 0 ? 1 : 0;
  return new data.TensorDataset(x, pl.Tensor.fromTypedArray(labels, [samples]));
}

function setup(lr = 0.1): { model: pl.nn.Linear; optimizer: pl.optim.SGD; loader: pl.data.DataLoader<pl.Tensor[]> } {
  pl.manualSeed(0);
  const model = new nn.Linear(2, 2);
  return { model, optimizer: new optim.SGD(model.parameters(), { lr }), loader: new data.DataLoader(separable(256, 1), { batchSize: 32 }) };
}

describe("train.fit", () => {
  it("records per-step and per-epoch metrics", async () => {
    const { model, optimizer, loader } = setup();
    const history = await train.fit(model, loader as Iterable<pl.train.Batch>, {
      epochs: 3,
      optimizer,
      loss: nn.functional.crossEntropy,
      metrics: ["accuracy"],
      validation: new data.DataLoader(separable(128, 2), { batchSize: 64 }) as Iterable<pl.train.Batch>,
    });
    expect(history.steps).toHaveLength(24);
    expect(history.epochs.map((row) => row.epoch)).toEqual([1, 2, 3]);
    expect(history.epochMetric("loss")[2]).toBeLessThan(history.epochMetric("loss")[0]);
    expect(history.last!.valAccuracy).toBeGreaterThan(0.9);
    expect(history.steps[0].lr).toBe(0.1);
  });

  it("stops on a NaN loss naming the step", async () => {
    const { model, optimizer, loader } = setup();
    let counter = 0;
    const poisoned = (output: pl.Tensor, target: pl.Tensor): pl.Tensor => {
      const loss = nn.functional.crossEntropy(output, target);
      return counter++ === 4 ? loss.mul(NaN) : loss;
    };
    const run = train.fit(model, loader as Iterable<pl.train.Batch>, { epochs: 1, optimizer, loss: poisoned });
    await expect(run).rejects.toThrow(/the loss became NaN at step 5 \(epoch 1, batch 5\)/);
  });

  it("continues past a NaN loss when asked", async () => {
    const { model, optimizer, loader } = setup();
    let counter = 0;
    const poisoned = (output: pl.Tensor, target: pl.Tensor): pl.Tensor => {
      const loss = nn.functional.crossEntropy(output, target);
      return counter++ === 0 ? loss.mul(NaN) : loss;
    };
    const history = await train.fit(model, loader as Iterable<pl.train.Batch>, { epochs: 1, optimizer, loss: poisoned, onNonFiniteLoss: "continue" });
    expect(history.steps).toHaveLength(8);
    expect(Number.isNaN(history.steps[0].loss)).toBe(true);
  });

  it("rejects an unknown option with the valid names", async () => {
    const { model, optimizer, loader } = setup();
    const options = { epochs: 1, optimizer, loss: nn.functional.crossEntropy, epoch: 3 } as unknown as pl.train.FitOptions;
    await expect(train.fit(model, loader as Iterable<pl.train.Batch>, options)).rejects.toThrow(/unknown option "epoch"; valid options are epochs, optimizer/);
  });

  it("early stopping ends training and restores the best weights", async () => {
    const { model, loader } = setup();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0 });
    const stopper = new train.EarlyStopping({ monitor: "loss", patience: 1 });
    const history = await train.fit(model, loader as Iterable<pl.train.Batch>, { epochs: 10, optimizer, loss: nn.functional.crossEntropy, callbacks: [stopper] });
    expect(history.epochs).toHaveLength(3);
    expect(history.stopReason).toMatch(/early stopping: loss did not improve/);
  });

  it("checkpoints to safetensors that load into a fresh model", async () => {
    const { model, optimizer, loader } = setup();
    const folder = mkdtempSync(join(tmpdir(), "paramlab-fit-"));
    const path = join(folder, "model-{epoch}.safetensors");
    await train.fit(model, loader as Iterable<pl.train.Batch>, { epochs: 2, optimizer, loss: nn.functional.crossEntropy, callbacks: [new train.ModelCheckpoint({ path })] });
    expect(existsSync(join(folder, "model-1.safetensors"))).toBe(true);
    const restored = new nn.Linear(2, 2);
    restored.loadStateDict(await nn.loadSafetensors(join(folder, "model-2.safetensors")));
    expect(restored.weight.toArray()).toEqual(model.weight.toArray());
  });

  it("logs the learning rate of a schedule every step", async () => {
    const { model, optimizer, loader } = setup();
    const seen: number[] = [];
    const scheduler = new optim.StepLR(optimizer, 4, { gamma: 0.5 });
    await train.fit(model, loader as Iterable<pl.train.Batch>, {
      epochs: 1,
      optimizer,
      loss: nn.functional.crossEntropy,
      scheduler,
      schedulerInterval: "step",
      callbacks: [new train.LRLogger((_, lr) => seen.push(lr))],
    });
    expect(seen).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]);
  });

  it("history renders curves and a table", async () => {
    const { model, optimizer, loader } = setup();
    const history = await train.fit(model, loader as Iterable<pl.train.Batch>, { epochs: 2, optimizer, loss: nn.functional.crossEntropy });
    const bundle = (history as unknown as { [key: symbol]: () => Record<string, unknown> })[Symbol.for("Jupyter.display")]();
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
    expect(String(bundle["text/plain"])).toMatch(/^History\(2 epochs, 16 steps\)/);
  });
});

describe("safetensors", () => {
  it("round-trips every dtype", () => {
    const tensors = {
      a: pl.tensor([[1.5, -2]], { dtype: "float64" }),
      b: pl.tensor([1, 2, 3], { dtype: "int32" }),
      c: pl.tensor([true, false]),
      d: pl.randn([2, 3]),
    };
    const parsed = nn.parseSafetensors(nn.serializeSafetensors(tensors, { note: "x" }));
    expect(parsed.metadata).toEqual({ note: "x" });
    for (const [name, value] of Object.entries(tensors)) {
      expect(parsed.tensors[name].dtype).toBe(value.dtype);
      expect(parsed.tensors[name].toArray()).toEqual(value.toArray());
    }
  });

  it("rejects a truncated file with the reason", () => {
    const bytes = nn.serializeSafetensors({ a: pl.ones([4]) });
    expect(() => nn.parseSafetensors(bytes.subarray(0, bytes.length - 3), "model.safetensors")).toThrow(
      /model.safetensors is not a valid safetensors file: the data of "a" runs past the end of the file/,
    );
  });
});

describe("fit and load errors", () => {
  it("explains a model that returns a tuple", async () => {
    const lstm = new nn.LSTM(2, 2, { batchFirst: true });
    const loader = [[pl.randn([4, 3, 2]), pl.randint(0, 2, [4])]] as unknown as Iterable<pl.train.Batch>;
    const run = train.fit(lstm, loader, { epochs: 1, optimizer: new optim.SGD(lstm.parameters(), { lr: 0.1 }), loss: nn.functional.crossEntropy });
    await expect(run).rejects.toThrow(/fit: the model returned an array, but the loss needs one tensor/);
  });

  it("loadStateDict rejects plain arrays", () => {
    const layer = new nn.Linear(2, 1);
    expect(() => layer.loadStateDict({ weight: [[1, 2]], bias: [0] } as never)).toThrow(/"weight" is not a tensor; wrap plain arrays with pl.tensor\(values\)/);
  });
});
