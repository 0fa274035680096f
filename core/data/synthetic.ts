import { type Generator, InvalidArgumentError, Tensor } from "../tensor/index.js";
import { TensorDataset } from "./dataset.js";
import { checkInteger, checkKeys, checkRange, generatorOr } from "./util.js";

/** Seeded toy classification sets in the plane: features [N, 2] and int32 labels [N]. */

export interface SpiralsOptions {
  /** Total points, shared as evenly as possible among the arms (earlier arms get the extra ones); 300 by default. */
  samples?: number;
  /** Number of arms, one class each; 3 by default. */
  arms?: number;
  /** Full turns each arm makes from the centre to radius 1; 1 by default. */
  turns?: number;
  /** Standard deviation of Gaussian noise added to each coordinate; 0 by default. */
  noise?: number;
  dtype?: "float32" | "float64";
  generator?: Generator;
}

/**
 * Interleaved spirals: point i of arm j (of n_j points) has radius r = (i + 1) / n_j and angle
 * 2π·turns·r + 2π·j / arms, at (r·cos angle, r·sin angle) plus noise. Points come arm by arm.
 * Example: `spirals({ samples: 300, arms: 3, noise: 0.02, generator: new Generator(0) })`.
 */
export function spirals(options?: SpiralsOptions): TensorDataset {
  const opts = checkKeys("spirals", options, ["samples", "arms", "turns", "noise", "dtype", "generator"]);
  const samples = checkInteger("spirals", "samples", opts.samples ?? 300, 1);
  const arms = checkInteger("spirals", "arms", opts.arms ?? 3, 1);
  const turns = checkRange("spirals", "turns", opts.turns ?? 1, 0, 1000);
  const noise = checkRange("spirals", "noise", opts.noise ?? 0, 0, Infinity);
  const generator = generatorOr(opts.generator);

  const points: number[] = [];
  const labels: number[] = [];
  for (let arm = 0; arm < arms; arm++) {
    const count = Math.floor(samples / arms) + (arm < samples % arms ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const radius = (i + 1) / count;
      const angle = 2 * Math.PI * turns * radius + (2 * Math.PI * arm) / arms;
      points.push(radius * Math.cos(angle) + noise * generator.normal(), radius * Math.sin(angle) + noise * generator.normal());
      labels.push(arm);
    }
  }
  return pointsDataset("spirals", points, labels, opts.dtype);
}

export interface MoonsOptions {
  /** Total points: floor(samples / 2) on the upper moon (label 0), the rest on the lower (label 1); 200 by default. */
  samples?: number;
  /** Standard deviation of Gaussian noise added to each coordinate; 0 by default. */
  noise?: number;
  dtype?: "float32" | "float64";
  generator?: Generator;
}

/**
 * Two interleaving half circles, as scikit-learn's make_moons without shuffling: the upper moon is
 * (cos t, sin t) and the lower (1 − cos t, 0.5 − sin t) for t evenly spaced in [0, π], plus noise.
 */
export function moons(options?: MoonsOptions): TensorDataset {
  const opts = checkKeys("moons", options, ["samples", "noise", "dtype", "generator"]);
  const samples = checkInteger("moons", "samples", opts.samples ?? 200, 2);
  const noise = checkRange("moons", "noise", opts.noise ?? 0, 0, Infinity);
  const generator = generatorOr(opts.generator);

  const upper = Math.floor(samples / 2);
  const lower = samples - upper;
  const angle = (i: number, count: number): number => (count > 1 ? (Math.PI * i) / (count - 1) : 0);
  const points: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < upper; i++) {
    points.push(Math.cos(angle(i, upper)), Math.sin(angle(i, upper)));
    labels.push(0);
  }
  for (let i = 0; i < lower; i++) {
    points.push(1 - Math.cos(angle(i, lower)), 0.5 - Math.sin(angle(i, lower)));
    labels.push(1);
  }
  if (noise > 0) for (let i = 0; i < points.length; i++) points[i] += noise * generator.normal();
  return pointsDataset("moons", points, labels, opts.dtype);
}

function pointsDataset(owner: string, points: number[], labels: number[], dtype: "float32" | "float64" | undefined): TensorDataset {
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") {
    throw new InvalidArgumentError(`${owner}: dtype "${String(dtype)}" is invalid; expected "float32" or "float64".`);
  }
  const data = dtype === "float64" ? Float64Array.from(points) : Float32Array.from(points);
  return new TensorDataset(Tensor.fromTypedArray(data, [labels.length, 2]), Tensor.fromTypedArray(Int32Array.from(labels), [labels.length]));
}
