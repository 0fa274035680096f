/**
 * paramlab's core: tensors with autograd, ops, and (as they land) layers, optimizers, data,
 * training, analysis and displays. `import * as pl from "paramlab"`.
 */
export * from "./tensor/index.js";
export * from "./ops/index.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/index.js";
export * as autograd from "./autograd/index.js";
export * as data from "./data/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as train from "./train/index.js";
export * as display from "./display/index.js";
export * as analysis from "./analysis/index.js";
export { setBackend, getBackend, setNumThreads, getNumThreads, type BackendName, type BackendOptions } from "./backend/backend.js";
