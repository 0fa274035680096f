// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// Convolution kernels on operands that already sit in linear memory: im2col, col2im, the bias
// fill of a convolution output, the bias gradient and max pooling over tiles, for float32
// (suffix 32) and float64 (suffix 64). Every pointer is a byte address, and the caller checks
// bounds.
//
// The column matrix has the layout of core/backend/im2col.ts: row (c·kH + i)·kW + j is kernel tap
// (i, j) of channel c, column oh·outW + ow is output position (oh, ow), and rows are `ldCols`
// elements apart. Images are C×H×W, row-major.

/** Copies `bytes` bytes (a multiple of 4) from `from` to `to`: 16 per SIMD step, then 4 at a time. */
@inline
function copyBytes(from: usize, to: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(to + i, v128.load(from + i));
  for (; i < bytes; i += 4) store<u32>(to + i, load<u32>(from + i));
}

/** Sets `bytes` bytes (a multiple of 4) at `to` to zero. */
@inline
function zeroBytes(to: usize, bytes: usize): void {
  const zero = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(to + i, zero);
  for (; i < bytes; i += 4) store<u32>(to + i, 0);
}

/**
 * Returns the first output column ow whose input column ow·stride + shift is at least 0, capped
 * at outW. Columns from there up to endColumn() read the image, and the others read padding.
 */
@inline
function firstColumn(shift: i32, stride: i32, outW: i32): i32 {
  return min(outW, shift >= 0 ? 0 : (-shift + stride - 1) / stride);
}

/** Returns one past the last output column whose input column ow·stride + shift is below `width`. */
@inline
function endColumn(shift: i32, stride: i32, width: i32, outW: i32, first: i32): i32 {
  const last = width - 1 - shift;
  const end = last < 0 ? 0 : min(outW, last / stride + 1);
  return max(first, end);
}

// One kernel tap of a stride-1 lowering whose output is as wide as the image. Output position
// t = oh·width + ow then reads plane element t + tapShift, so the valid part of the tap's
// column-matrix row is one contiguous range, apart from the columns that wrap into the
// neighboring image row. These are module globals rather than an object, because the stub
// runtime's allocator would place objects in the first page of the memory, which runtime.ts
// reserves for the thread pool's control block.
/** Output rows [tapFirstRow, tapEndRow) read image rows. */
let tapFirstRow: i32 = 0;
let tapEndRow: i32 = 0;
/** Output columns [tapFirstColumn, tapEndColumn) read image columns. */
let tapFirstColumn: i32 = 0;
let tapEndColumn: i32 = 0;
/** Positions [tapLow, tapHigh) read the plane at t + tapShift; all others read padding or wrapped columns. */
let tapLow: i32 = 0;
let tapHigh: i32 = 0;
let tapShift: i32 = 0;

/** Sets the tap globals for the tap whose input position is (oh + rowShift, ow + colShift). */
@inline
function shiftTap(height: i32, width: i32, outH: i32, rowShift: i32, colShift: i32): void {
  tapFirstRow = min(outH, max(0, -rowShift));
  tapEndRow = max(tapFirstRow, min(outH, height - rowShift));
  tapFirstColumn = min(width, max(0, -colShift));
  tapEndColumn = max(tapFirstColumn, min(width, width - colShift));
  tapShift = rowShift * width + colShift;
  tapLow = min(outH * width, max(tapFirstRow * width, -tapShift));
  tapHigh = max(tapLow, min(tapEndRow * width, height * width - tapShift));
}

/** Zeroes the wrapped columns (left of tapFirstColumn, from tapEndColumn on) of the tap's valid rows. */
@inline
function zeroWrappedColumns<T>(row: usize, width: i32): void {
  if (tapFirstColumn == 0 && tapEndColumn == width) return;
  const size = <usize>sizeof<T>();
  for (let oh = tapFirstRow; oh < tapEndRow; oh++) {
    const line = row + <usize>(oh * width) * size;
    for (let ow = 0; ow < tapFirstColumn; ow++) store<T>(line + <usize>ow * size, <T>0);
    for (let ow = tapEndColumn; ow < width; ow++) store<T>(line + <usize>ow * size, <T>0);
  }
}

/** Writes the column matrix of one `channels`×`height`×`width` image at `x` into `cols`. */
function im2col<T>(
  x: usize, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, cols: usize, ldCols: i32,
): void {
  const size = <usize>sizeof<T>();
  const shifted = sh == 1 && sw == 1 && outW == width;
  for (let c = 0; c < channels; c++) {
    const plane = x + <usize>(c * height * width) * size;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = cols + <usize>(((c * kh + i) * kw + j) * ldCols) * size;
        if (shifted) {
          shiftTap(height, width, outH, i * dh - ph, j * dw - pw);
          zeroBytes(row, <usize>tapLow * size);
          copyBytes(plane + <usize>(tapLow + tapShift) * size, row + <usize>tapLow * size, <usize>(tapHigh - tapLow) * size);
          zeroBytes(row + <usize>tapHigh * size, <usize>(outH * width - tapHigh) * size);
          zeroWrappedColumns<T>(row, width);
          continue;
        }
        const shift = j * dw - pw;
        const first = firstColumn(shift, sw, outW);
        const end = endColumn(shift, sw, width, outW, first);
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sh - ph + i * dh;
          const out = row + <usize>(oh * outW) * size;
          if (ih < 0 || ih >= height) {
            zeroBytes(out, <usize>outW * size);
            continue;
          }
          zeroBytes(out, <usize>first * size);
          const source = plane + <usize>(ih * width + shift + first * sw) * size;
          const target = out + <usize>first * size;
          if (sw == 1) {
            copyBytes(source, target, <usize>(end - first) * size);
          } else {
            const step = <usize>sw * size;
            for (let ow = 0; ow < end - first; ow++) {
              store<T>(target + <usize>ow * size, load<T>(source + <usize>ow * step));
            }
          }
          zeroBytes(out + <usize>end * size, <usize>(outW - end) * size);
        }
      }
    }
  }
}

/** Adds `count` elements at `from` onto `count` elements at `to`, SIMD while four floats or two doubles remain. */
@inline
function addInto<T>(from: usize, to: usize, count: i32): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>count * size;
  let i: usize = 0;
  if (sizeof<T>() == 4) {
    for (; i + 16 <= bytes; i += 16) v128.store(to + i, f32x4.add(v128.load(to + i), v128.load(from + i)));
  } else {
    for (; i + 16 <= bytes; i += 16) v128.store(to + i, f64x2.add(v128.load(to + i), v128.load(from + i)));
  }
  for (; i < bytes; i += size) store<T>(to + i, load<T>(to + i) + load<T>(from + i));
}

/**
 * Adds each entry of the column matrix at `cols` onto the image position it was taken from, the
 * adjoint of im2col. The image at `x` must hold its starting values (zeros for a gradient).
 * With stride 1 and outW = width, the entries that read padding columns are set to zero in `cols`.
 */
function col2im<T>(
  cols: usize, ldCols: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, x: usize,
): void {
  const size = <usize>sizeof<T>();
  const shifted = sh == 1 && sw == 1 && outW == width;
  for (let c = 0; c < channels; c++) {
    const plane = x + <usize>(c * height * width) * size;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = cols + <usize>(((c * kh + i) * kw + j) * ldCols) * size;
        if (shifted) {
          // Zeroed wrapped columns add nothing where the contiguous range lands on them.
          shiftTap(height, width, outH, i * dh - ph, j * dw - pw);
          zeroWrappedColumns<T>(row, width);
          addInto<T>(row + <usize>tapLow * size, plane + <usize>(tapLow + tapShift) * size, tapHigh - tapLow);
          continue;
        }
        const shift = j * dw - pw;
        const first = firstColumn(shift, sw, outW);
        const end = endColumn(shift, sw, width, outW, first);
        if (end <= first) continue;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= height) continue;
          const source = row + <usize>(oh * outW + first) * size;
          const target = plane + <usize>(ih * width + shift + first * sw) * size;
          if (sw == 1) {
            addInto<T>(source, target, end - first);
          } else {
            const step = <usize>sw * size;
            for (let ow = 0; ow < end - first; ow++) {
              const at = target + <usize>ow * step;
              store<T>(at, load<T>(at) + load<T>(source + <usize>ow * size));
            }
          }
        }
      }
    }
  }
}

/** Sets every element of plane c of each of `n` images of `channels` planes at `y` to bias[c]. */
function fillBias<T>(y: usize, bias: usize, n: i32, channels: i32, positions: i32): void {
  const size = <usize>sizeof<T>();
  const bytes = <usize>positions * size;
  let out = y;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < channels; c++) {
      const value = load<T>(bias + <usize>c * size);
      const lanes = sizeof<T>() == 4 ? f32x4.splat(<f32>value) : f64x2.splat(<f64>value);
      let i: usize = 0;
      for (; i + 16 <= bytes; i += 16) v128.store(out + i, lanes);
      for (; i < bytes; i += size) store<T>(out + i, value);
      out += bytes;
    }
  }
}

/**
 * Writes out[c] = Σ over images and positions of g[b, c, p] for `n` images of `channels` planes
 * at `g` (or adds it to out[c] when `accumulate` is 1). Sums run in float64 for both dtypes.
 */
function biasGrad<T>(g: usize, n: i32, channels: i32, positions: i32, out: usize, accumulate: i32): void {
  const size = <usize>sizeof<T>();
  for (let c = 0; c < channels; c++) {
    let low = f64x2.splat(0);
    let high = low;
    let tail: f64 = 0;
    for (let b = 0; b < n; b++) {
      const plane = g + <usize>((b * channels + c) * positions) * size;
      let p = 0;
      if (sizeof<T>() == 4) {
        for (; p + 4 <= positions; p += 4) {
          const lanes = v128.load(plane + (<usize>p << 2));
          low = f64x2.add(low, f64x2.promote_low_f32x4(lanes));
          high = f64x2.add(high, f64x2.promote_low_f32x4(i8x16.shuffle(lanes, lanes, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
        }
      } else {
        for (; p + 4 <= positions; p += 4) {
          low = f64x2.add(low, v128.load(plane + (<usize>p << 3)));
          high = f64x2.add(high, v128.load(plane + (<usize>p << 3), 16));
        }
      }
      for (; p < positions; p++) tail += <f64>load<T>(plane + <usize>p * size);
    }
    const lanes = f64x2.add(low, high);
    const sum = f64x2.extract_lane(lanes, 0) + f64x2.extract_lane(lanes, 1) + tail;
    const at = out + <usize>c * size;
    store<T>(at, <T>(accumulate != 0 ? <f64>load<T>(at) + sum : sum));
  }
}

/** Float32 im2col: see im2col(); `cols` rows are `ldCols` elements apart. */
export function im2col32(
  x: usize, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, cols: usize, ldCols: i32,
): void {
  im2col<f32>(x, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW, cols, ldCols);
}

/** Float64 im2col, with the arguments of im2col32. */
export function im2col64(
  x: usize, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, cols: usize, ldCols: i32,
): void {
  im2col<f64>(x, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW, cols, ldCols);
}

/** Float32 col2im: adds the column matrix at `cols` into the image at `x`; see col2im(). */
export function col2im32(
  cols: usize, ldCols: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, x: usize,
): void {
  col2im<f32>(cols, ldCols, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW, x);
}

/** Float64 col2im, with the arguments of col2im32. */
export function col2im64(
  cols: usize, ldCols: i32, channels: i32, height: i32, width: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  outH: i32, outW: i32, x: usize,
): void {
  col2im<f64>(cols, ldCols, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW, x);
}

/** Float32 bias fill: y[b, c, p] = bias[c]. */
export function fillBias32(y: usize, bias: usize, n: i32, channels: i32, positions: i32): void {
  fillBias<f32>(y, bias, n, channels, positions);
}

/** Float64 bias fill: y[b, c, p] = bias[c]. */
export function fillBias64(y: usize, bias: usize, n: i32, channels: i32, positions: i32): void {
  fillBias<f64>(y, bias, n, channels, positions);
}

/** Float32 bias gradient: out[c] (+)= Σ g[b, c, p], summed in float64. */
export function biasGrad32(g: usize, n: i32, channels: i32, positions: i32, out: usize, accumulate: i32): void {
  biasGrad<f32>(g, n, channels, positions, out, accumulate);
}

/** Float64 bias gradient: out[c] (+)= Σ g[b, c, p]. */
export function biasGrad64(g: usize, n: i32, channels: i32, positions: i32, out: usize, accumulate: i32): void {
  biasGrad<f64>(g, n, channels, positions, out, accumulate);
}

/**
 * Returns 1 when `value` replaces `best` as a window's maximum: `best` is not NaN, and `value` is
 * larger or NaN. So NaN propagates and ties keep the earlier position, as in max pooling.
 */
@inline
function replaces<T>(value: T, best: T): bool {
  return <bool>(<i32>(best == best) & (<i32>(value > best) | <i32>(value != value)));
}

/**
 * Writes the maximum of each kh×kw tile (kernel = stride, no padding) of `planes` planes of
 * inH×inW at `x` into `out`, and its flat position h·inW + w within the plane into the int32
 * array `index`. The outputs are planes of outH×outW.
 */
function maxPoolTiles<T>(
  x: usize, planes: i32, inH: i32, inW: i32, kh: i32, kw: i32, outH: i32, outW: i32, out: usize, index: usize,
): void {
  const size = <usize>sizeof<T>();
  let at: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + <usize>(p * inH * inW) * size;
    for (let oh = 0; oh < outH; oh++) {
      let ow = 0;
      if (sizeof<T>() == 4 && kh == 2 && kw == 2 && outW >= 4) {
        for (; ow + 4 <= outW; ow += 4) {
          maxPool2x2Lanes(plane, 2 * oh * inW + 2 * ow, inW, out + (at << 2), index + (at << 2));
          at += 4;
        }
        // The last tiles of the row overlap the previous step's, which they rewrite with the same values.
        if (ow < outW) {
          const back = outW - ow;
          maxPool2x2Lanes(plane, 2 * oh * inW + 2 * (outW - 4), inW, out + ((at - 4 + back) << 2), index + ((at - 4 + back) << 2));
          at += back;
          ow = outW;
        }
      }
      for (; ow < outW; ow++) {
        let bestIndex = oh * kh * inW + ow * kw;
        let best = load<T>(plane + <usize>bestIndex * size);
        for (let i = 0; i < kh; i++) {
          const row = (oh * kh + i) * inW + ow * kw;
          for (let j = 0; j < kw; j++) {
            const value = load<T>(plane + <usize>(row + j) * size);
            const better = replaces<T>(value, best);
            best = select<T>(value, best, better);
            bestIndex = select<i32>(row + j, bestIndex, better);
          }
        }
        store<T>(out + at * size, best);
        store<i32>(index + (at << 2), bestIndex);
        at++;
      }
    }
  }
}

/** Lanes of f32x4.gt/eq/ne that make `value` replace `best`; see replaces(). */
@inline
function replacesLanes(value: v128, best: v128): v128 {
  return v128.and(f32x4.eq(best, best), v128.or(f32x4.gt(value, best), f32x4.ne(value, value)));
}

/**
 * Computes four adjacent 2×2 float32 tiles whose top-left element is at flat position `first`
 * of the plane at `plane`: their maxima go to `out` and their positions to `index`.
 */
@inline
function maxPool2x2Lanes(plane: usize, first: i32, inW: i32, out: usize, index: usize): void {
  const top = plane + (<usize>first << 2);
  const bottom = top + (<usize>inW << 2);
  const top0 = v128.load(top);
  const top1 = v128.load(top, 16);
  const bottom0 = v128.load(bottom);
  const bottom1 = v128.load(bottom, 16);
  // Even lanes are the left column of each tile, odd lanes the right one.
  const topLeft = i8x16.shuffle(top0, top1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const topRight = i8x16.shuffle(top0, top1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const bottomLeft = i8x16.shuffle(bottom0, bottom1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const bottomRight = i8x16.shuffle(bottom0, bottom1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const firstIndex = i32x4.add(i32x4.splat(first), i32x4(0, 2, 4, 6));
  const one = i32x4.splat(1);
  const below = i32x4.splat(inW);

  let best = topLeft;
  let bestIndex = firstIndex;
  let better = replacesLanes(topRight, best);
  best = v128.bitselect(topRight, best, better);
  bestIndex = v128.bitselect(i32x4.add(firstIndex, one), bestIndex, better);
  better = replacesLanes(bottomLeft, best);
  best = v128.bitselect(bottomLeft, best, better);
  bestIndex = v128.bitselect(i32x4.add(firstIndex, below), bestIndex, better);
  better = replacesLanes(bottomRight, best);
  best = v128.bitselect(bottomRight, best, better);
  bestIndex = v128.bitselect(i32x4.add(i32x4.add(firstIndex, below), one), bestIndex, better);
  v128.store(out, best);
  v128.store(index, bestIndex);
}

/** Float32 max pooling over tiles: see maxPoolTiles(). */
export function maxPoolTiles32(
  x: usize, planes: i32, inH: i32, inW: i32, kh: i32, kw: i32, outH: i32, outW: i32, out: usize, index: usize,
): void {
  maxPoolTiles<f32>(x, planes, inH, inW, kh, kw, outH, outW, out, index);
}

/** Float64 max pooling over tiles: see maxPoolTiles(). */
export function maxPoolTiles64(
  x: usize, planes: i32, inH: i32, inW: i32, kh: i32, kw: i32, outH: i32, outW: i32, out: usize, index: usize,
): void {
  maxPoolTiles<f64>(x, planes, inH, inW, kh, kw, outH, outW, out, index);
}

/**
 * Copies `rows` rows of `bytes` bytes from src (rows srcStride bytes apart) to dst (rows
 * dstStride bytes apart). The weight gradient lays the output gradients of several images side by
 * side with it.
 */
export function copyRows2d(src: usize, srcStride: usize, dst: usize, dstStride: usize, rows: i32, bytes: usize): void {
  for (let r = 0; r < rows; r++) memory.copy(dst + <usize>r * dstStride, src + <usize>r * srcStride, bytes);
}
