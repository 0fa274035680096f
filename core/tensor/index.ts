export { type DType, type TypedArray, type FloatArray, DTYPES, isFloating, promoteTypes } from "./dtype.js";
export { ParamlabError, ShapeError, DTypeError, InvalidArgumentError, AutogradError } from "./errors.js";
export { Generator, manualSeed, initialSeed, defaultGenerator } from "./random.js";
export { Storage } from "./storage.js";
export { Tensor, type NestedArray, type TensorHook } from "./tensor.js";
export { type TensorLike, type TensorOptions } from "./convert.js";
export * from "./creation.js";
