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

  it("requires a closure", () => {
    expect(() => new pl.optim.LBFGS([x]).step()).toThrow(/LBFGS.step: a closure is required/);
  });
});
