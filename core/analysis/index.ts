// Analysis of models: `pl.analysis`.
export * as hessian from "./hessian/index.js";
export { complexity, type ComplexitySummary, type LayerSummary, type ComplexityOptions } from "./complexity/index.js";
export { linearRegions, linearRegionsAlongLine, trajectoryLength, type LinearRegions, type LineRegions, type TrajectoryLength } from "./expressivity/index.js";
