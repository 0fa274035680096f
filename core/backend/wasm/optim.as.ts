// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// Optimizer updates over flat arrays in linear memory. The scalar loop computes in f64 and rounds
// each stored value to the array's type, as a JavaScript loop over typed arrays does. The float32
// kernel computes in f32x4 lanes instead.

/**
 * Takes one Adam or AdamW step in place over n elements of T (f32 or f64) at byte addresses p (the
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

/**
 * adamStep over float32 arrays, four elements per iteration in f32x4 lanes, as PyTorch computes
 * in float32; the scalar loop takes the last n mod 4. Results differ from the f64 arithmetic of
 * adamStep by float32 rounding (relative 1e-7 per operation).
 */
export function adam32(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, sign: f64, decay: f64, decoupled: i32,
  minusLr: f64, biasCorrection1: f64, sqrtBiasCorrection2: f64,
): void {
  const l2 = decoupled == 0 && decay != 0;
  const decoupledDecay = decoupled != 0 && decay != 0;
  const b1 = f32x4.splat(<f32>beta1);
  const b2 = f32x4.splat(<f32>beta2);
  const d1 = f32x4.splat(<f32>(1 - beta1));
  const d2 = f32x4.splat(<f32>(1 - beta2));
  const epsilon = f32x4.splat(<f32>eps);
  const signs = f32x4.splat(<f32>sign);
  const decays = f32x4.splat(<f32>decay);
  const step = f32x4.splat(<f32>minusLr);
  const correction1 = f32x4.splat(<f32>biasCorrection1);
  const correction2 = f32x4.splat(<f32>sqrtBiasCorrection2);
  const whole = n & ~3;
  for (let i = 0; i < whole; i += 4) {
    const offset = <usize>i << 2;
    const theta = v128.load(p + offset);
    let gradient = f32x4.mul(signs, v128.load(g + offset));
    if (l2) gradient = f32x4.add(gradient, f32x4.mul(theta, decays));
    const mNext = f32x4.add(f32x4.mul(v128.load(m + offset), b1), f32x4.mul(gradient, d1));
    const vNext = f32x4.add(f32x4.mul(v128.load(v + offset), b2), f32x4.mul(f32x4.mul(gradient, gradient), d2));
    v128.store(m + offset, mNext);
    v128.store(v + offset, vNext);
    let second = vNext;
    if (vmax != 0) {
      second = f32x4.pmax(vNext, v128.load(vmax + offset));
      v128.store(vmax + offset, second);
    }
    let direction = f32x4.div(f32x4.div(mNext, correction1), f32x4.add(f32x4.div(f32x4.sqrt(second), correction2), epsilon));
    if (decoupledDecay) direction = f32x4.add(direction, f32x4.mul(theta, decays));
    v128.store(p + offset, f32x4.add(theta, f32x4.mul(direction, step)));
  }
  const tail = <usize>whole << 2;
  adamStep<f32>(
    p + tail, g + tail, m + tail, v + tail, vmax != 0 ? vmax + tail : 0, n - whole,
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
