/**
 * General matrix multiply on row-major Float32Array and Float64Array storage.
 *
 * The blocked path follows the Goto/BLIS layout: a KC×NC block of op(B) and an MC×KC block of
 * op(A) are packed into contiguous float64 buffers, and a 4×3 register-tiled micro-kernel runs
 * over them with twelve local accumulators. Packing into float64 keeps the micro-kernel
 * monomorphic for both dtypes and accumulates float32 products in double precision.
 */

import { activeKernels } from "./backend.js";
import { wasmGemm } from "./wasm/gemm.js";

/** Typed array storage the kernel reads and writes. */
export type FloatArray = Float32Array | Float64Array;

/** Rows of op(A) per micro-tile. */
const MR = 4;
/** Columns of op(B) per micro-tile. 4×3 measured faster than 4×4, 4×8 and 8×4 tiles under Node 20 on x86-64. */
const NR = 3;
/** Depth of one packed block. KC·NR·8 bytes (6 KiB) of B stay in L1 while the micro-kernel runs. */
const KC = 256;
/** Rows of one packed A block, a multiple of MR. MC·KC·8 bytes (256 KiB) fit in L2. */
const MC = 128;
/** Columns of one packed B block, a multiple of NR. KC·NC·8 bytes (2 MiB) stay in L3. */
const NC = 1020;
/** Up to this many multiply-adds a direct loop runs. Packing already wins at 6×6×6 (Node 20, x86-64). */
const DIRECT_MAX_FLOPS = 4 * 4 * 4;
/** From this many multiply-adds on, the wasm backend runs the SIMD kernels; 8×8×8 is 2× faster there. */
const WASM_MIN_FLOPS = 8 * 8 * 8;

// NOTE: The packing buffers are shared by every call. gemm never calls back into user code, so
// one call always finishes before the next starts. They are allocated once at their full size
// (2.3 MiB together) because V8 compiles the micro-kernel's loads from a constant module-level
// array about 25% faster than loads from a buffer that is replaced when it grows (measured on
// Node 20 with bench/matmul.mjs).
const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
const tile = new Float64Array(MR * NR);

/**
 * Computes C = op(A)·op(B), or C += op(A)·op(B) when `accumulate` is true, on row-major storage.
 *
 * op(A) is m×k and op(B) is k×n. With `transA` false, element (i, p) of op(A) is
 * `a[aOffset + i·lda + p]`; with `transA` true, A is stored k×m and the element is
 * `a[aOffset + p·lda + i]`. B and `ldb` follow the same rule with k×n (or n×k when `transB`).
 * Element (i, j) of C is `c[cOffset + i·ldc + j]`. Leading dimensions may exceed the stored row
 * width, so the matrices can be windows into larger arrays.
 *
 * On the TypeScript backend, products are summed in float64 and rounded once per KC-deep block
 * when C is a Float32Array; on the wasm backend (see backend.ts), float32 products are summed in
 * float32 SIMD lanes.
 * With `accumulate` false, C is overwritten (NaN already in C does not propagate), and k = 0
 * fills C with zeros. The three arrays may mix dtypes but C must not overlap A or B.
 *
 * @example
 * // 2×3 times 3×2, no transposes: c = [58, 64, 139, 154]
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]);
 * const b = new Float32Array([7, 8, 9, 10, 11, 12]);
 * const c = new Float32Array(4);
 * gemm(false, false, 2, 2, 3, a, 0, 3, b, 0, 2, c, 0, 2, false);
 * @throws RangeError when a size, offset or leading dimension is invalid or a matrix reaches
 *   past the end of its array.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOffset: number,
  lda: number,
  b: FloatArray,
  bOffset: number,
  ldb: number,
  c: FloatArray,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): void {
  checkSize("m", m);
  checkSize("n", n);
  checkSize("k", k);
  checkMatrix("A", a, aOffset, lda, transA ? k : m, transA ? m : k);
  checkMatrix("B", b, bOffset, ldb, transB ? n : k, transB ? k : n);
  checkMatrix("C", c, cOffset, ldc, m, n);
  if (m === 0 || n === 0) return;

  if (k === 0) {
    if (!accumulate) zeroMatrix(c, cOffset, ldc, m, n);
    return;
  }

  const kernels = m * n * k >= WASM_MIN_FLOPS ? activeKernels() : null;
  if (kernels !== null && wasmGemm(kernels, transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, accumulate)) {
    return;
  }

  // Strides of op(A) and op(B): element (i, p) of op(A) is a[aOffset + i·rowA + p·colA].
  const rowA = transA ? 1 : lda;
  const colA = transA ? lda : 1;
  const rowB = transB ? 1 : ldb;
  const colB = transB ? ldb : 1;
  if (m * n * k <= DIRECT_MAX_FLOPS) {
    gemmDirect(m, n, k, a, aOffset, rowA, colA, b, bOffset, rowB, colB, c, cOffset, ldc, accumulate);
  } else {
    gemmBlocked(m, n, k, a, aOffset, rowA, colA, b, bOffset, rowB, colB, c, cOffset, ldc, accumulate);
  }
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${value}`);
  }
}

/** Checks that a rows×cols row-major matrix at `offset` with leading dimension `ld` fits in `data`. */
function checkMatrix(name: string, data: FloatArray, offset: number, ld: number, rows: number, cols: number): void {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`gemm: offset of ${name} must be a non-negative integer, got ${offset}`);
  }
  if (!Number.isInteger(ld) || ld < cols) {
    throw new RangeError(
      `gemm: leading dimension of ${name} must be an integer of at least ${cols} ` +
        `(the stored row width), got ${ld}`,
    );
  }
  if (rows === 0 || cols === 0) return;
  const end = offset + (rows - 1) * ld + cols;
  if (end > data.length) {
    throw new RangeError(
      `gemm: ${name} (${rows}×${cols}, offset ${offset}, leading dimension ${ld}) needs ${end} ` +
        `elements but its array has ${data.length}; pass a larger array or smaller sizes`,
    );
  }
}

function zeroMatrix(c: FloatArray, cOffset: number, ldc: number, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = cOffset + i * ldc;
    c.fill(0, row, row + n);
  }
}

/** Computes each element as one float64 dot product over strided storage, for small problems. */
function gemmDirect(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, rowA: number, colA: number,
  b: FloatArray, bOffset: number, rowB: number, colB: number,
  c: FloatArray, cOffset: number, ldc: number, accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * rowA;
    const cRow = cOffset + i * ldc;
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? c[cRow + j] : 0;
      let ai = aRow;
      let bi = bOffset + j * colB;
      for (let p = 0; p < k; p++) {
        sum += a[ai] * b[bi];
        ai += colA;
        bi += rowB;
      }
      c[cRow + j] = sum;
    }
  }
}

/** Runs the packed, register-tiled loop nest: NC columns, then KC depth, then MC rows. */
function gemmBlocked(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, rowA: number, colA: number,
  b: FloatArray, bOffset: number, rowB: number, colB: number,
  c: FloatArray, cOffset: number, ldc: number, accumulate: boolean,
): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // Later depth blocks add onto what the first one stored.
      const add = accumulate || pc > 0;
      packB(b, bOffset + pc * rowB + jc * colB, rowB, colB, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOffset + ic * rowA + pc * colA, rowA, colA, mc, kc);
        multiplyPacked(mc, nc, kc, c, cOffset + ic * ldc + jc, ldc, add);
      }
    }
  }
}

/**
 * Packs an mc×kc block of op(A) into MR-row panels: panel r holds rows r·MR … r·MR+MR−1, stored
 * depth-major (the MR values of depth p are adjacent). Rows past mc are zero.
 */
function packA(a: FloatArray, start: number, rowA: number, colA: number, mc: number, kc: number): void {
  const out = packedA;
  let o = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    const base = start + ir * rowA;
    for (let p = 0; p < kc; p++) {
      const at = base + p * colA;
      for (let r = 0; r < MR; r++) {
        out[o++] = r < rows ? a[at + r * rowA] : 0;
      }
    }
  }
}

/**
 * Packs a kc×nc block of op(B) into NR-column panels: panel s holds columns s·NR … s·NR+NR−1,
 * stored depth-major (the NR values of depth p are adjacent). Columns past nc are zero.
 */
function packB(b: FloatArray, start: number, rowB: number, colB: number, kc: number, nc: number): void {
  const out = packedB;
  let o = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const base = start + jr * colB;
    for (let p = 0; p < kc; p++) {
      const at = base + p * rowB;
      for (let s = 0; s < NR; s++) {
        out[o++] = s < cols ? b[at + s * colB] : 0;
      }
    }
  }
}

/** Multiplies the packed mc×kc A block by the packed kc×nc B block into C, one micro-tile at a time. */
function multiplyPacked(mc: number, nc: number, kc: number, c: FloatArray, cStart: number, ldc: number, add: boolean): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = Math.min(MR, mc - ir);
      microKernel(kc, packedA, ir * kc, packedB, jr * kc, tile);
      storeTile(c, cStart + ir * ldc + jr, ldc, rows, cols, add);
    }
  }
}

/** Computes one MR×NR tile of packed A times packed B into `out` (row-major) with local accumulators. */
function microKernel(kc: number, pa: Float64Array, ia: number, pb: Float64Array, ib: number, out: Float64Array): void {
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
    ia += MR;
    ib += NR;
  }
  out[0] = c00; out[1] = c01; out[2] = c02;
  out[3] = c10; out[4] = c11; out[5] = c12;
  out[6] = c20; out[7] = c21; out[8] = c22;
  out[9] = c30; out[10] = c31; out[11] = c32;
}

/** Writes (or adds) the top-left rows×cols part of the micro-tile into C. */
function storeTile(c: FloatArray, at: number, ldc: number, rows: number, cols: number, add: boolean): void {
  for (let r = 0; r < rows; r++) {
    const row = at + r * ldc;
    const t = r * NR;
    if (add) {
      for (let s = 0; s < cols; s++) c[row + s] += tile[t + s];
    } else {
      for (let s = 0; s < cols; s++) c[row + s] = tile[t + s];
    }
  }
}
