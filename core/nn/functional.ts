/**
 * The functional forms of layers, activations and losses (`nn.functional`, usually imported as F).
 */
export { linear } from "./layers/linear.js";
export { relu, leakyRelu, elu, gelu, silu, softplus, sigmoid, tanh } from "../ops/unary.js";
export { softmax, logSoftmax } from "../ops/softmax.js";
export { conv1d, conv2d, convTranspose1d, convTranspose2d } from "../ops/conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d } from "../ops/pool.js";
export { pad } from "../ops/join.js";
export { dropout } from "./layers/dropout.js";
export { layerNorm } from "./layers/normalization.js";
export { embedding } from "./layers/embedding.js";
export { scaledDotProductAttention, causalMask } from "./layers/attention.js";
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
} from "./loss.js";
