// Second-order and quasi-Newton optimizers, each updating through `step(closure)`.
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export { strongWolfe, backtracking, cubicInterpolate, type DirectionalEvaluate, type WolfeResult } from "./line_search.js";
