// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
