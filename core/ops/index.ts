// Each family file attaches its Tensor methods when imported, so this index imports all of them.
export * from "./arithmetic.js";
export * from "./unary.js";
export * from "./reduce.js";
export * from "./shape.js";
export * from "./matmul.js";
export * from "./softmax.js";
export * from "./comparison.js";
export * from "./pool.js";
export * from "./join.js";
export * from "./indexing.js";
export * from "./index_method.js";
export * from "./inplace.js";
export * from "./conv.js";
