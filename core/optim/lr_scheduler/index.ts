export { LRScheduler, type SchedulableOptimizer, type ScheduledGroup } from "./scheduler.js";
export { StepLR, MultiStepLR, ExponentialLR } from "./decay.js";
export { CosineAnnealingLR } from "./cosine.js";
export { LinearLR, type LinearLROptions } from "./linear.js";
export { OneCycleLR, type OneCycleLROptions } from "./one_cycle.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./plateau.js";
export { LambdaLR, MultiplicativeLR, type LrLambda } from "./lambda.js";
export { SequentialLR } from "./sequential.js";
