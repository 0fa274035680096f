import { type Generator, InvalidArgumentError, Tensor } from "../tensor/index.js";
import { checkInteger, checkKeys, generatorOr } from "./util.js";

/**
 * Sinusoid regression tasks for meta-learning, as in MAML (Finn et al., 2017): each task is
 * y = amplitude · sin(x − phase), with amplitude, phase and inputs drawn uniformly from ranges
 * ([0.1, 5], [0, π] and [−5, 5] by default).
 */

type Range = readonly [number, number];

/** One task: a fixed amplitude and phase. */
export class SinusoidTask {
  constructor(
    readonly amplitude: number,
    readonly phase: number,
    readonly inputRange: Range,
    private readonly generator: Generator,
  ) {}

  /** Computes the task's target at `x`. */
  evaluate(x: number): number {
    return this.amplitude * Math.sin(x - this.phase);
  }

  /** `k` points with x drawn uniformly from the input range: x and y of shape [k, 1]. */
  sample(k: number, options: { dtype?: "float32" | "float64" } = {}): { x: Tensor; y: Tensor } {
    checkInteger("SinusoidTask.sample", "k", k, 1);
    const [low, high] = this.inputRange;
    const xs = Array.from({ length: k }, () => low + (high - low) * this.generator.uniform());
    return this.points(xs, options.dtype);
  }

  /** `k` evenly spaced points covering the input range, ends included, for plots and evaluation. */
  grid(k: number, options: { dtype?: "float32" | "float64" } = {}): { x: Tensor; y: Tensor } {
    checkInteger("SinusoidTask.grid", "k", k, 2);
    const [low, high] = this.inputRange;
    return this.points(Array.from({ length: k }, (_, i) => low + ((high - low) * i) / (k - 1)), options.dtype);
  }

  private points(xs: number[], dtype: "float32" | "float64" = "float32"): { x: Tensor; y: Tensor } {
    const ys = xs.map((x) => this.evaluate(x));
    const toArray = (values: number[]) => (dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values));
    return {
      x: Tensor.fromTypedArray(toArray(xs), [xs.length, 1]),
      y: Tensor.fromTypedArray(toArray(ys), [ys.length, 1]),
    };
  }
}

export interface SinusoidOptions {
  amplitudeRange?: Range;
  phaseRange?: Range;
  inputRange?: Range;
  /** Draws the tasks and their points; the default generator (seeded by manualSeed) when omitted. */
  generator?: Generator;
}

/** A distribution over sinusoid tasks. */
export interface SinusoidTasks {
  /** Draws one task: its amplitude, then its phase. */
  sampleTask(): SinusoidTask;
  /** Draws `n` tasks. */
  sampleTasks(n: number): SinusoidTask[];
}

/**
 * Creates the sinusoid task distribution. One generator draws the tasks and their points, so one seed
 * reproduces a whole meta-training run.
 * Example: `const task = sinusoidTasks({ generator: new Generator(0) }).sampleTask(); const { x, y } = task.sample(10);`
 */
export function sinusoidTasks(options?: SinusoidOptions): SinusoidTasks {
  const opts = checkKeys("sinusoidTasks", options, ["amplitudeRange", "phaseRange", "inputRange", "generator"]);
  const amplitudeRange = checkRangePair("amplitudeRange", opts.amplitudeRange ?? [0.1, 5]);
  const phaseRange = checkRangePair("phaseRange", opts.phaseRange ?? [0, Math.PI]);
  const inputRange = checkRangePair("inputRange", opts.inputRange ?? [-5, 5]);
  const generator = generatorOr(opts.generator);
  const draw = ([low, high]: Range): number => low + (high - low) * generator.uniform();

  const sampleTask = (): SinusoidTask => {
    const amplitude = draw(amplitudeRange);
    const phase = draw(phaseRange);
    return new SinusoidTask(amplitude, phase, inputRange, generator);
  };
  return {
    sampleTask,
    sampleTasks: (n) => Array.from({ length: checkInteger("sinusoidTasks.sampleTasks", "n", n, 0) }, sampleTask),
  };
}

function checkRangePair(name: string, range: Range): Range {
  const valid = Array.isArray(range) && range.length === 2 && range.every(Number.isFinite) && range[0] <= range[1];
  if (!valid) {
    throw new InvalidArgumentError(`sinusoidTasks: ${name}=${JSON.stringify(range)} is invalid; expected [low, high] with finite low <= high.`);
  }
  return [range[0], range[1]];
}
