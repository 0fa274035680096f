import { dot } from "./flat.js";

/**
 * Line searches along a direction d from θ, over φ(t) = f(θ + t·d). `evaluate(t)` returns f and
 * its flat gradient at θ + t·d.
 */
export type DirectionalEvaluate = (t: number) => { loss: number; grad: Float64Array };

/**
 * Returns the minimizer of the cubic that interpolates (x1, f1, g1) and (x2, f2, g2), clamped to
 * `bounds` (by default the interval between x1 and x2). When the cubic has no minimizer it
 * returns the midpoint of the bounds.
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [low, high] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minimum = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minimum, low), high);
  }
  return (low + high) / 2;
}

export interface WolfeResult {
  loss: number;
  grad: Float64Array;
  t: number;
  evaluations: number;
}

interface Point {
  t: number;
  loss: number;
  grad: Float64Array;
  slope: number;
}

/**
 * Searches for a step t that satisfies the strong Wolfe conditions
 *   f(θ + t·d) ≤ f(θ) + c1·t·∇f(θ)ᵀd   and   |∇f(θ + t·d)ᵀd| ≤ c2·|∇f(θ)ᵀd|,
 * by bracketing with cubic extrapolation and then zooming with cubic interpolation (Nocedal and
 * Wright, Numerical Optimization, algorithms 3.5 and 3.6), in the variant of PyTorch's LBFGS
 * (version 1.13): at most maxLs evaluations, and a safeguard that keeps trial steps at least
 * 10% of the bracket away from its ends. Returns the best point found.
 */
export function strongWolfe(
  evaluate: DirectionalEvaluate,
  t: number,
  d: Float64Array,
  loss: number,
  grad: Float64Array,
  slope: number,
  { c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25 } = {},
): WolfeResult {
  const dNorm = d.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  let trial = evaluate(t);
  let evaluations = 1;
  let trialSlope = dot(trial.grad, d);
  let previous: Point = { t: 0, loss, grad, slope };
  let bracket: Point[] = [];
  let done = false;
  let iteration = 0;

  // Bracketing: grow t until an interval is known to contain a point satisfying the conditions.
  while (iteration < maxLs) {
    const current: Point = { t, loss: trial.loss, grad: trial.grad, slope: trialSlope };
    if (trial.loss > loss + c1 * t * slope || (iteration > 1 && trial.loss >= previous.loss)) {
      bracket = [previous, current];
      break;
    }
    if (Math.abs(trialSlope) <= -c2 * slope) {
      bracket = [current];
      done = true;
      break;
    }
    if (trialSlope >= 0) {
      bracket = [previous, current];
      break;
    }
    const minStep = t + 0.01 * (t - previous.t);
    const maxStep = t * 10;
    const next = cubicInterpolate(previous.t, previous.loss, previous.slope, t, trial.loss, trialSlope, [minStep, maxStep]);
    previous = current;
    t = next;
    trial = evaluate(t);
    evaluations++;
    trialSlope = dot(trial.grad, d);
    iteration++;
  }
  if (iteration === maxLs) bracket = [{ t: 0, loss, grad, slope }, { t, loss: trial.loss, grad: trial.grad, slope: trialSlope }];

  // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
  let insufficientProgress = false;
  let [low, high] = bracket.length > 1 && bracket[0].loss > bracket[1].loss ? [1, 0] : [0, 1];
  while (!done && iteration < maxLs) {
    if (Math.abs(bracket[1].t - bracket[0].t) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0].t, bracket[0].loss, bracket[0].slope, bracket[1].t, bracket[1].loss, bracket[1].slope);
    const top = Math.max(bracket[0].t, bracket[1].t);
    const bottom = Math.min(bracket[0].t, bracket[1].t);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    trial = evaluate(t);
    evaluations++;
    trialSlope = dot(trial.grad, d);
    iteration++;
    const point: Point = { t, loss: trial.loss, grad: trial.grad, slope: trialSlope };
    if (trial.loss > loss + c1 * t * slope || trial.loss >= bracket[low].loss) {
      bracket[high] = point;
      [low, high] = bracket[0].loss <= bracket[1].loss ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(trialSlope) <= -c2 * slope) done = true;
      else if (trialSlope * (bracket[high].t - bracket[low].t) >= 0) bracket[high] = bracket[low];
      bracket[low] = point;
    }
  }
  const best = bracket[low];
  return { loss: best.loss, grad: best.grad, t: best.t, evaluations };
}

/**
 * Backtracking (Armijo) line search: the first t in t0, ρ·t0, ρ²·t0, … with
 * f(θ + t·d) ≤ f(θ) + c·t·∇f(θ)ᵀd, or the last one tried after maxSteps.
 */
export function backtracking(
  evaluateLoss: (t: number) => number,
  loss: number,
  slope: number,
  { t0 = 1, rho = 0.5, c = 1e-4, maxSteps = 30 } = {},
): { t: number; loss: number; accepted: boolean; evaluations: number } {
  let t = t0;
  for (let k = 1; k <= maxSteps; k++) {
    const trial = evaluateLoss(t);
    if (trial <= loss + c * t * slope) return { t, loss: trial, accepted: true, evaluations: k };
    if (k === maxSteps) return { t, loss: trial, accepted: false, evaluations: k };
    t *= rho;
  }
  return { t, loss, accepted: false, evaluations: 0 };
}
