/**
 * 2-D convolution on the WebAssembly kernels, with the column matrix kept in linear memory.
 *
 * Each call copies every operand into linear memory once (in chunks of images for large
 * batches), unfolds each image there with the im2col kernel of conv.as.ts, runs sgemm or dgemm on
 * those addresses, and copies the result out once. The arguments follow the kernels of
 * core/ops/conv.ts and are already checked there.
 *
 * Max pooling over tiles runs here too, because its kernels share conv.as.ts with the
 * convolution kernels.
 *
 * When setThreadCount() allows more than one thread, large GEMMs split over the worker threads
 * as gemm() does, and GEMMs too small to split run one image per thread instead. im2col, col2im
 * and the other kernels always run on the calling thread.
 */
import type { Conv2dGeometry } from "../im2col.js";
import type { FloatArray } from "../gemm.js";
import { type GemmArguments, THREAD_MIN_FLOPS, runGemmInMemory } from "./gemm.js";
import { type KernelJob, MAX_THREADS, runJobLists, threadCount } from "./pool.js";
import { alignUp, ensureMemory, workspaceAddress, type WasmKernels } from "./runtime.js";

/** Sizes of one batched, grouped convolution. */
export interface ConvProblem {
  batch: number;
  groups: number;
  outChannels: number;
  /** The lowering of one whole image, all input channels. Group g owns column rows g·k to (g + 1)·k − 1. */
  lowering: Conv2dGeometry;
}

/** A typed array with the element offset where its operand starts. */
export interface Operand {
  data: FloatArray;
  offset: number;
}

/** Output operands of a fused backward, one per gradient. A null entry is not computed. */
export interface ConvGradients {
  input: Operand | null;
  weight: Operand | null;
  bias: Operand | null;
}

type Im2colKernel = (
  x: number, channels: number, height: number, width: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
  outH: number, outW: number, cols: number, ldCols: number,
) => void;
type Col2imKernel = (
  cols: number, ldCols: number, channels: number, height: number, width: number,
  kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
  outH: number, outW: number, x: number,
) => void;

/** The kernels of one dtype, and the element size. */
interface DtypeKernels {
  size: 4 | 8;
  im2col: Im2colKernel;
  col2im: Col2imKernel;
  fillBias: (y: number, bias: number, n: number, channels: number, positions: number) => void;
  biasGrad: (g: number, n: number, channels: number, positions: number, out: number, accumulate: number) => void;
  copyRows2d: (src: number, srcStride: number, dst: number, dstStride: number, rows: number, bytes: number) => void;
}

function kernelsFor(kernels: WasmKernels, size: 4 | 8): DtypeKernels {
  const suffix = size === 4 ? "32" : "64";
  const exports = kernels.exports as Record<string, unknown>;
  return {
    size,
    im2col: exports[`im2col${suffix}`] as Im2colKernel,
    col2im: exports[`col2im${suffix}`] as Col2imKernel,
    fillBias: exports[`fillBias${suffix}`] as DtypeKernels["fillBias"],
    biasGrad: exports[`biasGrad${suffix}`] as DtypeKernels["biasGrad"],
    copyRows2d: exports.copyRows2d as DtypeKernels["copyRows2d"],
  };
}

/**
 * Byte regions of one call in the operand area of linear memory, each aligned to 64 bytes.
 * `place` reserves a region; `fits` grows the memory to hold every region reserved so far.
 */
class Arena {
  private end: number;

  constructor(kernels: WasmKernels, readonly size: number) {
    this.end = workspaceAddress(kernels, MAX_THREADS);
  }

  /** Reserves `elements` elements of `elementSize` bytes (the dtype's by default) and returns their address. */
  place(elements: number, elementSize: number = this.size): number {
    const at = this.end;
    this.end += alignUp(elements * elementSize, 64);
    return at;
  }

  fits(memory: WebAssembly.Memory): boolean {
    return ensureMemory(memory, this.end);
  }
}

/** Per-image and per-group sizes, in elements. */
function sizesOf(problem: ConvProblem) {
  const l = problem.lowering;
  const positions = l.outHeight * l.outWidth;
  const k = (l.channels / problem.groups) * l.kernelHeight * l.kernelWidth;
  return {
    positions,
    k,
    coutPerGroup: problem.outChannels / problem.groups,
    image: l.channels * l.height * l.width,
    outImage: problem.outChannels * positions,
    cols: l.channels * l.kernelHeight * l.kernelWidth * positions,
    weight: problem.outChannels * k,
  };
}

/** Returns whether the column matrix of an image is the image itself: a 1×1 kernel, stride 1 and no padding. */
function isIdentityLowering(l: Conv2dGeometry): boolean {
  return l.kernelHeight === 1 && l.kernelWidth === 1 && l.strideHeight === 1 && l.strideWidth === 1 &&
    l.paddingHeight === 0 && l.paddingWidth === 0;
}

/** Unfolds image x into the column matrix at `cols`, whose rows are `ldCols` elements apart (one image's positions by default). */
function runIm2col(k: DtypeKernels, l: Conv2dGeometry, x: number, cols: number, ldCols = l.outHeight * l.outWidth): void {
  k.im2col(
    x, l.channels, l.height, l.width, l.kernelHeight, l.kernelWidth, l.strideHeight, l.strideWidth,
    l.paddingHeight, l.paddingWidth, l.dilationHeight, l.dilationWidth, l.outHeight, l.outWidth,
    cols, ldCols,
  );
}

function runCol2im(k: DtypeKernels, l: Conv2dGeometry, cols: number, x: number): void {
  k.col2im(
    cols, l.outHeight * l.outWidth, l.channels, l.height, l.width, l.kernelHeight, l.kernelWidth,
    l.strideHeight, l.strideWidth, l.paddingHeight, l.paddingWidth, l.dilationHeight, l.dilationWidth,
    l.outHeight, l.outWidth, x,
  );
}

function viewOf(memory: WebAssembly.Memory, size: 4 | 8): FloatArray {
  return size === 4 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
}

/** Copies `length` elements of `from` into linear memory at byte address `at`. */
function copyIn(view: FloatArray, at: number, from: Operand, length: number): void {
  view.set(from.data.subarray(from.offset, from.offset + length), at / view.BYTES_PER_ELEMENT);
}

/** Copies `length` elements at byte address `at` of linear memory into `to`. */
function copyOut(view: FloatArray, at: number, to: Operand, length: number): void {
  const start = at / view.BYTES_PER_ELEMENT;
  to.data.set(view.subarray(start, start + length), to.offset);
}

/**
 * Returns the element size of the operands, or null when their dtypes differ or a GEMM of the
 * problem would have a zero size (the kernels need positive sizes, so the caller's loops run).
 */
function commonSize(problem: ConvProblem, ...operands: (Operand | null)[]): 4 | 8 | null {
  const s = sizesOf(problem);
  if (problem.batch === 0 || s.positions === 0 || s.k === 0 || s.coutPerGroup === 0) return null;
  let size: number | null = null;
  for (const operand of operands) {
    if (operand === null) continue;
    const own = operand.data.BYTES_PER_ELEMENT;
    if (size !== null && own !== size) return null;
    size = own;
  }
  return size === 4 || size === 8 ? size : null;
}

/** Runs one GEMM on operands in linear memory, split over the worker threads when it is large. */
function runGemm(kernels: WasmKernels, size: 4 | 8, args: GemmArguments): void {
  runGemmInMemory(kernels, size === 8, args);
}

/**
 * From this many multiply-adds per product on, products too small to split run one image per
 * thread. Below it, waking a worker costs more than the product.
 */
const IMAGE_THREAD_MIN_FLOPS = 1024 * 1024;

/** Bytes of column matrices that one round of images spread over the threads may keep. */
const ROUND_COLUMN_BYTES = 16 * 1024 * 1024;

/**
 * Returns how many images of a chunk of `chunk` run in one round, spread over the threads. That is
 * more than 1 only when a group's product lies between IMAGE_THREAD_MIN_FLOPS and the size that
 * gemm() splits over threads: a larger product splits instead, and a smaller one stays on the
 * calling thread. A round takes as many images as ROUND_COLUMN_BYTES of column matrices allow.
 */
function imagesAtOnce(problem: ConvProblem, size: number, chunk: number): number {
  const s = sizesOf(problem);
  const macs = s.coutPerGroup * s.positions * s.k;
  const threads = threadCount();
  if (threads <= 1 || macs < IMAGE_THREAD_MIN_FLOPS || macs >= THREAD_MIN_FLOPS) return 1;
  return Math.min(chunk, Math.max(threads, Math.floor(ROUND_COLUMN_BYTES / (s.cols * size))));
}

/**
 * Bytes of column matrices that one weight-gradient product takes. On the CNN of
 * bench/training.mjs (2 cores), 4 MiB gave the fastest two-thread step of 1, 4 and 16 MiB.
 */
const WEIGHT_GROUP_COLUMN_BYTES = 4 * 1024 * 1024;

/**
 * Returns how many images of a chunk of `chunk` the weight gradient takes in one product: their
 * column matrices side by side, as many as WEIGHT_GROUP_COLUMN_BYTES allow. The count does not depend
 * on the thread count, so the sum runs in the same order, with the same bits, on any number of
 * threads. A 1×1 lowering uses the images as their own columns and takes one at a time.
 */
function weightGradImages(problem: ConvProblem, size: number, chunk: number, identity: boolean): number {
  if (identity) return 1;
  return Math.min(chunk, Math.max(1, Math.floor(WEIGHT_GROUP_COLUMN_BYTES / (sizesOf(problem).cols * size))));
}

/**
 * Runs GEMMs that write disjoint outputs, each thread a contiguous block of them with its own
 * workspace, in one round of the worker pool. The same products run alone give the same bits.
 */
function runIndependent(kernels: WasmKernels, size: 4 | 8, products: readonly GemmArguments[]): void {
  const threads = threadCount();
  if (threads <= 1 || products.length <= 1) {
    for (const args of products) runGemm(kernels, size, args);
    return;
  }
  const per = Math.ceil(products.length / threads);
  const lists = [];
  for (let t = 0; t * per < products.length; t++) {
    lists.push(products.slice(t * per, (t + 1) * per).map((args) => ({ double: size === 8, args: [...args, workspaceAddress(kernels, t)] as KernelJob["args"] })));
  }
  runJobLists(kernels, lists);
}

/**
 * Maximum bytes of per-image operands (input, output, gradients) that one pass keeps in linear memory.
 * Larger batches run in chunks of images, so that memory, which never shrinks, stays near this
 * size plus the weights and one image's column matrix. A float32 convolution of 64 images from
 * 1×28×28 to 32×28×28 needs 6.6 MB, so it runs as one chunk.
 */
export const CHUNK_BYTES = 32 * 1024 * 1024;

/** Returns how many images (or planes) of `bytesPerImage` bytes fit in one chunk: at least 1, at most `batch`. */
function imagesPerChunk(batch: number, bytesPerImage: number, chunkBytes: number): number {
  return Math.max(1, Math.min(batch, Math.floor(chunkBytes / bytesPerImage)));
}

/** Returns the operand that starts `elements` elements after `operand`. */
function advance(operand: Operand, elements: number): Operand {
  return { data: operand.data, offset: operand.offset + elements };
}

/**
 * Computes y = conv(x, w) + bias for every image, with y [N, Cout, outH, outW] at `y`, in chunks
 * of images that hold at most `chunkBytes` bytes of input and output. Returns false without
 * touching y when the operands' dtypes differ or do not fit in linear memory, so that the caller
 * runs the TypeScript kernels instead.
 */
export function wasmConvForward(
  kernels: WasmKernels, problem: ConvProblem, x: Operand, w: Operand, bias: Operand | null, y: Operand, chunkBytes = CHUNK_BYTES,
): boolean {
  const size = commonSize(problem, x, w, bias, y);
  if (size === null) return false;
  const s = sizesOf(problem);
  const chunk = imagesPerChunk(problem.batch, (s.image + s.outImage) * size, chunkBytes);
  const identity = isIdentityLowering(problem.lowering);
  const together = imagesAtOnce(problem, size, chunk);
  const arena = new Arena(kernels, size);
  const [xAt, wAt, yAt] = [arena.place(chunk * s.image), arena.place(s.weight), arena.place(chunk * s.outImage)];
  const biasAt = bias === null ? 0 : arena.place(problem.outChannels);
  // One column matrix per image that runs at once.
  const colsAt = identity ? 0 : arena.place(together * s.cols);
  if (!arena.fits(kernels.memory)) return false;

  const k = kernelsFor(kernels, size);
  const view = viewOf(kernels.memory, size);
  copyIn(view, wAt, w, s.weight);
  if (bias !== null) copyIn(view, biasAt, bias, problem.outChannels);
  for (let first = 0; first < problem.batch; first += chunk) {
    const count = Math.min(chunk, problem.batch - first);
    copyIn(view, xAt, advance(x, first * s.image), count * s.image);
    if (bias !== null) k.fillBias(yAt, biasAt, count, problem.outChannels, s.positions);
    for (let start = 0; start < count; start += together) {
      const products: GemmArguments[] = [];
      for (let b = start; b < Math.min(start + together, count); b++) {
        const image = xAt + b * s.image * size;
        const cols = identity ? image : colsAt + (b - start) * s.cols * size;
        if (!identity) runIm2col(k, problem.lowering, image, cols);
        for (let group = 0; group < problem.groups; group++) {
          products.push([
            0, 0, s.coutPerGroup, s.positions, s.k,
            wAt + group * s.coutPerGroup * s.k * size, s.k,
            cols + group * s.k * s.positions * size, s.positions,
            yAt + (b * s.outImage + group * s.coutPerGroup * s.positions) * size, s.positions,
            bias === null ? 0 : 1,
          ]);
        }
      }
      runIndependent(kernels, size, products);
    }
    copyOut(view, yAt, advance(y, first * s.outImage), count * s.outImage);
  }
  return true;
}

/**
 * Computes the input gradient dx [N, Cin, H, W] of a convolution from its output gradient g and
 * weight w: the columns Wᵀ·g of each image, added back onto the image by col2im.
 * Returns false as wasmConvForward does.
 */
export function wasmConvInputGrad(kernels: WasmKernels, problem: ConvProblem, g: Operand, w: Operand, dx: Operand, chunkBytes = CHUNK_BYTES): boolean {
  return wasmConvBackward(kernels, problem, null, w, g, { input: dx, weight: null, bias: null }, chunkBytes);
}

/**
 * Computes the weight gradient dw [Cout, Cin/groups, kH, kW] = Σ over images of g·colsᵀ from the
 * input x and output gradient g. Returns false as wasmConvForward does.
 */
export function wasmConvWeightGrad(kernels: WasmKernels, problem: ConvProblem, x: Operand, g: Operand, dw: Operand, chunkBytes = CHUNK_BYTES): boolean {
  return wasmConvBackward(kernels, problem, x, null, g, { input: null, weight: dw, bias: null }, chunkBytes);
}

/** Byte addresses of one backward call's regions; 0 marks a region the call does not use. */
interface BackwardPlacement {
  x: number;
  w: number;
  g: number;
  dx: number;
  dw: number;
  bias: number;
  cols: number;
  /** The output gradients of a weight-gradient group side by side: [Cout, images·positions]. */
  gRows: number;
}

/** Returns how many bytes of input, output gradient and input gradient one image needs in a backward pass. */
function backwardBytesPerImage(problem: ConvProblem, gradients: ConvGradients, size: number): number {
  const s = sizesOf(problem);
  const inputs = (gradients.weight !== null ? 1 : 0) + (gradients.input !== null ? 1 : 0);
  return (s.outImage + inputs * s.image) * size;
}

/**
 * Places the operands of a backward pass: `together` column matrices serve the images whose input
 * gradients run at once, and `weightGroup` those of one weight-gradient product.
 */
function placeBackward(
  arena: Arena, problem: ConvProblem, chunk: number, identity: boolean, gradients: ConvGradients, together: number, weightGroup: number,
): BackwardPlacement {
  const s = sizesOf(problem);
  const columns = Math.max(gradients.input !== null ? together : 0, gradients.weight !== null ? weightGroup : 0);
  const grouped = gradients.weight !== null && weightGroup > 1;
  return {
    x: gradients.weight !== null ? arena.place(chunk * s.image) : 0,
    w: gradients.input !== null ? arena.place(s.weight) : 0,
    g: arena.place(chunk * s.outImage),
    dx: gradients.input !== null ? arena.place(chunk * s.image) : 0,
    dw: gradients.weight !== null ? arena.place(s.weight) : 0,
    bias: gradients.bias !== null ? arena.place(problem.outChannels) : 0,
    cols: identity ? 0 : arena.place(columns * s.cols),
    gRows: grouped ? arena.place(weightGroup * s.outImage) : 0,
  };
}

/**
 * Computes the requested gradients of y = conv(x, w) + bias from the output gradient g in one
 * pass over the images, copying g into linear memory once: dx (needs w), dw (needs x) and the
 * bias gradient. `x` may be null when dw is not requested and `w` when dx is not. Images run in
 * chunks as in wasmConvForward. Returns false as wasmConvForward does.
 */
export function wasmConvBackward(
  kernels: WasmKernels, problem: ConvProblem, x: Operand | null, w: Operand | null, g: Operand, gradients: ConvGradients,
  chunkBytes = CHUNK_BYTES,
): boolean {
  const size = commonSize(problem, x, w, g, gradients.input, gradients.weight, gradients.bias);
  if (size === null) return false;
  const s = sizesOf(problem);
  const chunk = imagesPerChunk(problem.batch, backwardBytesPerImage(problem, gradients, size), chunkBytes);
  const identity = isIdentityLowering(problem.lowering);
  const together = imagesAtOnce(problem, size, chunk);
  const weightGroup = weightGradImages(problem, size, chunk, identity);
  const arena = new Arena(kernels, size);
  const at = placeBackward(arena, problem, chunk, identity, gradients, together, weightGroup);
  if (!arena.fits(kernels.memory)) return false;

  const k = kernelsFor(kernels, size);
  const view = viewOf(kernels.memory, size);
  if (gradients.input !== null && w !== null) copyIn(view, at.w, w, s.weight);
  for (let first = 0; first < problem.batch; first += chunk) {
    const count = Math.min(chunk, problem.batch - first);
    copyIn(view, at.g, advance(g, first * s.outImage), count * s.outImage);
    if (gradients.weight !== null && x !== null) copyIn(view, at.x, advance(x, first * s.image), count * s.image);
    if (gradients.input !== null) view.fill(0, at.dx / size, at.dx / size + count * s.image);
    if (gradients.weight !== null) {
      for (let start = 0; start < count; start += weightGroup) {
        const end = Math.min(start + weightGroup, count);
        if (end - start === 1) addWeightGrad(k, problem, at, start, first + start > 0, identity, kernels);
        else addGroupWeightGrad(k, problem, at, start, end, first + start > 0, kernels);
      }
    }
    if (gradients.input !== null) {
      for (let start = 0; start < count; start += together) addInputGrads(k, problem, at, start, Math.min(start + together, count), identity, kernels);
    }
    if (gradients.bias !== null) k.biasGrad(at.g, count, problem.outChannels, s.positions, at.bias, first > 0 ? 1 : 0);
    if (gradients.input !== null) copyOut(view, at.dx, advance(gradients.input, first * s.image), count * s.image);
  }

  if (gradients.weight !== null) copyOut(view, at.dw, gradients.weight, s.weight);
  if (gradients.bias !== null) copyOut(view, at.bias, gradients.bias, problem.outChannels);
  return true;
}

/**
 * Adds the term g[b]·cols(x[b])ᵀ of image b of the chunk into dw, per group. With `accumulate`
 * false it overwrites dw instead.
 */
function addWeightGrad(
  k: DtypeKernels, problem: ConvProblem, at: BackwardPlacement, b: number, accumulate: boolean, identity: boolean, kernels: WasmKernels,
): void {
  const s = sizesOf(problem);
  const size = k.size;
  const image = at.x + b * s.image * size;
  const cols = identity ? image : at.cols;
  if (!identity) runIm2col(k, problem.lowering, image, cols);
  for (let group = 0; group < problem.groups; group++) {
    runGemm(kernels, size, [
      0, 1, s.coutPerGroup, s.k, s.positions,
      at.g + (b * s.outImage + group * s.coutPerGroup * s.positions) * size, s.positions,
      cols + group * s.k * s.positions * size, s.positions,
      at.dw + group * s.coutPerGroup * s.k * size, s.k,
      accumulate ? 1 : 0,
    ]);
  }
}

/**
 * Adds the terms of images start to end − 1 of the chunk into dw as one product per group. Their
 * output gradients and column matrices lie side by side, so the depth of the product runs over
 * every position of every image in order. A large product splits over the threads by columns of dw.
 */
function addGroupWeightGrad(
  k: DtypeKernels, problem: ConvProblem, at: BackwardPlacement, start: number, end: number, accumulate: boolean, kernels: WasmKernels,
): void {
  const s = sizesOf(problem);
  const size = k.size;
  const width = (end - start) * s.positions;
  for (let b = start; b < end; b++) {
    const column = (b - start) * s.positions * size;
    runIm2col(k, problem.lowering, at.x + b * s.image * size, at.cols + column, width);
    k.copyRows2d(at.g + b * s.outImage * size, s.positions * size, at.gRows + column, width * size, problem.outChannels, s.positions * size);
  }
  for (let group = 0; group < problem.groups; group++) {
    runGemm(kernels, size, [
      0, 1, s.coutPerGroup, s.k, width,
      at.gRows + group * s.coutPerGroup * width * size, width,
      at.cols + group * s.k * width * size, width,
      at.dw + group * s.coutPerGroup * s.k * size, s.k,
      accumulate ? 1 : 0,
    ]);
  }
}

/**
 * Adds the input gradients of images start to end − 1 of the chunk. The products cols = Wᵀ·g[b]
 * (per group, one column matrix per image) run spread over the threads, then col2im adds each
 * column matrix onto its dx[b].
 */
function addInputGrads(k: DtypeKernels, problem: ConvProblem, at: BackwardPlacement, start: number, end: number, identity: boolean, kernels: WasmKernels): void {
  const s = sizesOf(problem);
  const size = k.size;
  // With an identity lowering the columns are dx[b] itself, which starts at zero, so the GEMM
  // writes there directly.
  const columnsOf = (b: number): number => (identity ? at.dx + b * s.image * size : at.cols + (b - start) * s.cols * size);
  const products: GemmArguments[] = [];
  for (let b = start; b < end; b++) {
    for (let group = 0; group < problem.groups; group++) {
      products.push([
        1, 0, s.k, s.positions, s.coutPerGroup,
        at.w + group * s.coutPerGroup * s.k * size, s.k,
        at.g + (b * s.outImage + group * s.coutPerGroup * s.positions) * size, s.positions,
        columnsOf(b) + group * s.k * s.positions * size, s.positions,
        0,
      ]);
    }
  }
  runIndependent(kernels, size, products);
  if (identity) return;
  for (let b = start; b < end; b++) runCol2im(k, problem.lowering, columnsOf(b), at.dx + b * s.image * size);
}

/** Sizes of a max pooling whose kh×kw windows tile each plane (kernel = stride, no padding). */
export interface TiledPool {
  planes: number;
  inHeight: number;
  inWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  outHeight: number;
  outWidth: number;
}

type MaxPoolKernel = (
  x: number, planes: number, inH: number, inW: number, kh: number, kw: number, outH: number, outW: number, out: number, index: number,
) => void;

/**
 * Writes the maximum of each tile of x into `out` and its flat position in the plane into
 * `index`; NaN counts as the maximum and ties keep the first position in row-major order.
 * Planes run in chunks of at most `chunkBytes` bytes, as convolutions do. Returns false without
 * writing when the operands do not fit in linear memory.
 */
export function wasmMaxPoolTiles(kernels: WasmKernels, pool: TiledPool, x: Operand, out: Operand, index: Int32Array, chunkBytes = CHUNK_BYTES): boolean {
  const size = x.data.BYTES_PER_ELEMENT as 4 | 8;
  const inPlane = pool.inHeight * pool.inWidth;
  const outPlane = pool.outHeight * pool.outWidth;
  const chunk = imagesPerChunk(pool.planes, inPlane * size + outPlane * (size + 4), chunkBytes);
  const arena = new Arena(kernels, size);
  const [xAt, outAt, indexAt] = [arena.place(chunk * inPlane), arena.place(chunk * outPlane), arena.place(chunk * outPlane, 4)];
  if (!arena.fits(kernels.memory)) return false;

  const view = viewOf(kernels.memory, size);
  const kernel = kernels.exports[size === 4 ? "maxPoolTiles32" : "maxPoolTiles64"] as MaxPoolKernel;
  for (let first = 0; first < pool.planes; first += chunk) {
    const count = Math.min(chunk, pool.planes - first);
    copyIn(view, xAt, advance(x, first * inPlane), count * inPlane);
    kernel(xAt, count, pool.inHeight, pool.inWidth, pool.kernelHeight, pool.kernelWidth, pool.outHeight, pool.outWidth, outAt, indexAt);
    copyOut(view, outAt, advance(out, first * outPlane), count * outPlane);
    index.set(new Int32Array(kernels.memory.buffer, indexAt, count * outPlane), first * outPlane);
  }
  return true;
}
