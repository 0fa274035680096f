// Loads TensorFlow.js with its CPU and WASM backends from node_modules, with no network access.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * Imports @tensorflow/tfjs-core with the cpu and wasm backends registered, pointing the wasm
 * backend at the .wasm binaries shipped in its own package. Returns `{ tf, wasm, versions }`.
 */
export async function loadTfjs() {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-cpu");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const wasmPackage = require.resolve("@tensorflow/tfjs-backend-wasm/package.json");
  wasm.setWasmPaths(join(dirname(wasmPackage), "dist") + "/");
  tf.env().set("PROD", true);
  return { tf, wasm, versions: packageVersions() };
}

/** Switches TensorFlow.js to `name` ("cpu" or "wasm") and fails when the backend cannot start. */
export async function useBackend(tf, name) {
  const ready = await tf.setBackend(name);
  if (!ready || tf.getBackend() !== name) {
    throw new Error(`TensorFlow.js backend "${name}" failed to initialize`);
  }
  await tf.ready();
}

/** Describes how the wasm backend runs: SIMD on or off and its thread count. */
export async function describeWasm(tf, wasm) {
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return `SIMD ${simd ? "on" : "off"}, multithreading ${threads ? "on" : "off"}, ${wasm.getThreadsCount()} thread(s)`;
}

function packageVersions() {
  const names = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm"];
  return Object.fromEntries(names.map((name) => [name, require(`${name}/package.json`).version]));
}

let gradientsRegistered = false;

/**
 * Registers TensorFlow.js's gradient functions, which its Node entry point leaves out. Their module
 * uses extensionless ESM imports that Node cannot load, so esbuild bundles it in memory first.
 * The bundle carries a second copy of tfjs-core, which registers into the same global registry.
 */
export async function registerGradients() {
  if (gradientsRegistered) return;
  const { build } = await import("esbuild");
  const entry = require.resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  const bundle = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", write: false, logLevel: "error" });
  await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`);
  gradientsRegistered = true;
}
