import { describe, expect, it } from "vitest";
import { join } from "node:path";
import * as pl from "../../core/index.js";

const { nn } = pl;
const FIXTURES = join(import.meta.dirname, "..", "fixtures", "nn");

/** Splits a fixture file into the state dict, inputs and PyTorch's outputs. */
async function loadFixture(name: string): Promise<{ state: Record<string, pl.Tensor>; input: Record<string, pl.Tensor>; output: Record<string, pl.Tensor> }> {
  const tensors = await nn.loadSafetensors(join(FIXTURES, `${name}.safetensors`));
  const parts = { state: {}, input: {}, output: {} } as Record<"state" | "input" | "output", Record<string, pl.Tensor>>;
  for (const [key, value] of Object.entries(tensors)) {
    const dot = key.indexOf(".");
    parts[key.slice(0, dot) as "state" | "input" | "output"][key.slice(dot + 1)] = value;
  }
  return parts;
}

/** Largest absolute difference, with the shapes checked first. */
function expectClose(actual: pl.Tensor, expected: pl.Tensor, tolerance = 1e-10): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(tolerance);
}

describe("layers match PyTorch 1.13 fixtures (float64)", () => {
  it("LeNet-style CNN", async () => {
    const { state, input, output } = await loadFixture("lenet");
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    ).to("float64");
    model.loadStateDict(state);
    expectClose(model.forward(input.x) as pl.Tensor, output.y);
  });

  it("2-layer bidirectional LSTM with initial states", async () => {
    const { state, input, output } = await loadFixture("lstm");
    const lstm = new nn.LSTM(5, 7, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" });
    lstm.loadStateDict(state);
    const [y, [h, c]] = lstm.forward(input.x, [input.h0, input.c0]);
    expectClose(y, output.y);
    expectClose(h, output.h);
    expectClose(c, output.c);
  });

  it("LSTM with variable lengths matches packed sequences", async () => {
    const { state, input, output } = await loadFixture("lstm_packed");
    const lstm = new nn.LSTM(5, 7, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" });
    lstm.loadStateDict(state);
    const [y, [h, c]] = lstm.forward(input.x, [input.h0, input.c0], { lengths: input.lengths });
    expectClose(y, output.y);
    expectClose(h, output.h);
    expectClose(c, output.c);
  });

  it("2-layer GRU", async () => {
    const { state, input, output } = await loadFixture("gru");
    const gru = new nn.GRU(4, 6, { numLayers: 2, dtype: "float64" });
    gru.loadStateDict(state);
    const [y, h] = gru.forward(input.x);
    expectClose(y, output.y);
    expectClose(h, output.h);
  });

  it("bidirectional relu RNN", async () => {
    const { state, input, output } = await loadFixture("rnn");
    const rnn = new nn.RNN(3, 5, { nonlinearity: "relu", bidirectional: true, dtype: "float64" });
    rnn.loadStateDict(state);
    const [y, h] = rnn.forward(input.x);
    expectClose(y, output.y);
    expectClose(h, output.h);
  });

  it("BatchNorm2d in training and eval", async () => {
    const { state, input, output } = await loadFixture("batchnorm2d");
    const bn = new nn.BatchNorm2d(3, { dtype: "float64" });
    expectClose(bn.forward(input.x), output.y_train);
    const saved = bn.stateDict();
    expectClose(saved.running_mean, state.running_mean);
    expectClose(saved.running_var, state.running_var);
    expect(saved.num_batches_tracked.item()).toBe(1);
    bn.eval();
    expectClose(bn.forward(input.x), output.y_eval);
  });

  it("MultiheadAttention with a key padding mask", async () => {
    const { state, input, output } = await loadFixture("mha");
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true, dtype: "float64" });
    mha.loadStateDict(state);
    const [y, weights] = mha.forward(input.q, input.k, input.v, { keyPaddingMask: input.key_padding_mask });
    expectClose(y, output.y);
    expectClose(weights!, output.weights);
  });

  for (const [name, normFirst] of [["encoder_layer", false], ["encoder_layer_prenorm", true]] as const) {
    it(`TransformerEncoderLayer (${normFirst ? "pre-norm" : "post-norm"}) with a causal mask`, async () => {
      const { state, input, output } = await loadFixture(name);
      const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst, dtype: "float64" }).eval();
      layer.loadStateDict(state);
      expectClose(layer.forward(input.x, { mask: input.mask }), output.y);
    });
  }

  it("TransformerDecoderLayer with a causal target mask", async () => {
    const { state, input, output } = await loadFixture("decoder_layer");
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, dtype: "float64" }).eval();
    layer.loadStateDict(state);
    expectClose(layer.forward(input.x, input.memory, { tgtMask: input.mask }), output.y);
  });

  it("Embedding with a padding index, then LayerNorm", async () => {
    const { state, input, output } = await loadFixture("embedding_layernorm");
    const model = new nn.Sequential(new nn.Embedding(10, 4, { paddingIdx: 0, dtype: "float64" }), new nn.LayerNorm(4, { dtype: "float64" }));
    model.loadStateDict(state);
    expectClose(model.forward(input.idx) as pl.Tensor, output.y);
  });
});
