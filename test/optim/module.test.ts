import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

describe("optimizers with nn modules", () => {
  it("fit a Linear layer to a linear target", () => {
    pl.manualSeed(3);
    const model = new pl.nn.Linear(3, 2);
    const x = pl.randn([64, 3]);
    const trueWeight = pl.tensor([[1, -2, 0.5], [0.3, 0.8, -1]]);
    const y = x.matmul(trueWeight.t()).add(pl.tensor([0.1, -0.2]));
    const optimizer = new pl.optim.Adam(model.parameters(), { lr: 0.05 });
    const scheduler = new pl.optim.StepLR(optimizer, 100, { gamma: 0.5 });
    const mse = () => {
      const residual = model.forward(x).sub(y);
      return residual.mul(residual).mean();
    };
    const before = mse().item();

    for (let i = 0; i < 400; i++) {
      optimizer.zeroGrad();
      mse().backward();
      optimizer.step();
      scheduler.step();
    }

    expect(before).toBeGreaterThan(0.5);
    expect(mse().item()).toBeLessThan(1e-4);
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.05 / 16, 12);
    expect(model.weight.isLeaf).toBe(true);
    expect(model.weight).toBeInstanceOf(pl.nn.Parameter);
  });
});
