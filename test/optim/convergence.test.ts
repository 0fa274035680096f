import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { DType, Tensor } from "../../core/index.js";

/**
 * Every optimizer, on a convex quadratic and on the Rosenbrock function, in float32 and float64,
 * from a fixed start: the result must come within a tolerance of the known minimum.
 */

type OptimizerFactory = (params: Tensor[], problem: string) => pl.optim.Optimizer<pl.optim.BaseOptions>;

interface Problem {
  name: string;
  start: number[];
  minimum: number[];
  loss: (x: Tensor) => Tensor;
}

// f(x) = ½·Σ cᵢ·(xᵢ − mᵢ)² with condition number 10.
const quadratic: Problem = {
  name: "quadratic",
  start: [3, -2, 1],
  minimum: [1, 0.5, -1],
  loss: (x) => {
    const c = pl.tensor([1, 4, 10], { dtype: x.dtype });
    const m = pl.tensor([1, 0.5, -1], { dtype: x.dtype });
    const d = x.sub(m);
    return c.mul(d).mul(d).sum().mul(0.5);
  },
};

// f(x, y) = (1 − x)² + 100·(y − x²)², minimum at (1, 1) in a curved valley.
const rosenbrock: Problem = {
  name: "rosenbrock",
  start: [-0.5, 0.5],
  minimum: [1, 1],
  loss: (v) => {
    const x = v.select(0, 0);
    const y = v.select(0, 1);
    const a = pl.sub(1, x);
    const b = y.sub(x.mul(x));
    return a.mul(a).add(b.mul(b).mul(100));
  },
};

interface Row {
  name: string;
  make: OptimizerFactory;
  /** The maximum number of steps allowed to reach the tolerance on each problem. */
  maxSteps: { quadratic: number; rosenbrock: number };
}

const O = pl.optim;
const ROWS: Row[] = [
  { name: "SGD", make: (p, problem) => new O.SGD(p, { lr: problem === "quadratic" ? 0.1 : 1.9e-3 }), maxSteps: { quadratic: 400, rosenbrock: 8000 } },
  { name: "SGD momentum", make: (p) => new O.SGD(p, { lr: 1e-3, momentum: 0.9 }), maxSteps: { quadratic: 600, rosenbrock: 2000 } },
  { name: "SGD momentum dampening", make: (p) => new O.SGD(p, { lr: 1e-3, momentum: 0.9, dampening: 0.5 }), maxSteps: { quadratic: 1000, rosenbrock: 4000 } },
  { name: "SGD nesterov", make: (p) => new O.SGD(p, { lr: 1e-3, momentum: 0.9, nesterov: true }), maxSteps: { quadratic: 600, rosenbrock: 1000 } },
  { name: "Adam", make: (p) => new O.Adam(p, { lr: 0.05 }), maxSteps: { quadratic: 600, rosenbrock: 2000 } },
  { name: "Adam amsgrad", make: (p) => new O.Adam(p, { lr: 0.05, amsgrad: true }), maxSteps: { quadratic: 600, rosenbrock: 2000 } },
  { name: "AdamW", make: (p) => new O.AdamW(p, { lr: 0.05, weightDecay: 1e-4 }), maxSteps: { quadratic: 600, rosenbrock: 2000 } },
  { name: "Adagrad", make: (p) => new O.Adagrad(p, { lr: 0.5 }), maxSteps: { quadratic: 600, rosenbrock: 8000 } },
  { name: "RMSprop", make: (p) => new O.RMSprop(p, { lr: 3e-3 }), maxSteps: { quadratic: 1500, rosenbrock: 6000 } },
  { name: "RMSprop centered momentum", make: (p) => new O.RMSprop(p, { lr: 1e-3, momentum: 0.9, centered: true }), maxSteps: { quadratic: 1500, rosenbrock: 2000 } },
];

/** Distance from the minimum within which a run counts as converged. */
const TOLERANCE = 0.02;
/** Steps taken after first reaching the tolerance, which the run must end within it too. */
const SETTLE_STEPS = 100;

/**
 * Steps until the iterate first comes within TOLERANCE of the minimum (or maxSteps), then
 * SETTLE_STEPS more, so a run that only passes through the ball fails.
 */
function minimize(problem: Problem, row: Row, dtype: DType): { reachedAt: number; end: number[] } {
  const x = pl.tensor(problem.start, { dtype, requiresGrad: true });
  const optimizer = row.make([x], problem.name);
  const step = () => {
    optimizer.zeroGrad();
    problem.loss(x).backward();
    optimizer.step();
  };
  let reachedAt = -1;
  const maxSteps = row.maxSteps[problem.name as "quadratic" | "rosenbrock"];
  for (let i = 1; i <= maxSteps && reachedAt < 0; i++) {
    step();
    if (distance(Array.from(x.dataSync()), problem.minimum) < TOLERANCE) reachedAt = i;
  }
  for (let i = 0; i < SETTLE_STEPS; i++) step();
  return { reachedAt, end: Array.from(x.dataSync()) };
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(...a.map((v, i) => v - b[i]));
}

describe.each([quadratic, rosenbrock])("convergence on $name", (problem) => {
  const cases = ROWS.flatMap((row) => (["float32", "float64"] as const).map((dtype) => [row.name, dtype, row] as const));
  it.each(cases)("%s in %s", (_name, dtype, row) => {
    const { reachedAt, end } = minimize(problem, row, dtype);
    const context = `${row.name} in ${dtype} from ${JSON.stringify(problem.start)} ended at ${JSON.stringify(end)}`;
    expect(reachedAt, `${context}: never within ${TOLERANCE} of the minimum`).toBeGreaterThan(0);
    expect(distance(end, problem.minimum), `${context}: left the minimum after step ${reachedAt}`).toBeLessThan(TOLERANCE);
  });
});
