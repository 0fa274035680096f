// Transpiles the TypeScript sources to dist/ (one file per source, ESM) and bundles the lab's
// web app. Runs on `npm install` through the `prepare` script, so a fresh clone is ready to use.
import { build } from "esbuild";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "web") out.push(...listSources(path));
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".as.ts")) {
      out.push(path);
    }
  }
  return out;
}

const entryPoints = ["core", "kernel", "lab"]
  .map((dir) => join(root, dir))
  .filter((dir) => existsSync(dir))
  .flatMap(listSources);

await build({
  entryPoints,
  outdir: join(root, "dist"),
  outbase: root,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});

const webEntry = join(root, "lab/web/main.ts");
if (existsSync(webEntry)) {
  await build({
    entryPoints: [webEntry],
    outfile: join(root, "dist/lab/web/app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    loader: { ".woff2": "file", ".woff": "file", ".ttf": "file" },
    logLevel: "warning",
  });
}

// --- WebAssembly kernels ---
// Compiles the AssemblyScript kernels with SIMD and shared memory, twice: kernels.wasm with
// SIMD128 only, and kernels-fma.wasm with relaxed SIMD as well, whose GEMM multiplies and adds in
// one fused instruction. The runtime loads the second where relaxed SIMD validates. kernels.as.ts
// is the entry; it re-exports the other *.as.ts files of core/backend/wasm/. Without the
// assemblyscript package the step is skipped and paramlab runs on its TypeScript backend.
const wasmDir = join(root, "core/backend/wasm");
if (existsSync(join(wasmDir, "kernels.as.ts"))) {
  let asc = null;
  try {
    asc = (await import("assemblyscript/asc")).default;
  } catch {
    console.warn("build: assemblyscript is not installed; skipping the WebAssembly kernels");
  }
  const builds = [
    { file: "kernels.wasm", features: ["simd", "threads"] },
    { file: "kernels-fma.wasm", features: ["simd", "threads", "relaxed-simd"] },
  ];
  for (const { file, features } of asc ? builds : []) {
    const { error, stderr } = await asc.main([
      join(wasmDir, "kernels.as.ts"), "-O3", "--runtime", "stub", "--noAssert", "--use", "abort=",
      ...features.flatMap((feature) => ["--enable", feature]), "--importMemory", "--sharedMemory",
      "--initialMemory", "1", "--maximumMemory", "65536", "--outFile", join(root, "dist/core/backend/wasm", file),
    ]);
    if (error) throw new Error(`build: compiling ${file} failed: ${error.message}\n${stderr.toString()}`);
  }
}
