import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { firstMismatch, readFixture } from "./problem.js";

/**
 * Replays the trajectories that scripts/fixtures/lbfgs.py recorded with PyTorch 1.13's LBFGS in
 * float64 on extended Rosenbrock functions: after every step(closure) call, the returned loss,
 * the parameters and the counts of function evaluations and iterations must match.
 */

interface StepRecord {
  loss: number;
  params: number[];
  funcEvals: number;
  nIter: number;
}

interface Case {
  name: string;
  start: number[];
  options: Partial<pl.optim.LBFGSOptions>;
  steps: StepRecord[];
}

const fixture = readFixture<{ torch: string; cases: Case[] }>("lbfgs.json");

function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0];
  const head = x.slice(0, 0, n - 1);
  const tail = x.slice(0, 1, n);
  return tail.sub(head.mul(head)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum();
}

describe("LBFGS against PyTorch", () => {
  for (const spec of fixture.cases) {
    it(spec.name, () => {
      const x = pl.tensor(spec.start, { dtype: "float64", requiresGrad: true });
      const optimizer = new pl.optim.LBFGS([x], spec.options);
      const closure = (): Tensor => {
        optimizer.zeroGrad();
        const loss = rosenbrock(x);
        loss.backward();
        return loss;
      };
      spec.steps.forEach((expected, step) => {
        const loss = optimizer.step(closure) as Tensor;
        const label = `${spec.name}, step ${step + 1}`;
        expect(firstMismatch([loss.item()], [expected.loss], 1e-6, 1e-12), `${label}: loss`).toBeNull();
        expect(firstMismatch(Array.from(x.dataSync()), expected.params, 1e-6, 1e-10), `${label}: params`).toBeNull();
        expect(optimizer.counters, label).toEqual({ funcEvals: expected.funcEvals, nIter: expected.nIter });
      });
    });
  }
});

describe("LBFGS options", () => {
  const x = pl.tensor([1, 2], { dtype: "float64", requiresGrad: true });

  it("rejects an unknown line search", () => {
    expect(() => new pl.optim.LBFGS([x], { lineSearch: "wolfe" as never })).toThrow('LBFGS: invalid lineSearch="wolfe"; expected "strongWolfe" or null.');
  });

  it("rejects a history size of 0", () => {
    expect(() => new pl.optim.LBFGS([x], { historySize: 0 })).toThrow("LBFGS: invalid historySize=0; expected a positive integer.");
  });

  it("rejects parameter groups", () => {
    const y = pl.tensor([1], { dtype: "float64", requiresGrad: true });
    expect(() => new pl.optim.LBFGS([{ params: [x] }, { params: [y], lr: 0.1 }])).toThrow(/parameter groups are not supported \(got 2\)/);
  });

  it("restores its counters from a state dict", () => {
    const start = [-1.5, 2];
    const first = pl.tensor(start, { dtype: "float64", requiresGrad: true });
    const optimizer = new pl.optim.LBFGS([first], { lineSearch: "strongWolfe", maxIter: 5 });
    const closureFor = (opt: pl.optim.LBFGS, p: Tensor) => (): Tensor => {
      opt.zeroGrad();
      const loss = rosenbrock(p);
      loss.backward();
      return loss;
    };
    optimizer.step(closureFor(optimizer, first));
    const second = pl.tensor(Array.from(first.dataSync()), { dtype: "float64", requiresGrad: true });
    const restored = new pl.optim.LBFGS([second], { lineSearch: "strongWolfe", maxIter: 5 });
    restored.loadStateDict(optimizer.stateDict());
    const before = rosenbrock(second).item();
    restored.step(closureFor(restored, second));
    expect(restored.counters.nIter).toBeGreaterThan(optimizer.counters.nIter);
    expect(rosenbrock(second).item()).toBeLessThan(before);
  });

  it("requires a closure", () => {
    expect(() => new pl.optim.LBFGS([x]).step()).toThrow(/LBFGS.step: a closure is required/);
  });
});
