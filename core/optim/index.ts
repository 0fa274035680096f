/**
 * First-order optimizers, their update transforms, gradient clipping and learning-rate schedules.
 * `new optim.Adam(model.parameters(), { lr: 1e-3 })` for the PyTorch-style classes;
 * `optim.adam(options)` or `optim.chain(...)` for the pure transforms underneath.
 */
export {
  type UpdateTransform,
  type ParamState,
  type StateValue,
  type TransformResult,
  chain,
  stateless,
  identity,
  scale,
  scaleByLearningRate,
  flipSign,
  addDecayedWeights,
} from "./transform.js";
export { scaleByAdam, type ScaleByAdamOptions } from "./scale_by_adam.js";
export { scaleByRms, type ScaleByRmsOptions } from "./scale_by_rms.js";
export { scaleByRss, scaleByInverseTimeDecay, type ScaleByRssOptions } from "./scale_by_rss.js";
export { traceMomentum, type TraceMomentumOptions } from "./trace_momentum.js";
export {
  Optimizer,
  type BaseOptions,
  type OptimizerSpec,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ZeroGradOptions,
} from "./optimizer.js";
export { type OptimizerStateDict } from "./state_dict.js";
export { SGD, sgd, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, adam, adamw, type AdamOptions } from "./adam.js";
export { Adagrad, adagrad, type AdagradOptions } from "./adagrad.js";
export { RMSprop, rmsprop, type RMSpropOptions } from "./rmsprop.js";
export * from "./second_order/index.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip.js";
export * as lrScheduler from "./lr_scheduler/index.js";
export * from "./lr_scheduler/index.js";
