// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// Optimizer updates over flat arrays in linear memory. Arithmetic runs in f64 and each stored
// value is rounded to the array's type, as a JavaScript loop over typed arrays does, so results
// equal the TypeScript path bit for bit.

/**
 * One Adam or AdamW step in place over n elements of T (f32 or f64) at byte addresses p (the
 * parameter), g (its gradient), m and v (the moments) and vmax (the largest v so far, or 0
 * without amsgrad). `decay` is the weight decay, added to the gradient when `decoupled` is 0 (L2)
 * or to Adam's direction when it is 1 (AdamW). `sign` is −1 to maximize.
 */
@inline
function adamStep<T>(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, sign: f64, decay: f64, decoupled: i32,
  minusLr: f64, biasCorrection1: f64, sqrtBiasCorrection2: f64,
): void {
  const decay1 = 1 - beta1;
  const decay2 = 1 - beta2;
  const l2 = decoupled == 0 && decay != 0;
  const decoupledDecay = decoupled != 0 && decay != 0;
  for (let i = 0; i < n; i++) {
    const offset = <usize>i * sizeof<T>();
    const theta = <f64>load<T>(p + offset);
    let gradient = sign * <f64>load<T>(g + offset);
    if (l2) gradient = <f64><T>(gradient + <f64><T>(theta * decay));
    const mNext = <T>(<f64>load<T>(m + offset) * beta1 + gradient * decay1);
    const vNext = <T>(<f64>load<T>(v + offset) * beta2 + gradient * gradient * decay2);
    store<T>(m + offset, mNext);
    store<T>(v + offset, vNext);
    let second = vNext;
    if (vmax != 0) {
      const previous = load<T>(vmax + offset);
      if (previous > second) second = previous;
      store<T>(vmax + offset, second);
    }
    let direction = <f64><T>(<f64>mNext / biasCorrection1 / (Math.sqrt(<f64>second) / sqrtBiasCorrection2 + eps));
    if (decoupledDecay) direction = <f64><T>(direction + <f64><T>(theta * decay));
    store<T>(p + offset, <T>(theta + <f64><T>(direction * minusLr)));
  }
}

/** Rounds both lanes to f32 and back, as storing them in a Float32Array and reading them would. */
@inline
function round32(x: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
}

/** Loads two f32 values at `address` into f64x2 lanes. */
@inline
function load2(address: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(address));
}

/** Stores both f64x2 lanes at `address` as two f32 values. */
@inline
function store2(address: usize, x: v128): void {
  v128.store64_lane(address, f32x4.demote_f64x2_zero(x), 0);
}

/**
 * adamStep over float32 arrays, two elements per iteration in f64x2 lanes with the same
 * roundings as the scalar loop, which takes an odd last element.
 */
export function adam32(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, sign: f64, decay: f64, decoupled: i32,
  minusLr: f64, biasCorrection1: f64, sqrtBiasCorrection2: f64,
): void {
  const l2 = decoupled == 0 && decay != 0;
  const decoupledDecay = decoupled != 0 && decay != 0;
  const b1 = f64x2.splat(beta1);
  const b2 = f64x2.splat(beta2);
  const d1 = f64x2.splat(1 - beta1);
  const d2 = f64x2.splat(1 - beta2);
  const epsilon = f64x2.splat(eps);
  const signs = f64x2.splat(sign);
  const decays = f64x2.splat(decay);
  const step = f64x2.splat(minusLr);
  const correction1 = f64x2.splat(biasCorrection1);
  const correction2 = f64x2.splat(sqrtBiasCorrection2);
  const pairs = n & ~1;
  for (let i = 0; i < pairs; i += 2) {
    const offset = <usize>i << 2;
    const theta = load2(p + offset);
    let gradient = f64x2.mul(signs, load2(g + offset));
    if (l2) gradient = round32(f64x2.add(gradient, round32(f64x2.mul(theta, decays))));
    const mNext = round32(f64x2.add(f64x2.mul(load2(m + offset), b1), f64x2.mul(gradient, d1)));
    const vNext = round32(f64x2.add(f64x2.mul(load2(v + offset), b2), f64x2.mul(f64x2.mul(gradient, gradient), d2)));
    store2(m + offset, mNext);
    store2(v + offset, vNext);
    let second = vNext;
    if (vmax != 0) {
      second = f64x2.pmax(vNext, load2(vmax + offset));
      store2(vmax + offset, second);
    }
    let direction = round32(f64x2.div(f64x2.div(mNext, correction1), f64x2.add(f64x2.div(f64x2.sqrt(second), correction2), epsilon)));
    if (decoupledDecay) direction = round32(f64x2.add(direction, round32(f64x2.mul(theta, decays))));
    store2(p + offset, f64x2.add(theta, round32(f64x2.mul(direction, step))));
  }
  const tail = <usize>pairs << 2;
  adamStep<f32>(
    p + tail, g + tail, m + tail, v + tail, vmax != 0 ? vmax + tail : 0, n - pairs,
    beta1, beta2, eps, sign, decay, decoupled, minusLr, biasCorrection1, sqrtBiasCorrection2,
  );
}

/** adamStep over float64 arrays. */
export function adam64(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, sign: f64, decay: f64, decoupled: i32,
  minusLr: f64, biasCorrection1: f64, sqrtBiasCorrection2: f64,
): void {
  adamStep<f64>(p, g, m, v, vmax, n, beta1, beta2, eps, sign, decay, decoupled, minusLr, biasCorrection1, sqrtBiasCorrection2);
}
