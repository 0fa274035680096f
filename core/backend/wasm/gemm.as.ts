// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// Packed, register-blocked GEMM kernels for float32 (f32x4) and float64 (f64x2) on row-major
// matrices that already sit in linear memory. The caller owns the memory layout: every pointer is
// a byte address, and `work` is scratch space of workspaceBytes() bytes for the packed blocks.
// The loop nest follows the Goto/BLIS layout: NC columns of op(B), then KC depth, then MC rows of
// op(A). A KC×NC block of op(B) and an MC×KC block of op(A) are packed into panels. A micro-kernel
// then keeps a full MR×NR tile of C in SIMD registers across the depth.
//
// The packed A panel stores each element as a full vector (four float32 or two float64 copies).
// The micro-kernel then reads a broadcast value with a plain vector load, which V8 addresses from
// the panel pointer directly. A splatting load at an offset costs an extra address instruction.
// Built with relaxed SIMD (kernels-fma.wasm), the micro-kernels multiply and add with
// relaxed_madd, one fused instruction on CPUs with FMA; the SIMD128 build (kernels.wasm) keeps a
// separate multiply and add, rounding twice.

/**
 * Rows of op(A) per micro-tile, both dtypes. In V8's machine code for this kernel (Node 20,
 * x86-64) every load of a depth step comes before its arithmetic, so the MR broadcast values, the
 * B vectors and the MR×NR/4 accumulators are live at once: 4 + 2 + 8 = 14 of the 15 vector
 * registers V8 allocates. 5×8 and 6×8 tiles need more, spill, and ran at 22 and 26 GFLOP/s
 * against 48 for 4×8 (fused build); 3×12 and 2×16 fit and ran level with 4×8.
 */
const MR: i32 = 4;
/** Columns per float32 micro-tile: two f32x4 vectors. */
const NR32: i32 = 8;
/** Columns per float64 micro-tile: two f64x2 vectors. */
const NR64: i32 = 4;
/** Depth of one packed block. */
const KC: i32 = 256;
/** Rows of one packed A block, a multiple of MR. */
const MC: i32 = 72;
/** Columns of one packed B block, a multiple of NR32 and NR64. */
const NC: i32 = 1024;
/** Bytes of the edge tile buffer: MR rows of at most 32 bytes. */
const TILE_BYTES: i32 = MR * 32;
/** Bytes of the packed A block: MC×KC elements, each broadcast to 16 bytes. */
const PACKED_A_BYTES: i32 = MC * KC * 16;
/** Offset of the edge tile in the workspace, after packed A and a KC×NC float64 block of B. */
const TILE_OFFSET: i32 = PACKED_A_BYTES + KC * NC * 8;

/** Bytes of scratch memory one call needs at `work`: packed A, packed B and an edge tile. */
export function workspaceBytes(): i32 {
  return TILE_OFFSET + TILE_BYTES;
}

/** Returns acc + x·y per lane: fused where the build and CPU allow, else multiply then add. */
// @ts-ignore: decorator
@inline function madd32(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/** Float64 counterpart of madd32. */
// @ts-ignore: decorator
@inline function madd64(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(x, y, acc);
  return f64x2.add(acc, f64x2.mul(x, y));
}

/**
 * Computes C = op(A)·op(B) (or C += when `accumulate` is 1) for float32. op(A) is m×k; element (i, p) is at
 * a + 4·(i·lda + p), or a + 4·(p·lda + i) when `transA` is 1. B likewise with k×n. C is m×n
 * with leading dimension ldc. Sizes are positive, and the caller checks bounds.
 */
export function sgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  const rowB = transB ? 1 : ldb;
  const colB = transB ? ldb : 1;
  const packedB = work + <usize>PACKED_A_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB32(b + (<usize>(pc * rowB + jc * colB) << 2), rowB, colB, kc, nc, packedB);
      blockProduct32(transA, m, nc, kc, pc, a, lda, packedB, c + (<usize>jc << 2), ldc, accumulate != 0 || pc > 0, work);
    }
  }
}

/** Bytes that packAllB32 writes for a k×n op(B). */
export function packedBytesB32(k: i32, n: i32): i32 {
  return k * ((n + NR32 - 1) / NR32) * NR32 * 4;
}

/**
 * Packs all of a k×n op(B) for sgemmPackedB, block by block in the order sgemm visits them, into
 * packedBytesB32(k, n) bytes at `out`. A product that reuses B, such as a recurrent weight over
 * the steps of a sequence, packs it once.
 */
export function packAllB32(transB: i32, k: i32, n: i32, b: usize, ldb: i32, out: usize): void {
  const rowB = transB ? 1 : ldb;
  const colB = transB ? ldb : 1;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB32(b + (<usize>(pc * rowB + jc * colB) << 2), rowB, colB, kc, nc, packedBlockB32(out, k, n, jc, pc));
    }
  }
}

/** Computes C = op(A)·B (or C += when `accumulate` is 1) like sgemm, with B packed by packAllB32. */
export function sgemmPackedB(
  transA: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, packed: usize, c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const block = packedBlockB32(packed, k, n, jc, pc);
      blockProduct32(transA, m, nc, kc, pc, a, lda, block, c + (<usize>jc << 2), ldc, accumulate != 0 || pc > 0, work);
    }
  }
}

/** Address of block (jc, pc) in the layout of packAllB32: column blocks in order, depth blocks within. */
function packedBlockB32(packed: usize, k: i32, n: i32, jc: i32, pc: i32): usize {
  const width = (min(NC, n - jc) + NR32 - 1) / NR32 * NR32;
  return packed + (<usize>(jc * k + pc * width) << 2);
}

/**
 * Multiplies all m rows of op(A), depth pc to pc + kc, by one packed kc×nc block of op(B) into
 * the m×nc block of C at c, adding to C when `add`. Uses the packed-A area and edge tile of `work`.
 */
function blockProduct32(transA: i32, m: i32, nc: i32, kc: i32, pc: i32, a: usize, lda: i32, packedB: usize, c: usize, ldc: i32, add: bool, work: usize): void {
  const rowA = transA ? 1 : lda;
  const colA = transA ? lda : 1;
  const packedA = work;
  const tile = work + <usize>TILE_OFFSET;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    packA32(a + (<usize>(ic * rowA + pc * colA) << 2), rowA, colA, mc, kc, packedA);
    const cBlock = c + (<usize>(ic * ldc) << 2);
    for (let jr = 0; jr < nc; jr += NR32) {
      const cols = min(NR32, nc - jr);
      const pb = packedB + (<usize>(jr * kc) << 2);
      for (let ir = 0; ir < mc; ir += MR) {
        const rows = min(MR, mc - ir);
        const pa = packedA + (<usize>(ir * kc) << 4);
        const at = cBlock + (<usize>(ir * ldc + jr) << 2);
        if (rows == MR && cols == NR32) {
          kernel32(kc, pa, pb, at, <usize>ldc << 2, add);
        } else {
          kernel32(kc, pa, pb, tile, 32, false);
          storeEdge32(tile, at, ldc, rows, cols, add);
        }
      }
    }
  }
}

/**
 * Packs an mc×kc block of op(A) into MR-row panels, depth-major, each element broadcast to a
 * vector; rows past mc are zero.
 */
function packA32(a: usize, rowA: i32, colA: i32, mc: i32, kc: i32, out: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = out + (<usize>(ir * kc) << 4);
    const base = a + (<usize>(ir * rowA) << 2);
    for (let r = 0; r < MR; r++) {
      let o = panel + (<usize>r << 4);
      if (r < rows) {
        let at = base + (<usize>(r * rowA) << 2);
        const step = <usize>colA << 2;
        for (let p = 0; p < kc; p++) {
          v128.store(o, f32x4.splat(load<f32>(at)));
          at += step;
          o += MR << 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(o, f32x4.splat(0));
          o += MR << 4;
        }
      }
    }
  }
}

/** Packs a kc×nc block of op(B) into NR32-column panels, depth-major; columns past nc are zero. */
function packB32(b: usize, rowB: i32, colB: i32, kc: i32, nc: i32, out: usize): void {
  const rowStep = <usize>rowB << 2;
  for (let jr = 0; jr < nc; jr += NR32) {
    const cols = min(NR32, nc - jr);
    let at = b + (<usize>(jr * colB) << 2);
    if (cols == NR32 && colB == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(at));
        v128.store(out, v128.load(at, 16), 16);
        at += rowStep;
        out += NR32 << 2;
      }
    } else if (cols == NR32 && rowB == 1) {
      // op(B) = Bᵀ: the panel's 8 columns are 8 rows of B, each contiguous in depth. Four depth
      // steps of each are loaded as vectors and transposed 4×4 in registers.
      const column = <usize>colB << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        transpose4(at, column, out);
        transpose4(at + 4 * column, column, out + 16);
        at += 16;
        out += NR32 << 4;
      }
      for (; p < kc; p++) {
        for (let s = 0; s < NR32; s++) store<f32>(out + (<usize>s << 2), load<f32>(at + <usize>s * column));
        at += 4;
        out += NR32 << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let s = 0; s < NR32; s++) {
          store<f32>(out + (<usize>s << 2), s < cols ? load<f32>(at + (<usize>(s * colB) << 2)) : 0);
        }
        at += rowStep;
        out += NR32 << 2;
      }
    }
  }
}

/**
 * Loads four vectors at `at`, at + stride, at + 2·stride and at + 3·stride (rows r0 to r3) and
 * stores their transpose as four vectors 32 bytes apart from `out`: out row q contains element q of
 * each row.
 */
// @ts-ignore: decorator
@inline function transpose4(at: usize, stride: usize, out: usize): void {
  const r0 = v128.load(at);
  const r1 = v128.load(at + stride);
  const r2 = v128.load(at + 2 * stride);
  const r3 = v128.load(at + 3 * stride);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(out, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
  v128.store(out, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
  v128.store(out, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
}

/** Multiplies one packed MR×kc A panel by one packed kc×NR32 B panel into the tile at c. */
function kernel32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load(pa);
    c00 = madd32(x, b0, c00);
    c01 = madd32(x, b1, c01);
    x = v128.load(pa, 16);
    c10 = madd32(x, b0, c10);
    c11 = madd32(x, b1, c11);
    x = v128.load(pa, 32);
    c20 = madd32(x, b0, c20);
    c21 = madd32(x, b1, c21);
    x = v128.load(pa, 48);
    c30 = madd32(x, b0, c30);
    c31 = madd32(x, b1, c31);
    pa += MR << 4;
    pb += NR32 << 2;
  }
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16)); c += ldc;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16)); c += ldc;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16)); c += ldc;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    c -= ldc * 3;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** Writes (or adds) the top-left rows×cols part of an edge tile (rows of 32 bytes) into C. */
function storeEdge32(tile: usize, c: usize, ldc: i32, rows: i32, cols: i32, add: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = c + (<usize>(r * ldc) << 2);
    const t = tile + (<usize>r << 5);
    for (let s = 0; s < cols; s++) {
      const at = row + (<usize>s << 2);
      const value = load<f32>(t + (<usize>s << 2));
      store<f32>(at, add ? load<f32>(at) + value : value);
    }
  }
}

/** Float64 counterpart of sgemm: same arguments, 8-byte elements, f64x2 micro-kernel. */
export function dgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  const rowA = transA ? 1 : lda;
  const colA = transA ? lda : 1;
  const rowB = transB ? 1 : ldb;
  const colB = transB ? ldb : 1;
  const packedA = work;
  const packedB = work + <usize>PACKED_A_BYTES;
  const tile = work + <usize>TILE_OFFSET;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const add = accumulate != 0 || pc > 0;
      packB64(b + (<usize>(pc * rowB + jc * colB) << 3), rowB, colB, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA64(a + (<usize>(ic * rowA + pc * colA) << 3), rowA, colA, mc, kc, packedA);
        const cBlock = c + (<usize>(ic * ldc + jc) << 3);
        for (let jr = 0; jr < nc; jr += NR64) {
          const cols = min(NR64, nc - jr);
          const pb = packedB + (<usize>(jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const pa = packedA + (<usize>(ir * kc) << 4);
            const at = cBlock + (<usize>(ir * ldc + jr) << 3);
            if (rows == MR && cols == NR64) {
              kernel64(kc, pa, pb, at, <usize>ldc << 3, add);
            } else {
              kernel64(kc, pa, pb, tile, 32, false);
              storeEdge64(tile, at, ldc, rows, cols, add);
            }
          }
        }
      }
    }
  }
}

/** Float64 counterpart of packA32: each element broadcast to an f64x2 vector. */
function packA64(a: usize, rowA: i32, colA: i32, mc: i32, kc: i32, out: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = out + (<usize>(ir * kc) << 4);
    const base = a + (<usize>(ir * rowA) << 3);
    for (let r = 0; r < MR; r++) {
      let o = panel + (<usize>r << 4);
      if (r < rows) {
        let at = base + (<usize>(r * rowA) << 3);
        const step = <usize>colA << 3;
        for (let p = 0; p < kc; p++) {
          v128.store(o, f64x2.splat(load<f64>(at)));
          at += step;
          o += MR << 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(o, f64x2.splat(0));
          o += MR << 4;
        }
      }
    }
  }
}

/** Packs a kc×nc block of op(B) into NR64-column panels of float64; columns past nc are zero. */
function packB64(b: usize, rowB: i32, colB: i32, kc: i32, nc: i32, out: usize): void {
  const rowStep = <usize>rowB << 3;
  for (let jr = 0; jr < nc; jr += NR64) {
    const cols = min(NR64, nc - jr);
    let at = b + (<usize>(jr * colB) << 3);
    if (cols == NR64 && colB == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(at));
        v128.store(out, v128.load(at, 16), 16);
        at += rowStep;
        out += NR64 << 3;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let s = 0; s < NR64; s++) {
          store<f64>(out + (<usize>s << 3), s < cols ? load<f64>(at + (<usize>(s * colB) << 3)) : 0);
        }
        at += rowStep;
        out += NR64 << 3;
      }
    }
  }
}

/** Multiplies one packed MR×kc A panel by one packed kc×NR64 B panel into the tile at c. */
function kernel64(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f64x2.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load(pa);
    c00 = madd64(x, b0, c00);
    c01 = madd64(x, b1, c01);
    x = v128.load(pa, 16);
    c10 = madd64(x, b0, c10);
    c11 = madd64(x, b1, c11);
    x = v128.load(pa, 32);
    c20 = madd64(x, b0, c20);
    c21 = madd64(x, b1, c21);
    x = v128.load(pa, 48);
    c30 = madd64(x, b0, c30);
    c31 = madd64(x, b1, c31);
    pa += MR << 4;
    pb += NR64 << 3;
  }
  if (add) {
    c00 = f64x2.add(c00, v128.load(c)); c01 = f64x2.add(c01, v128.load(c, 16)); c += ldc;
    c10 = f64x2.add(c10, v128.load(c)); c11 = f64x2.add(c11, v128.load(c, 16)); c += ldc;
    c20 = f64x2.add(c20, v128.load(c)); c21 = f64x2.add(c21, v128.load(c, 16)); c += ldc;
    c30 = f64x2.add(c30, v128.load(c)); c31 = f64x2.add(c31, v128.load(c, 16));
    c -= ldc * 3;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
  v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
  v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
  v128.store(c, c30); v128.store(c, c31, 16);
}

/** Writes (or adds) the top-left rows×cols part of a float64 edge tile (rows of 32 bytes) into C. */
function storeEdge64(tile: usize, c: usize, ldc: i32, rows: i32, cols: i32, add: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = c + (<usize>(r * ldc) << 3);
    const t = tile + (<usize>r << 5);
    for (let s = 0; s < cols; s++) {
      const at = row + (<usize>s << 3);
      const value = load<f64>(t + (<usize>s << 3));
      store<f64>(at, add ? load<f64>(at) + value : value);
    }
  }
}
