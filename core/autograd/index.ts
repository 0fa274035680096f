export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./grad_mode.js";
export { Node, record, type BackwardRule } from "./node.js";
export { grad, type BackwardOptions, type GradOptions } from "./engine.js";
export { gradcheck, gradgradcheck, GradcheckError, type CheckedFunction, type GradcheckOptions, type GradgradcheckOptions, type GradcheckResult, type GradcheckMismatch } from "./gradcheck.js";
export * as functional from "./functional.js";
