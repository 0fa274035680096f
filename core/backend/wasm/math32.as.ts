// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// float32 exp, sigmoid and tanh on f32x4 lanes, shared by the elementwise and LSTM kernels. The
// module entry does not re-export this file: its functions take v128 values, which JavaScript
// cannot pass.

/** ln 2 split so that n·LN2_HIGH is exact for |n| < 2^9: 0.693359375 has 9 significant bits. */
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
const LOG2_E: f32 = 1.44269504;
/** 1.5·2^23 and its bit pattern: for |y| < 2^22, y + 1.5·2^23 rounds y to the nearest integer. */
const ROUNDING_SHIFT: f32 = 12582912;
const ROUNDING_SHIFT_BITS: i32 = 0x4b400000;
/** exp(89) overflows float32 and exp(-104) rounds to 0, so inputs are clamped to that range. */
const EXP_MAX_INPUT: f32 = 89;
const EXP_MIN_INPUT: f32 = -104;
/** Below this |x|, tanh uses its odd Taylor series. Above it, the exp form has no cancellation. */
const TANH_SERIES_LIMIT: f32 = 0.55;

/**
 * e^x per lane. Writes x = n·ln 2 + r with |r| ≤ ln(2)/2, takes e^r from its Taylor series to
 * degree 7 (truncation error below 1e-8 relative), and multiplies by 2^n in two factors, so that
 * 2^n outside the normal exponent range neither overflows early nor rounds twice. NaN stays NaN
 * because f32x4.min and f32x4.max propagate it.
 */
@inline
export function exp32(x: v128): v128 {
  // pmin(x, c) is c < x ? c : x and pmax(x, c) is x < c ? c : x, so a NaN in x passes through.
  const clamped = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_MAX_INPUT)), f32x4.splat(EXP_MIN_INPUT));
  // Adding 1.5·2^23 rounds x·log2(e) to an integer n, which then sits in the low mantissa bits.
  const shifted = f32x4.add(f32x4.mul(clamped, f32x4.splat(LOG2_E)), f32x4.splat(ROUNDING_SHIFT));
  const n = f32x4.sub(shifted, f32x4.splat(ROUNDING_SHIFT));
  let r = f32x4.sub(clamped, f32x4.mul(n, f32x4.splat(LN2_HIGH)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LOW)));

  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));

  // n lies in [-150, 128]; its halves lie in [-75, 64], whose powers of two are normal floats.
  const whole = i32x4.sub(shifted, i32x4.splat(ROUNDING_SHIFT_BITS));
  const half = i32x4.shr_s(whole, 1);
  const rest = i32x4.sub(whole, half);
  const bias = i32x4.splat(127);
  const first = i32x4.shl(i32x4.add(half, bias), 23);
  const second = i32x4.shl(i32x4.add(rest, bias), 23);
  return f32x4.mul(f32x4.mul(p, first), second);
}

/**
 * 1 / (1 + e^-x) per lane, as e / (1 + e) with e = e^-|x| for negative x, so that neither form
 * overflows and tiny results keep their value instead of flushing to 0.
 */
@inline
export function sigmoid32(x: v128): v128 {
  const e = exp32(f32x4.neg(f32x4.abs(x)));
  const numerator = v128.bitselect(f32x4.splat(1), e, f32x4.ge(x, f32x4.splat(0)));
  return f32x4.div(numerator, f32x4.add(f32x4.splat(1), e));
}

/**
 * tanh per lane, computed on |x| and given the sign of x, so -0 stays -0. Small |x| uses the odd
 * Taylor series to x^19, because 1 − 2 / (e^2|x| + 1) cancels there. Larger |x| uses that form,
 * which reaches exactly 1 once e^2|x| overflows.
 */
@inline
export function tanh32(x: v128): v128 {
  const magnitude = f32x4.abs(x);
  const square = f32x4.mul(x, x);
  let series = f32x4.splat(<f32>(-443861162.0 / 1856156927625.0));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(6404582.0 / 10854718875.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(-929569.0 / 638512875.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(21844.0 / 6081075.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(-1382.0 / 155925.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(62.0 / 2835.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(-17.0 / 315.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(2.0 / 15.0)));
  series = f32x4.add(f32x4.mul(series, square), f32x4.splat(<f32>(-1.0 / 3.0)));
  series = f32x4.add(f32x4.mul(f32x4.mul(series, square), magnitude), magnitude);

  const e = exp32(f32x4.add(magnitude, magnitude));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const result = v128.bitselect(series, large, f32x4.lt(magnitude, f32x4.splat(TANH_SERIES_LIMIT)));
  return v128.or(result, v128.and(x, i32x4.splat(<i32>0x80000000)));
}
