import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn, optim } = pl;

/**
 * Four regions of the plane (the quadrants), each with its own linear target function, so an
 * expert per region fits exactly while one small dense model must compromise.
 */
function regionTask(samples: number, seed: number): { x: pl.Tensor; y: pl.Tensor } {
  const generator = new pl.Generator(seed);
  const x = pl.rand([samples, 2], { generator, dtype: "float64" }).mul(4).sub(2);
  const values = x.dataSync();
  const targets = new Float64Array(samples);
  const slopes = [[3, -1], [-2, 2], [1, 3], [-3, -2]];
  for (let i = 0; i < samples; i++) {
    const [a, b] = [values[2 * i], values[2 * i + 1]];
    const region = (a > 0 ? 1 : 0) + (b > 0 ? 2 : 0);
    targets[i] = slopes[region][0] * a + slopes[region][1] * b + region;
  }
  return { x, y: pl.Tensor.fromTypedArray(targets, [samples, 1]) };
}

function trainModel(model: pl.nn.Module, steps: number, auxWeight = 0): number {
  const { x, y } = regionTask(512, 1);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    let loss = nn.functional.mseLoss((model.forward as (t: pl.Tensor) => pl.Tensor)(x), y);
    if (model instanceof nn.MixtureOfExperts && auxWeight > 0) loss = loss.add(model.auxLoss!.mul(auxWeight));
    loss.backward();
    optimizer.step();
  }
  model.eval();
  const test = regionTask(512, 2);
  return pl.noGrad(() => nn.functional.mseLoss((model.forward as (t: pl.Tensor) => pl.Tensor)(test.x), test.y).item());
}

describe("MixtureOfExperts", () => {
  it("uses every expert and beats a dense model with as many active parameters", () => {
    pl.manualSeed(0);
    // Top-1 routing over 4 experts of width 8: each token uses one 2-8-1 expert (33 parameters)
    // plus the gate (8); the dense model 2-11-1 has 45, at least as many active parameters.
    const moe = new nn.MixtureOfExperts(2, 1, { numExperts: 4, topK: 1, hiddenSize: 8, capacityFactor: 2, dtype: "float64" });
    const dense = new nn.Sequential(new nn.Linear(2, 11, { dtype: "float64" }), new nn.ReLU(), new nn.Linear(11, 1, { dtype: "float64" }));
    const moeLoss = trainModel(moe, 400, 0.1);
    const denseLoss = trainModel(dense, 400);
    const stats = moe.statistics();
    expect(stats.tokens.every((count) => count > 0), JSON.stringify(stats)).toBe(true);
    expect(moeLoss).toBeLessThan(denseLoss);
  });

  it("routes each token to topK experts and reports drops under capacity", () => {
    pl.manualSeed(1);
    const moe = new nn.MixtureOfExperts(3, 2, { numExperts: 4, topK: 2, capacityFactor: 0.5, noisyGating: false, dtype: "float64" });
    pl.nn.init.normal_(moe.gate.weight);
    moe.eval().forward(pl.randn([16, 3], { dtype: "float64" }));
    const routing = moe.lastRouting!;
    expect(routing.experts.every((chosen) => chosen.length === 2 && chosen[0] !== chosen[1])).toBe(true);
    // Capacity ceil(0.5 · 16 · 2 / 4) = 4 tokens per expert, so 32 assignments keep at most 16.
    expect(routing.tokensPerExpert.every((count) => count <= 4)).toBe(true);
    expect(routing.dropped).toBe(32 - routing.tokensPerExpert.reduce((a, b) => a + b, 0));
  });

  it("rejects topK larger than numExperts", () => {
    expect(() => new nn.MixtureOfExperts(2, 2, { numExperts: 2, topK: 3 })).toThrow(/topK=3 is invalid; expected an integer in \[1, numExperts=2\]/);
  });
});
