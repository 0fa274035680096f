import { DTypeError } from "./errors.js";

/**
 * Element types. `float32` is the default for floating tensors, `int32` stores integer data such
 * as class labels and indices, and `bool` stores masks and comparison results (stored as bytes).
 */
export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

export function isFloating(dtype: DType): dtype is "float32" | "float64" {
  return dtype === "float32" || dtype === "float64";
}

/** Allocates zeroed storage for `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** The dtype whose storage class `data` is. */
export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  return "bool";
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype two tensor operands promote to: bool < int32 < float32 < float64, as in PyTorch. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype of `tensor op scalar`. A JavaScript number is a weak scalar, as a Python scalar is in
 * PyTorch: it never widens a float32 tensor to float64, but a fractional number makes an integer
 * or bool tensor float32.
 */
export function promoteWithScalar(dtype: DType, scalar: number | boolean): DType {
  if (typeof scalar === "boolean") return dtype;
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(scalar)) return "float32";
  return dtype === "bool" ? "int32" : dtype;
}

/** Raises a DTypeError unless `dtype` is floating, naming the op that needs it. */
export function requireFloating(op: string, dtype: DType, argument = "input"): void {
  if (!isFloating(dtype)) {
    throw new DTypeError(
      `${op}: ${argument} has dtype ${dtype}, but a floating dtype (float32 or float64) is required. ` +
        `Convert it first with .to("float32").`,
    );
  }
}
