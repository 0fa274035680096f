export { Module, type ForwardHook, type ForwardPreHook, type LoadStateDictResult } from "./module.js";
export { Parameter } from "./parameter.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
export { Linear, Identity, type LinearOptions } from "./layers/linear.js";
export { Sequential, ModuleList, ModuleDict } from "./layers/containers.js";
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Softplus, Sigmoid, Tanh, Softmax, LogSoftmax } from "./layers/activation.js";
export { Dropout, Flatten } from "./layers/dropout.js";
export { LayerNorm, BatchNorm1d, BatchNorm2d, type LayerNormOptions, type BatchNormOptions } from "./layers/normalization.js";
export { Embedding, type EmbeddingOptions } from "./layers/embedding.js";
export { Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type ConvLayerOptions } from "./layers/conv.js";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RecurrentOptions, type SequenceOptions } from "./layers/recurrent.js";
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadForwardOptions } from "./layers/attention.js";
export {
  TransformerEncoderLayer,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerDecoder,
  Transformer,
  SinusoidalPositionalEncoding,
  LearnedPositionalEncoding,
  type TransformerLayerOptions,
} from "./layers/transformer.js";
export { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, SmoothL1Loss, HuberLoss, KLDivLoss, type Reduction } from "./loss.js";
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors } from "./safetensors.js";
export { movedim } from "./utils.js";
export { MixtureOfExperts, type MixtureOfExpertsOptions, type Routing, type ExpertStatistics } from "./layers/moe.js";
export { Seq2Seq, type Seq2SeqOptions, type Seq2SeqForwardOptions } from "./layers/seq2seq.js";
