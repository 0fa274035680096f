// Analysis of models: `pl.analysis`.
export * as hessian from "./hessian/index.js";
