import { isFloating } from "../tensor/dtype.js";
import { DTypeError, InvalidArgumentError, ShapeError, formatShape } from "../tensor/errors.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Argument handling shared by convolution and pooling: per-dimension hyperparameters, input rank
 * and dtype checks, and the sliding-window output size.
 */

/**
 * Reads a hyperparameter given as one integer (used for every spatial dimension) or as an array
 * of one integer per spatial dimension, each at least `min`.
 */
export function spatialTuple(op: string, name: string, value: unknown, rank: number, min: number): number[] {
  const list = typeof value === "number" ? new Array<number>(rank).fill(value) : value;
  if (!Array.isArray(list) || list.length !== rank || !list.every((v) => Number.isInteger(v) && v >= min)) {
    const form = rank === 1 ? `an integer >= ${min}` : `an integer >= ${min} or an array of ${rank} such integers`;
    throw new InvalidArgumentError(`${op}: ${name}=${JSON.stringify(value)} is invalid; expected ${form}.`);
  }
  return list as number[];
}

/** Names of the dimensions of a batched input with `spatialRank` spatial dimensions, for messages. */
export function layoutName(spatialRank: number): string {
  return spatialRank === 1 ? "[N, C, L]" : "[N, C, H, W]";
}

/**
 * Checks that `input` is floating and has rank spatialRank + 2 (batched) or spatialRank + 1
 * (unbatched). Returns whether it is batched.
 */
export function checkSpatialInput(op: string, input: Tensor, spatialRank: number): boolean {
  if (!isFloating(input.dtype)) {
    throw new DTypeError(`${op}: input has dtype ${input.dtype}; expected float32 or float64. Convert it with .float().`);
  }
  const batched = input.ndim === spatialRank + 2;
  if (!batched && input.ndim !== spatialRank + 1) {
    const unbatched = spatialRank === 1 ? "[C, L]" : "[C, H, W]";
    throw new ShapeError(
      `${op}: input of shape ${formatShape(input.shape)} has rank ${input.ndim}; expected ${layoutName(spatialRank)} (batched) ` +
        `or ${unbatched} (unbatched).`,
    );
  }
  return batched;
}

/**
 * The number of positions a window of `kernel` taps spaced `dilation` apart takes along a
 * dimension of `size` padded by `padBefore` and `padAfter`, moving by `stride`:
 * floor((size + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride) + 1, or with
 * `ceilMode` the ceiling instead, minus a last window that would start inside the right padding.
 */
export function windowCount(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let count = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (count - 1) * stride >= size + padBefore) count--;
  return count;
}
