import type { TypedArray } from "./dtype.js";

/**
 * The flat buffer behind one or more tensors. Views share a Storage, and its `version` counts
 * in-place writes, so autograd can tell when a tensor saved for backward was changed afterwards.
 */
export class Storage {
  version = 0;

  constructor(readonly data: TypedArray) {}

  bumpVersion(): void {
    this.version++;
  }
}
