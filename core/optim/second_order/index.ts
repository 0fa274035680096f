// Second-order and quasi-Newton optimizers, each updating through `step(closure)`.
export { LBFGS, type LBFGSOptions } from "./lbfgs.js";
export { BFGS, type BFGSOptions } from "./bfgs.js";
export { Newton, type NewtonOptions } from "./newton.js";
export { NewtonCG, truncatedCG, type NewtonCGOptions, type CGResult } from "./newton_cg.js";
export { AdaHessian, type AdaHessianOptions } from "./adahessian.js";
export { strongWolfe, backtracking, cubicInterpolate, type DirectionalEvaluate, type WolfeResult } from "./line_search.js";
