export { fit, evaluate, accuracy, TrainingError, type FitOptions, type Batch, type Progress, type OptimizerLike, type SchedulerLike, type LossFunction, type Metric } from "./fit.js";
export { History, type StepRecord, type EpochRecord } from "./history.js";
export { EarlyStopping, ModelCheckpoint, LRLogger, type Callback, type TrainingContext } from "./callbacks.js";
