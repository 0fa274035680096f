/**
 * The functional forms of layers, activations and losses (`nn.functional`, usually imported as F).
 */
export { linear } from "./layers/linear.js";
export { relu, leakyRelu, elu, gelu, silu, softplus, sigmoid, tanh } from "../ops/unary.js";
