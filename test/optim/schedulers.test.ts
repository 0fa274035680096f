import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const O = pl.optim;

function sgd(lr = 0.1, momentum = 0.9) {
  return new O.SGD([pl.zeros([2], { requiresGrad: true })], { lr, momentum });
}

/** Runs `steps` scheduler steps and returns the lr after construction and after each step. */
function lrs(scheduler: { step(): void; getLastLr(): number[] }, steps: number): number[] {
  const out = [scheduler.getLastLr()[0]];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    out.push(scheduler.getLastLr()[0]);
  }
  return out;
}

function expectClose(actual: number[], expected: number[]): void {
  actual.forEach((value, t) => expect(value, `step ${t}`).toBeCloseTo(expected[t], 12));
}

describe("schedules against closed forms", () => {
  it("StepLR decays every stepSize steps", () => {
    const actual = lrs(new O.StepLR(sgd(), 3, { gamma: 0.5 }), 12);
    expectClose(actual, actual.map((_, t) => 0.1 * 0.5 ** Math.floor(t / 3)));
  });

  it("CosineAnnealingLR follows the cosine over a period", () => {
    const actual = lrs(new O.CosineAnnealingLR(sgd(), 10, { etaMin: 0.001 }), 30);
    expectClose(actual, actual.map((_, t) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * t) / 10))) / 2));
  });

  it("LinearLR then holds its end factor", () => {
    const actual = lrs(new O.LinearLR(sgd(), { startFactor: 0.1, endFactor: 0.5, totalIters: 4 }), 8);
    expectClose(actual, actual.map((_, t) => 0.1 * (0.1 + (0.4 * Math.min(t, 4)) / 4)));
  });

  it("chained LinearLR and ExponentialLR multiply", () => {
    const optimizer = sgd();
    const warmup = new O.LinearLR(optimizer, { startFactor: 0.2, totalIters: 5 });
    const decay = new O.ExponentialLR(optimizer, 0.9);
    const actual = [optimizer.paramGroups[0].lr];
    for (let t = 1; t <= 10; t++) {
      warmup.step();
      decay.step();
      actual.push(optimizer.paramGroups[0].lr);
    }
    expectClose(actual, actual.map((_, t) => 0.1 * (0.2 + (0.8 * Math.min(t, 5)) / 5) * 0.9 ** t));
  });

  it("MultiStepLR decays twice at a repeated milestone", () => {
    const actual = lrs(new O.MultiStepLR(sgd(), [4, 2, 4], { gamma: 0.1 }), 5);
    expectClose(actual, [0.1, 0.1, 0.01, 0.01, 0.0001, 0.0001]);
  });

  it("records the initial lr on each group", () => {
    const optimizer = sgd(0.3);
    const scheduler = new O.ExponentialLR(optimizer, 0.5);
    scheduler.step();
    expect(optimizer.paramGroups[0].initialLr).toBe(0.3);
    expect(scheduler.baseLrs).toEqual([0.3]);
    expect(scheduler.lastEpoch).toBe(1);
  });
});

describe("OneCycleLR", () => {
  it("cycles Adam's beta1 against the lr", () => {
    const optimizer = new O.Adam([pl.zeros([1], { requiresGrad: true })], { betas: [0.9, 0.99] });
    const scheduler = new O.OneCycleLR(optimizer, 1, { totalSteps: 10, pctStart: 0.5 });
    expect(optimizer.paramGroups[0].betas).toEqual([0.95, 0.99]);
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(1 / 25, 15);
    for (let i = 0; i < 4; i++) scheduler.step();
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(1, 15);
    expect(optimizer.paramGroups[0].betas[0]).toBeCloseTo(0.85, 15);
    for (let i = 0; i < 5; i++) scheduler.step();
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(1 / 25 / 1e4, 15);
  });

  it("raises past totalSteps", () => {
    const scheduler = new O.OneCycleLR(sgd(), 0.1, { totalSteps: 3 });
    for (let i = 0; i < 3; i++) scheduler.step();
    expect(() => scheduler.step()).toThrow("OneCycleLR: step() was called 4 times, but the cycle has totalSteps=3");
  });

  it("rejects invalid settings", () => {
    expect(() => new O.OneCycleLR(sgd(), 0.1)).toThrow("OneCycleLR: the cycle length is missing; pass { totalSteps } or both { epochs, stepsPerEpoch }.");
    expect(() => new O.OneCycleLR(sgd(), [0.1, 0.2], { totalSteps: 5 })).toThrow("OneCycleLR: maxLr has 2 values, but the optimizer has 1 parameter groups");
    expect(() => new O.OneCycleLR(sgd(), 0.1, { totalSteps: 5, pctStart: 1.5 })).toThrow("OneCycleLR: invalid pctStart=1.5; expected a number in [0, 1].");
    expect(() => new O.OneCycleLR(sgd(), 0.1, { totalSteps: 5, annealStrategy: "exp" as never })).toThrow('invalid annealStrategy="exp"');
    const adagrad = new O.Adagrad([pl.zeros([1], { requiresGrad: true })]);
    expect(() => new O.OneCycleLR(adagrad, 0.1, { totalSteps: 5 })).toThrow("OneCycleLR: this optimizer has neither momentum nor betas");
  });
});

describe("ReduceLROnPlateau", () => {
  it("reduces after patience bad steps and respects minLr", () => {
    const optimizer = sgd(1);
    const scheduler = new O.ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5, minLr: 0.3 });
    const history = [];
    for (const metric of [1, 1, 1, 1, 1, 1, 1]) {
      scheduler.step(metric);
      history.push(scheduler.getLastLr()[0]);
    }
    expect(history).toEqual([1, 1, 0.5, 0.5, 0.3, 0.3, 0.3]);
  });

  it("rejects invalid settings and metrics", () => {
    expect(() => new O.ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow("ReduceLROnPlateau: invalid factor=1; expected a number in [0, 1).");
    expect(() => new O.ReduceLROnPlateau(sgd(), { mode: "up" as never })).toThrow('ReduceLROnPlateau: invalid mode="up"; expected "min" or "max".');
    expect(() => new O.ReduceLROnPlateau(sgd(), { patience: -1 })).toThrow("ReduceLROnPlateau: invalid patience=-1; expected an integer >= 0.");
    expect(() => new O.ReduceLROnPlateau(sgd(), { minLr: [0, 0] })).toThrow("minLr has 2 values, but the optimizer has 1 parameter groups");
    expect(() => new O.ReduceLROnPlateau(sgd(), { patient: 3 } as never)).toThrow('ReduceLROnPlateau: unknown option "patient"');
    expect(() => new O.ReduceLROnPlateau(sgd()).step(NaN)).toThrow("ReduceLROnPlateau.step: invalid metric=NaN");
  });

  it("resumes from its stateDict", () => {
    const first = new O.ReduceLROnPlateau(sgd(1), { patience: 2 });
    [3, 2, 2, 2].forEach((m) => first.step(m));
    expect(first.getLastLr()).toEqual([1]);
    const optimizer = sgd(1);
    const resumed = new O.ReduceLROnPlateau(optimizer, { patience: 2 });
    resumed.loadStateDict(first.stateDict());
    resumed.step(2);
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.1, 15);
  });
});

describe("scheduler arguments", () => {
  it("rejects invalid values with the valid range", () => {
    expect(() => new O.StepLR(sgd(), 0)).toThrow("StepLR: invalid stepSize=0; expected an integer >= 1.");
    expect(() => new O.StepLR(sgd(), 2, { gama: 0.5 } as never)).toThrow('StepLR: unknown option "gama"; valid options are gamma.');
    expect(() => new O.ExponentialLR(sgd(), NaN)).toThrow("ExponentialLR: invalid gamma=NaN; expected a number >= 0.");
    expect(() => new O.MultiStepLR(sgd(), 3 as never)).toThrow("MultiStepLR: milestones must be an array of step indices");
    expect(() => new O.MultiStepLR(sgd(), [2, 1.5])).toThrow("MultiStepLR: invalid milestones[1]=1.5; expected an integer >= 0.");
    expect(() => new O.CosineAnnealingLR(sgd(), 0)).toThrow("CosineAnnealingLR: invalid tMax=0");
    expect(() => new O.LinearLR(sgd(), { startFactor: 0 })).toThrow("LinearLR: invalid startFactor=0; expected a number in (0, 1]");
    expect(() => new O.LinearLR(sgd(), { endFactor: 1.5 })).toThrow("LinearLR: invalid endFactor=1.5; expected a number in [0, 1].");
    expect(() => new O.StepLR({} as never, 2)).toThrow("StepLR: expected an optimizer such as new optim.SGD(params)");
  });

  it("reject a bare value in place of the options object, showing the object form", () => {
    expect(() => new O.StepLR(sgd(), 3, 0.5 as never)).toThrow("StepLR: options must be an object such as { gamma: 0.5 }, got 0.5");
    expect(() => new O.MultiStepLR(sgd(), [2], 0.5 as never)).toThrow("MultiStepLR: options must be an object such as { gamma: 0.5 }");
    expect(() => new O.CosineAnnealingLR(sgd(), 5, 0.01 as never)).toThrow("CosineAnnealingLR: options must be an object such as { etaMin: 0.01 }");
    expect(() => new O.LinearLR(sgd(), 0.5 as never)).toThrow("LinearLR: options must be an object such as { startFactor: 0.5 }");
    expect(() => new O.OneCycleLR(sgd(), 1, 100 as never)).toThrow("OneCycleLR: options must be an object such as");
    expect(() => new O.ReduceLROnPlateau(sgd(), "max" as never)).toThrow('ReduceLROnPlateau: options must be an object such as { mode: ... }, got "max"');
  });

  it("resume from their stateDict", () => {
    const first = new O.CosineAnnealingLR(sgd(), 7);
    for (let i = 0; i < 3; i++) first.step();
    const resumed = new O.CosineAnnealingLR(sgd(), 7);
    resumed.loadStateDict(first.stateDict());
    resumed.optimizer.paramGroups[0].lr = first.getLastLr()[0];
    first.step();
    resumed.step();
    expect(resumed.getLastLr()).toEqual(first.getLastLr());
    expect(resumed.lastEpoch).toBe(4);
    expect(() => resumed.loadStateDict({ epoch: 3 })).toThrow('CosineAnnealingLR.loadStateDict: unknown key "epoch"');
  });
});

describe("LambdaLR and SequentialLR", () => {
  it("LambdaLR takes one function per group", () => {
    const optimizer = new O.SGD([{ params: [pl.zeros([1], { requiresGrad: true })] }, { params: [pl.zeros([1], { requiresGrad: true })], lr: 1 }], { lr: 0.1 });
    const scheduler = new O.LambdaLR(optimizer, [(t) => 1 / (t + 1), (t) => 2 ** -t]);
    scheduler.step();
    scheduler.step();
    expectClose(scheduler.getLastLr(), [0.1 / 3, 0.25]);
    expect(() => new O.LambdaLR(optimizer, [(t) => t])).toThrow("LambdaLR: lrLambda has 1 functions, but the optimizer has 2 parameter groups");
    expect(() => new O.MultiplicativeLR(sgd(), 0.5 as never)).toThrow("MultiplicativeLR: lrLambda[0] is number 0.5; expected a function of the step index.");
  });

  it("LambdaLR leaves functions out of its stateDict", () => {
    const scheduler = new O.LambdaLR(sgd(), (t) => 0.5 ** t);
    scheduler.step();
    const state = scheduler.stateDict();
    expect(state).not.toHaveProperty("lrLambdas");
    expect(state.lastEpoch).toBe(1);
  });

  it("SequentialLR warms up then decays", () => {
    const optimizer = sgd(1);
    const warmup = new O.LinearLR(optimizer, { startFactor: 0.25, totalIters: 3 });
    const decay = new O.ExponentialLR(optimizer, 0.5);
    const actual = lrs(new O.SequentialLR(optimizer, [warmup, decay], [3]), 6);
    expectClose(actual, [0.25, 0.5, 0.75, 1, 0.5, 0.25, 0.125]);
  });

  it("SequentialLR resumes from its stateDict", () => {
    const make = () => {
      const optimizer = sgd(1);
      return new O.SequentialLR(optimizer, [new O.LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 }), new O.CosineAnnealingLR(optimizer, 4)], [2]);
    };
    const first = make();
    for (let i = 0; i < 3; i++) first.step();
    const resumed = make();
    resumed.loadStateDict(first.stateDict());
    resumed.optimizer.paramGroups[0].lr = first.optimizer.paramGroups[0].lr;
    first.step();
    resumed.step();
    expect(resumed.getLastLr()).toEqual(first.getLastLr());
  });

  it("SequentialLR rejects mismatched arguments", () => {
    const optimizer = sgd();
    const a = new O.StepLR(optimizer, 2);
    const b = new O.ExponentialLR(optimizer, 0.9);
    expect(() => new O.SequentialLR(optimizer, [a, b], [])).toThrow("SequentialLR: expected 1 milestones for 2 schedules (one fewer), got [].");
    expect(() => new O.SequentialLR(optimizer, [a, new O.StepLR(sgd(), 2)], [3])).toThrow("SequentialLR: schedulers[1] is not a schedule of this optimizer");
    expect(() => new O.SequentialLR(optimizer, [a, b], [0])).toThrow("SequentialLR: invalid milestones[0]=0; expected an integer >= 1.");
    expect(() => new O.SequentialLR(optimizer, [], [])).toThrow("SequentialLR: schedulers must be a non-empty array");
  });
});
