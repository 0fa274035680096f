// Analysis of models: `pl.analysis`.
export * as hessian from "./hessian/index.js";
export { complexity, type ComplexitySummary, type LayerSummary, type ComplexityOptions } from "./complexity/index.js";
export { linearRegions, trajectoryLength, type LinearRegions, type TrajectoryLength } from "./expressivity/index.js";
