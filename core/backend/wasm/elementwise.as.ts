// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// Elementwise SIMD kernels for float32 (f32x4) and float64 (f64x2) over operands that already sit
// in linear memory. Pointers are byte addresses. The output is contiguous with n elements. Each
// operand is a row of `period` elements repeated along the output: period n is an operand with
// the output's shape, a smaller period is a broadcast bias row, and period 1 is a scalar.
//
// The kernels work in whole vectors only. A row of p elements is processed as ceil(p / lanes)
// vectors, so a kernel reads up to one vector past the end of each operand and writes up to one
// vector past the end of the output. The caller leaves at least 16 spare bytes after every region
// and keeps the output apart from the operands. Within one output, the lanes written past a row's end
// belong to the next row, which is computed later and overwrites them.
//
// The op codes are mirrored by the routing table in elementwise.ts.

import { exp32, sigmoid32, tanh32 } from "./math32.as";

// Unary op codes.
const NEG: i32 = 0;
const ABS: i32 = 1;
const SQRT: i32 = 2;
/** relu: x > 0 || x !== x ? x : 0, so NaN stays NaN as in PyTorch. */
const RELU: i32 = 3;
/** (x > 0) ? 1 : 0, the gradient mask of relu. */
const RELU_MASK: i32 = 4;
/** exp, sigmoid and tanh have float32 kernels only. */
const EXP: i32 = 5;
const SIGMOID: i32 = 6;
const TANH: i32 = 7;

// Binary op codes.
const ADD: i32 = 0;
const SUB: i32 = 1;
const MUL: i32 = 2;
const DIV: i32 = 3;
/** x > y ? x : y, so a NaN in x yields y. */
const GREATER_OF: i32 = 4;
/** x < y ? x : y. */
const LESSER_OF: i32 = 5;
/** Math.max(x, y), which is NaN if either is NaN and treats +0 as above -0. */
const MAX: i32 = 6;
/** Math.min(x, y). */
const MIN: i32 = 7;

// Marker types that select an op at compile time. Each loop is instantiated once per marker, so
// its inner loop contains only that op's instructions. An op code passed as a constant argument
// does not work, because the optimizer folds the identical inlined copies into one loop that
// branches on the op code per vector.
@final class Neg {}
@final class Abs {}
@final class Sqrt {}
@final class Relu {}
@final class ReluMask {}
@final class Exp {}
@final class Sigmoid {}
@final class Tanh {}
@final class Add {}
@final class Sub {}
@final class Mul {}
@final class Div {}
@final class GreaterOf {}
@final class LesserOf {}
@final class Max {}
@final class Min {}

/**
 * Computes unary op `op` on float32 values: out[i] = f(x[i % period]) for i < n. Returns 1, or
 * 0 for an op code without a float32 kernel.
 */
export function unaryF32(op: i32, out: usize, x: usize, period: i32, n: i32): i32 {
  switch (op) {
    case NEG: unaryRows32<Neg>(out, x, period, n); return 1;
    case ABS: unaryRows32<Abs>(out, x, period, n); return 1;
    case SQRT: unaryRows32<Sqrt>(out, x, period, n); return 1;
    case RELU: unaryRows32<Relu>(out, x, period, n); return 1;
    case RELU_MASK: unaryRows32<ReluMask>(out, x, period, n); return 1;
    case EXP: unaryRows32<Exp>(out, x, period, n); return 1;
    case SIGMOID: unaryRows32<Sigmoid>(out, x, period, n); return 1;
    case TANH: unaryRows32<Tanh>(out, x, period, n); return 1;
  }
  return 0;
}

/** Computes unary op `op` on float64 values, like unaryF32. Returns 0 for EXP, SIGMOID, TANH. */
export function unaryF64(op: i32, out: usize, x: usize, period: i32, n: i32): i32 {
  switch (op) {
    case NEG: unaryRows64<Neg>(out, x, period, n); return 1;
    case ABS: unaryRows64<Abs>(out, x, period, n); return 1;
    case SQRT: unaryRows64<Sqrt>(out, x, period, n); return 1;
    case RELU: unaryRows64<Relu>(out, x, period, n); return 1;
    case RELU_MASK: unaryRows64<ReluMask>(out, x, period, n); return 1;
  }
  return 0;
}

/**
 * Computes binary op `op` on float32 values: out[i] = f(a[i % aPeriod], b[i % bPeriod]) for
 * i < n. Each period divides n, and the smaller period divides the larger. Returns 1, or 0 for an
 * unknown op code.
 */
export function binaryF32(op: i32, out: usize, a: usize, aPeriod: i32, b: usize, bPeriod: i32, n: i32): i32 {
  switch (op) {
    case ADD: binaryRows32<Add>(out, a, aPeriod, b, bPeriod, n); return 1;
    case SUB: binaryRows32<Sub>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MUL: binaryRows32<Mul>(out, a, aPeriod, b, bPeriod, n); return 1;
    case DIV: binaryRows32<Div>(out, a, aPeriod, b, bPeriod, n); return 1;
    case GREATER_OF: binaryRows32<GreaterOf>(out, a, aPeriod, b, bPeriod, n); return 1;
    case LESSER_OF: binaryRows32<LesserOf>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MAX: binaryRows32<Max>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MIN: binaryRows32<Min>(out, a, aPeriod, b, bPeriod, n); return 1;
  }
  return 0;
}

/** Computes binary op `op` on float64 values, like binaryF32. */
export function binaryF64(op: i32, out: usize, a: usize, aPeriod: i32, b: usize, bPeriod: i32, n: i32): i32 {
  switch (op) {
    case ADD: binaryRows64<Add>(out, a, aPeriod, b, bPeriod, n); return 1;
    case SUB: binaryRows64<Sub>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MUL: binaryRows64<Mul>(out, a, aPeriod, b, bPeriod, n); return 1;
    case DIV: binaryRows64<Div>(out, a, aPeriod, b, bPeriod, n); return 1;
    case GREATER_OF: binaryRows64<GreaterOf>(out, a, aPeriod, b, bPeriod, n); return 1;
    case LESSER_OF: binaryRows64<LesserOf>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MAX: binaryRows64<Max>(out, a, aPeriod, b, bPeriod, n); return 1;
    case MIN: binaryRows64<Min>(out, a, aPeriod, b, bPeriod, n); return 1;
  }
  return 0;
}


@inline
function unaryRows32<Op>(out: usize, x: usize, period: i32, n: i32): void {
  const rowBytes = <usize>period << 2;
  const end = out + (<usize>n << 2);
  for (let row = out; row < end; row += rowBytes) {
    for (let i: usize = 0; i < rowBytes; i += 16) {
      v128.store(row + i, unary32<Op>(v128.load(x + i)));
    }
  }
}

@inline
function unaryRows64<Op>(out: usize, x: usize, period: i32, n: i32): void {
  const rowBytes = <usize>period << 3;
  const end = out + (<usize>n << 3);
  for (let row = out; row < end; row += rowBytes) {
    for (let i: usize = 0; i < rowBytes; i += 16) {
      v128.store(row + i, unary64<Op>(v128.load(x + i)));
    }
  }
}

@inline
function binaryRows32<Op>(out: usize, a: usize, aPeriod: i32, b: usize, bPeriod: i32, n: i32): void {
  if (aPeriod == 1 && bPeriod >= 4) {
    // A scalar left operand: splat it once, then walk b's row.
    const left = v128.load32_splat(a);
    const rowBytes = <usize>bPeriod << 2;
    const end = out + (<usize>n << 2);
    for (let row = out; row < end; row += rowBytes) {
      for (let i: usize = 0; i < rowBytes; i += 16) {
        v128.store(row + i, binary32<Op>(left, v128.load(b + i)));
      }
    }
    return;
  }
  if (bPeriod == 1 && aPeriod >= 4) {
    const right = v128.load32_splat(b);
    const rowBytes = <usize>aPeriod << 2;
    const end = out + (<usize>n << 2);
    for (let row = out; row < end; row += rowBytes) {
      for (let i: usize = 0; i < rowBytes; i += 16) {
        v128.store(row + i, binary32<Op>(v128.load(a + i), right));
      }
    }
    return;
  }
  // Walk rows of the smaller period. The operand with the larger period advances through its data.
  const period = min(aPeriod, bPeriod);
  const rowBytes = <usize>period << 2;
  for (let start: i32 = 0; start < n; start += period) {
    const row = out + (<usize>start << 2);
    const left = a + (<usize>(start % aPeriod) << 2);
    const right = b + (<usize>(start % bPeriod) << 2);
    for (let i: usize = 0; i < rowBytes; i += 16) {
      v128.store(row + i, binary32<Op>(v128.load(left + i), v128.load(right + i)));
    }
  }
}

@inline
function binaryRows64<Op>(out: usize, a: usize, aPeriod: i32, b: usize, bPeriod: i32, n: i32): void {
  if (aPeriod == 1 && bPeriod >= 2) {
    const left = v128.load64_splat(a);
    const rowBytes = <usize>bPeriod << 3;
    const end = out + (<usize>n << 3);
    for (let row = out; row < end; row += rowBytes) {
      for (let i: usize = 0; i < rowBytes; i += 16) {
        v128.store(row + i, binary64<Op>(left, v128.load(b + i)));
      }
    }
    return;
  }
  if (bPeriod == 1 && aPeriod >= 2) {
    const right = v128.load64_splat(b);
    const rowBytes = <usize>aPeriod << 3;
    const end = out + (<usize>n << 3);
    for (let row = out; row < end; row += rowBytes) {
      for (let i: usize = 0; i < rowBytes; i += 16) {
        v128.store(row + i, binary64<Op>(v128.load(a + i), right));
      }
    }
    return;
  }
  const period = min(aPeriod, bPeriod);
  const rowBytes = <usize>period << 3;
  for (let start: i32 = 0; start < n; start += period) {
    const row = out + (<usize>start << 3);
    const left = a + (<usize>(start % aPeriod) << 3);
    const right = b + (<usize>(start % bPeriod) << 3);
    for (let i: usize = 0; i < rowBytes; i += 16) {
      v128.store(row + i, binary64<Op>(v128.load(left + i), v128.load(right + i)));
    }
  }
}

@inline
function unary32<Op>(x: v128): v128 {
  const zero = f32x4.splat(0);
  if (idof<Op>() == idof<Neg>()) return f32x4.neg(x);
  if (idof<Op>() == idof<Abs>()) return f32x4.abs(x);
  if (idof<Op>() == idof<Sqrt>()) return f32x4.sqrt(x);
  if (idof<Op>() == idof<Relu>()) return v128.andnot(x, f32x4.le(x, zero));
  if (idof<Op>() == idof<ReluMask>()) return v128.and(f32x4.gt(x, zero), f32x4.splat(1));
  if (idof<Op>() == idof<Exp>()) return exp32(x);
  if (idof<Op>() == idof<Sigmoid>()) return sigmoid32(x);
  return tanh32(x);
}

@inline
function unary64<Op>(x: v128): v128 {
  const zero = f64x2.splat(0);
  if (idof<Op>() == idof<Neg>()) return f64x2.neg(x);
  if (idof<Op>() == idof<Abs>()) return f64x2.abs(x);
  if (idof<Op>() == idof<Sqrt>()) return f64x2.sqrt(x);
  if (idof<Op>() == idof<Relu>()) return v128.andnot(x, f64x2.le(x, zero));
  return v128.and(f64x2.gt(x, zero), f64x2.splat(1));
}

@inline
function binary32<Op>(x: v128, y: v128): v128 {
  if (idof<Op>() == idof<Add>()) return f32x4.add(x, y);
  if (idof<Op>() == idof<Sub>()) return f32x4.sub(x, y);
  if (idof<Op>() == idof<Mul>()) return f32x4.mul(x, y);
  if (idof<Op>() == idof<Div>()) return f32x4.div(x, y);
  if (idof<Op>() == idof<GreaterOf>()) return v128.bitselect(x, y, f32x4.gt(x, y));
  if (idof<Op>() == idof<LesserOf>()) return v128.bitselect(x, y, f32x4.lt(x, y));
  if (idof<Op>() == idof<Max>()) return f32x4.max(x, y);
  return f32x4.min(x, y);
}

@inline
function binary64<Op>(x: v128, y: v128): v128 {
  if (idof<Op>() == idof<Add>()) return f64x2.add(x, y);
  if (idof<Op>() == idof<Sub>()) return f64x2.sub(x, y);
  if (idof<Op>() == idof<Mul>()) return f64x2.mul(x, y);
  if (idof<Op>() == idof<Div>()) return f64x2.div(x, y);
  if (idof<Op>() == idof<GreaterOf>()) return v128.bitselect(x, y, f64x2.gt(x, y));
  if (idof<Op>() == idof<LesserOf>()) return v128.bitselect(x, y, f64x2.lt(x, y));
  if (idof<Op>() == idof<Max>()) return f64x2.max(x, y);
  return f64x2.min(x, y);
}
