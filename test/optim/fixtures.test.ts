import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";
import { type ProblemData, type ProblemStart, firstMismatch, fixtureLoss, flatValues, readFixture, startParams } from "./problem.js";

/**
 * Replays the trajectories that scripts/fixtures/optim.py recorded with PyTorch 1.13: the same
 * problem, options and schedule for 20 steps, compared after every step. Float64 runs must agree
 * to 1e-6 relative. Float32 runs get 1e-4 relative plus 1e-6 absolute, because both sides round
 * every op to float32 but in different orders.
 */

interface Tolerance {
  rtol: number;
  atol: number;
}

const FLOAT64: Tolerance = { rtol: 1e-6, atol: 1e-12 };
const FLOAT32: Tolerance = { rtol: 1e-4, atol: 1e-6 };

interface StepRecord {
  loss: number;
  params: number[][];
  groups: { lr: number; momentum?: number; betas?: number[] }[];
}

interface ScheduleSpec {
  scheduler?: string;
  args?: unknown[];
  schedulerOptions?: Record<string, unknown>;
}

interface Case extends ScheduleSpec {
  name?: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "Adagrad" | "RMSprop";
  options: Record<string, unknown>;
  groups?: { params: number[]; options: Record<string, unknown> }[];
  groupsAtStart: StepRecord["groups"];
  steps: StepRecord[];
  state: Record<string, number[] | number | null>[];
  metrics?: number[];
  children?: ScheduleSpec[];
  milestones?: number[];
}

interface Fixture {
  torch: string;
  dtype?: "float32";
  steps: number;
  data: ProblemData;
  start: ProblemStart;
  cases: Case[];
}

type AnyOptimizer = pl.optim.Optimizer<pl.optim.BaseOptions>;

function buildOptimizer(spec: Case, params: Tensor[]): AnyOptimizer {
  const Class = pl.optim[spec.optimizer] as unknown as new (params: unknown, options: unknown) => AnyOptimizer;
  if (spec.groups === undefined) return new Class(params, spec.options);
  const groups = spec.groups.map((group) => ({ params: group.params.map((i) => params[i]), ...group.options }));
  return new Class(groups, spec.options);
}

interface AnyScheduler {
  step(metric?: number): void;
  getLastLr(): number[];
}

/** The lr functions of the LambdaLR and MultiplicativeLR cases, as scripts/fixtures/optim.py defines them. */
const LAMBDAS: Record<string, pl.optim.LrLambda> = {
  warmupThenDecay: (t) => Math.min(1, (t + 1) / 4) * 0.9 ** t,
  everyThirdStep: (t) => (t % 3 === 0 ? 0.9 : 0.98),
};

function buildScheduler(spec: ScheduleSpec & Pick<Case, "children" | "milestones">, optimizer: AnyOptimizer): AnyScheduler {
  if (spec.scheduler === "SequentialLR") {
    const children = (spec.children ?? []).map((child) => buildScheduler(child, optimizer) as unknown as pl.optim.LRScheduler);
    return new pl.optim.SequentialLR(optimizer, children, spec.milestones ?? []);
  }
  const Class = pl.optim[spec.scheduler as "StepLR"] as unknown as new (...args: unknown[]) => AnyScheduler;
  const args = (spec.args ?? []).map((arg) => (typeof arg === "string" ? LAMBDAS[arg] : arg));
  return new Class(optimizer, ...args, spec.schedulerOptions);
}

let tolerance = FLOAT64;

function checkClose(label: string, actual: readonly number[], expected: readonly number[]): void {
  const mismatch = firstMismatch(actual, expected, tolerance.rtol, tolerance.atol);
  expect(mismatch, `${label}: ${mismatch}`).toBeNull();
}

function checkGroups(label: string, optimizer: AnyOptimizer, expected: StepRecord["groups"]): void {
  expected.forEach((group, i) => {
    const actual = optimizer.paramGroups[i];
    checkClose(`${label} group ${i} lr`, [actual.lr], [group.lr]);
    if (group.momentum !== undefined) checkClose(`${label} group ${i} momentum`, [actual.momentum as number], [group.momentum]);
    if (group.betas !== undefined) checkClose(`${label} group ${i} betas`, actual.betas as number[], group.betas);
  });
}

function replay(fixture: Fixture, spec: Case): void {
  tolerance = fixture.dtype === "float32" ? FLOAT32 : FLOAT64;
  const params = startParams(fixture.start, fixture.dtype ?? "float64");
  const optimizer = buildOptimizer(spec, params);
  const scheduler = spec.scheduler === undefined ? null : buildScheduler(spec, optimizer);
  checkGroups("start", optimizer, spec.groupsAtStart);

  spec.steps.forEach((expected, step) => {
    optimizer.zeroGrad();
    const loss = fixtureLoss(fixture.data, params);
    loss.backward();
    optimizer.step();
    scheduler?.step(spec.metrics?.[step]);

    const label = `step ${step + 1}`;
    checkClose(`${label} loss`, [loss.item()], [expected.loss]);
    params.forEach((param, i) => checkClose(`${label} param ${i}`, flatValues(param), expected.params[i]));
    checkGroups(label, optimizer, expected.groups);
    if (scheduler !== null) checkClose(`${label} getLastLr`, scheduler.getLastLr(), expected.groups.map((g) => g.lr));
  });

  spec.state.forEach((fields, i) => {
    const actual = optimizer.state.get(params[i]) ?? {};
    for (const [key, value] of Object.entries(fields)) {
      const own = actual[key];
      if (value === null) expect(own ?? null, `state ${i} ${key}`).toBeNull();
      else if (typeof value === "number") expect(own, `state ${i} ${key}`).toBe(value);
      else checkClose(`state ${i} ${key}`, flatValues(own as Tensor), value);
    }
  });
}

describe("optimizers follow PyTorch trajectories", () => {
  const fixture = readFixture<Fixture>("optimizers.json");
  it.each(fixture.cases.map((spec) => [spec.name, spec] as const))("%s", (_name, spec) => replay(fixture, spec));
});

describe("optimizers follow PyTorch trajectories in float32", () => {
  const fixture = readFixture<Fixture>("optimizers_float32.json");
  it.each(fixture.cases.map((spec) => [spec.name, spec] as const))("%s", (_name, spec) => replay(fixture, spec));
});

describe("schedules follow PyTorch trajectories", () => {
  const fixture = readFixture<Fixture>("schedules.json");
  const cases = fixture.cases.map((spec, i) => [`${i} ${spec.scheduler} with ${spec.optimizer} ${JSON.stringify(spec.schedulerOptions)}`, spec] as const);
  it.each(cases)("%s", (_name, spec) => replay(fixture, spec));
});
