import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn } = pl;
const F64 = { dtype: "float64" } as const;

/**
 * Checks the gradients of a layer with respect to its input (when floating) and every parameter,
 * through a fixed random projection of the output to a scalar, so one backward covers all.
 */
function checkLayer(module: pl.nn.Module, inputs: pl.Tensor[], run: (...xs: pl.Tensor[]) => pl.Tensor): void {
  pl.manualSeed(123);
  const floating = inputs.filter((x) => x.dtype === "float64").map((x) => x.requiresGrad_());
  const params = module.parameters();
  const reference = run(...inputs);
  const projection = pl.randn(reference.shape, F64);
  const fn = (): pl.Tensor => run(...inputs).mul(projection).sum();
  const result = pl.autograd.gradcheck(fn, [...floating, ...params], { raiseException: false });
  expect(result.worst?.error ?? 0, JSON.stringify(result.worst)).toBeLessThan(1e-5);
  expect(result.ok).toBe(true);
}

describe("layer gradients against float64 central differences", () => {
  it("Linear", () => {
    const layer = new nn.Linear(3, 2, F64);
    checkLayer(layer, [pl.randn([4, 3], F64)], (x) => layer.forward(x));
  });

  it("linear on batched, single and bias-free inputs, to second order", () => {
    pl.manualSeed(9);
    const weight = pl.randn([2, 3], F64).requiresGrad_();
    const bias = pl.randn([2], F64).requiresGrad_();
    for (const shape of [[2, 4, 3], [3]]) {
      const x = pl.randn(shape, F64).requiresGrad_();
      // tanh makes the second derivative depend on every input.
      const withBias = (xs: pl.Tensor, w: pl.Tensor, b: pl.Tensor): pl.Tensor => pl.tanh(nn.functional.linear(xs, w, b)).sum();
      const withoutBias = (xs: pl.Tensor, w: pl.Tensor): pl.Tensor => pl.tanh(nn.functional.linear(xs, w)).sum();
      expect(pl.autograd.gradcheck(withBias, [x, weight, bias]).ok).toBe(true);
      expect(pl.autograd.gradgradcheck(withBias, [x, weight, bias]).ok).toBe(true);
      expect(pl.autograd.gradgradcheck(withoutBias, [x, weight]).ok).toBe(true);
    }
  });

  it("linear gives a weight gradient laid out like the weight", () => {
    const layer = new nn.Linear(3, 2, F64);
    layer.forward(pl.randn([4, 3], F64)).sum().backward();
    expect(layer.weight.grad!.isContiguous()).toBe(true);
  });

  it("Conv2d with stride, padding and groups", () => {
    const layer = new nn.Conv2d(2, 4, 3, { stride: 2, padding: 1, groups: 2, dtype: "float64" });
    checkLayer(layer, [pl.randn([2, 2, 5, 5], F64)], (x) => layer.forward(x));
  });

  it("Conv1d", () => {
    const layer = new nn.Conv1d(2, 3, 3, { padding: 1, dtype: "float64" });
    checkLayer(layer, [pl.randn([2, 2, 6], F64)], (x) => layer.forward(x));
  });

  it("BatchNorm1d in training mode", () => {
    const layer = new nn.BatchNorm1d(3, { dtype: "float64" });
    checkLayer(layer, [pl.randn([5, 3], F64)], (x) => layer.forward(x));
  });

  it("LayerNorm", () => {
    const layer = new nn.LayerNorm(4, { dtype: "float64" });
    checkLayer(layer, [pl.randn([3, 4], F64)], (x) => layer.forward(x));
  });

  it("Embedding with a padding index", () => {
    const layer = new nn.Embedding(5, 3, { paddingIdx: 0, dtype: "float64" });
    checkLayer(layer, [pl.tensor([[1, 0, 4], [2, 2, 0]], { dtype: "int32" })], (x) => layer.forward(x));
  });

  it("bidirectional 2-layer LSTM with lengths", () => {
    const layer = new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true, batchFirst: true, dtype: "float64" });
    checkLayer(layer, [pl.randn([2, 3, 2], F64)], (x) => layer.forward(x, null, { lengths: [3, 2] })[0]);
  });

  it("GRU", () => {
    const layer = new nn.GRU(2, 3, { dtype: "float64" });
    checkLayer(layer, [pl.randn([3, 2, 2], F64)], (x) => layer.forward(x)[0]);
  });

  it("RNN with relu", () => {
    const layer = new nn.RNN(2, 3, { nonlinearity: "relu", dtype: "float64" });
    checkLayer(layer, [pl.randn([3, 2, 2], F64)], (x) => layer.forward(x)[1]);
  });

  it("MultiheadAttention with a causal mask", () => {
    const layer = new nn.MultiheadAttention(4, 2, { batchFirst: true, dtype: "float64" });
    checkLayer(layer, [pl.randn([2, 3, 4], F64)], (x) => layer.forward(x, x, x, { isCausal: true })[0]);
  });

  it("TransformerEncoderLayer pre-norm", () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true, normFirst: true, dtype: "float64" });
    checkLayer(layer, [pl.randn([1, 3, 4], F64)], (x) => layer.forward(x));
  });

  it("TransformerDecoderLayer", () => {
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true, dtype: "float64" });
    const memory = pl.randn([1, 2, 4], F64);
    checkLayer(layer, [pl.randn([1, 3, 4], F64)], (x) => layer.forward(x, memory));
  });

  it("MixtureOfExperts with fixed routing", () => {
    pl.manualSeed(5);
    const layer = new nn.MixtureOfExperts(3, 2, { numExperts: 3, topK: 2, hiddenSize: 4, noisyGating: false, capacityFactor: Infinity, dtype: "float64" });
    pl.nn.init.normal_(layer.gate.weight, 0, 1);
    checkLayer(layer, [pl.randn([4, 3], F64)], (x) => layer.forward(x));
  });

  it("Seq2Seq with attention", () => {
    pl.manualSeed(9);
    const model = new nn.Seq2Seq({ srcVocabSize: 5, tgtVocabSize: 5, embedDim: 3, hiddenSize: 3, bosIdx: 1, eosIdx: 2, dropout: 0, dtype: "float64" });
    const src = pl.tensor([[3, 4, 2], [4, 2, 0]], { dtype: "int32" });
    const tgt = pl.tensor([[1, 3], [1, 4]], { dtype: "int32" });
    checkLayer(model, [src, tgt], (s, t) => model.forward(s, t, { srcLengths: [3, 2] }));
  });
});
