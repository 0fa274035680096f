import { InvalidArgumentError } from "./errors.js";

/**
 * A seeded stream of random numbers: xoshiro128** seeded through splitmix32. It uses only 32-bit
 * integer arithmetic, so the same seed gives the same numbers on every platform and process.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private seedValue = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the stream to the start of `seed`'s sequence and returns this generator. */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InvalidArgumentError(
        `manualSeed: seed=${seed} is invalid; expected a non-negative safe integer such as 0 or 42.`,
      );
    }
    this.seedValue = seed;
    // splitmix32 over the low and high 32 bits spreads any seed across the four state words.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seedValue;
  }

  /** The full state, for `setState`, so a stream can be saved and resumed. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.seedValue, this.spareNormal ?? NaN];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 6) {
      throw new InvalidArgumentError("Generator.setState: expected the 6-number array returned by getState().");
    }
    [this.s0, this.s1, this.s2, this.s3, this.seedValue] = state.map((v) => v >>> 0);
    this.seedValue = state[4];
    this.spareNormal = Number.isNaN(state[5]) ? null : state[5];
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [low, high) without modulo bias. */
  integer(low: number, high: number): number {
    const range = high - low;
    if (range <= 2 ** 32) {
      const limit = 2 ** 32 - (2 ** 32 % range);
      let draw = this.nextUint32();
      while (draw >= limit) draw = this.nextUint32();
      return low + (draw % range);
    }
    return low + Math.floor(this.uniform() * range);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator that random functions use when no `generator` option is given. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, so one seed reproduces a run. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The initial seed of the default generator. */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}
