export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./grad_mode.js";
export { Node, record, type BackwardRule } from "./node.js";
export { grad, type BackwardOptions, type GradOptions } from "./engine.js";
