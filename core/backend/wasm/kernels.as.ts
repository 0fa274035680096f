// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// The entry of the one WebAssembly module that contains every kernel. Each kernel family lives in
// its own *.as.ts file and is re-exported here, so all kernels share one linear memory.
export * from "./gemm.as";
export * from "./elementwise.as";
export * from "./conv.as";
export * from "./optim.as";
export * from "./lstm.as";
