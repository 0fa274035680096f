import { noGrad } from "../autograd/grad_mode.js";
import { ParamlabError, InvalidArgumentError } from "../tensor/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { Module } from "../nn/module.js";
import type { Callback, TrainingContext } from "./callbacks.js";
import { type EpochRecord, History, type StepRecord } from "./history.js";

/** Raised when training cannot go on, such as a NaN loss; it carries the history so far. */
export class TrainingError extends ParamlabError {
  override name = "TrainingError";
  constructor(message: string, readonly history: History) {
    super(message);
  }
}

/** The optimizer surface fit needs; every optimizer in optim provides it. */
export interface OptimizerLike {
  zeroGrad(): void;
  step(): unknown;
  paramGroups?: readonly { lr: number }[];
}

/** An LR schedule; `step(metric)` receives the monitored metric when the schedule takes one. */
export interface SchedulerLike {
  step(metric?: number): void;
}

export type LossFunction = ((output: Tensor, target: Tensor) => Tensor) | Module;
export type Metric = "accuracy" | ((output: Tensor, target: Tensor) => number);

/** A batch as [input, target] (what a DataLoader over a TensorDataset yields) or { input, target }. */
export type Batch = readonly [Tensor, Tensor, ...unknown[]] | { input: Tensor; target: Tensor };

export interface Progress {
  epoch: number;
  epochs: number;
  /** The step within the epoch, counted from 1. */
  stepInEpoch: number;
  /** The number of steps per epoch, when the data has a `length`. */
  stepsPerEpoch?: number;
  loss: number;
}

export interface FitOptions {
  epochs: number;
  optimizer: OptimizerLike;
  loss: LossFunction;
  /** Metrics computed per batch and averaged per epoch, by name. */
  metrics?: Record<string, Metric> | readonly "accuracy"[];
  /** Held-out batches evaluated after each epoch in eval mode, without gradients. */
  validation?: Iterable<Batch>;
  scheduler?: SchedulerLike;
  /** When the scheduler steps: after every "epoch" (default) or every optimizer "step". */
  schedulerInterval?: "epoch" | "step";
  /** The epoch metric passed to scheduler.step (for ReduceLROnPlateau); none by default. */
  schedulerMetric?: string;
  callbacks?: readonly Callback[];
  /** Called after each step, for progress bars. */
  onProgress?: (progress: Progress) => void;
  /** The response to a non-finite loss: "stop" (the default) raises a TrainingError naming the step. */
  onNonFiniteLoss?: "stop" | "continue";
}

const OPTION_NAMES = ["epochs", "optimizer", "loss", "metrics", "validation", "scheduler", "schedulerInterval", "schedulerMetric", "callbacks", "onProgress", "onNonFiniteLoss"];

function unpack(batch: Batch, index: number): [Tensor, Tensor] {
  const [input, target] = Array.isArray(batch) ? batch : [(batch as { input: Tensor }).input, (batch as { target: Tensor }).target];
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new InvalidArgumentError(`fit: batch ${index} is not [input, target] or { input, target } of tensors. Iterate a DataLoader over a TensorDataset(inputs, targets).`);
  }
  return [input, target];
}

function computeLoss(loss: LossFunction, output: Tensor, target: Tensor): Tensor {
  if (!(output instanceof Tensor)) {
    throw new InvalidArgumentError(
      `fit: the model returned ${Array.isArray(output) ? "an array" : typeof output}, but the loss needs one tensor. ` +
        `Wrap the model in a Module whose forward returns the prediction tensor (for an LSTM, the output of forward(x)[0] through a head).`,
    );
  }
  const value = loss instanceof Module ? (loss.forward as (o: Tensor, t: Tensor) => Tensor)(output, target) : loss(output, target);
  if (!(value instanceof Tensor) || value.numel() !== 1) {
    throw new InvalidArgumentError(`fit: the loss must return a one-element tensor, got ${value instanceof Tensor ? `shape [${value.shape.join(", ")}]` : typeof value}. Use reduction "mean" or "sum".`);
  }
  return value;
}

/** The fraction of rows whose argmax over the last dimension equals the int32 target. */
export function accuracy(output: Tensor, target: Tensor): number {
  const classes = output.shape[output.ndim - 1];
  const scores = output.dataSync();
  const labels = target.dataSync();
  let correct = 0;
  for (let row = 0; row < labels.length; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[row * classes + c] > scores[row * classes + best]) best = c;
    if (best === labels[row]) correct++;
  }
  return labels.length === 0 ? 0 : correct / labels.length;
}

function metricTable(metrics: FitOptions["metrics"]): [string, (o: Tensor, t: Tensor) => number][] {
  if (!metrics) return [];
  const entries: [string, Metric][] = Array.isArray(metrics) ? metrics.map((name) => [name, name]) : Object.entries(metrics);
  return entries.map(([name, metric]) => {
    if (metric === "accuracy") return [name, accuracy];
    if (typeof metric === "function") return [name, metric];
    throw new InvalidArgumentError(`fit: metric "${name}" is ${JSON.stringify(metric)}; expected "accuracy" or a function (output, target) => number.`);
  });
}

/** Mean loss and metrics of `model` over `batches`, in eval mode and without gradients. */
export function evaluate(model: Module, batches: Iterable<Batch>, loss: LossFunction, metrics: FitOptions["metrics"] = []): Record<string, number> {
  const table = metricTable(metrics);
  const wasTraining = model.training;
  model.eval();
  const totals: Record<string, number> = { loss: 0 };
  let count = 0;
  try {
    noGrad(() => {
      let index = 0;
      for (const batch of batches) {
        const [input, target] = unpack(batch, index++);
        const output = (model.forward as (x: Tensor) => Tensor)(input);
        const size = input.shape[0] ?? 1;
        totals.loss += computeLoss(loss, output, target).item() * size;
        for (const [name, metric] of table) totals[name] = (totals[name] ?? 0) + metric(output, target) * size;
        count += size;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const out: Record<string, number> = {};
  for (const [name, total] of Object.entries(totals)) out[name] = count > 0 ? total / count : NaN;
  return out;
}

/**
 * Trains `model` on `data` for `epochs` epochs: for each batch, forward, loss, backward and an
 * optimizer step. Returns a History of per-step and per-epoch metrics; a non-finite loss raises a
 * TrainingError naming the step unless `onNonFiniteLoss` is "continue".
 */
export async function fit(model: Module, data: Iterable<Batch>, options: FitOptions): Promise<History> {
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_NAMES.includes(key)) throw new InvalidArgumentError(`fit: unknown option "${key}"; valid options are ${OPTION_NAMES.join(", ")}.`);
  }
  const { epochs, optimizer, loss } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new InvalidArgumentError(`fit: epochs=${epochs} is invalid; expected a positive integer.`);
  if (!optimizer || typeof optimizer.step !== "function") throw new InvalidArgumentError("fit: optimizer is missing; pass one such as new optim.Adam(model.parameters(), { lr: 1e-3 }).");
  if (!(loss instanceof Module) && typeof loss !== "function") throw new InvalidArgumentError("fit: loss is missing; pass a function (output, target) => Tensor such as nn.functional.crossEntropy.");

  const table = metricTable(options.metrics);
  const history = new History();
  const callbacks = options.callbacks ?? [];
  let stopReason: string | null = null;
  const context: TrainingContext = { model, history, stop: (reason) => void (stopReason = reason) };
  const declaredLength = (data as unknown as { length?: unknown }).length;
  const stepsPerEpoch = typeof declaredLength === "number" ? declaredLength : undefined;
  let step = 0;

  for (const callback of callbacks) await callback.onTrainBegin?.(context);
  for (let epoch = 1; epoch <= epochs && stopReason === null; epoch++) {
    for (const callback of callbacks) await callback.onEpochBegin?.(epoch, context);
    model.train();
    const totals: Record<string, number> = { loss: 0 };
    let seen = 0;
    let stepInEpoch = 0;
    for (const batch of data) {
      const [input, target] = unpack(batch, stepInEpoch);
      optimizer.zeroGrad();
      const output = (model.forward as (x: Tensor) => Tensor)(input);
      const lossValue = computeLoss(loss, output, target);
      const value = lossValue.item();
      step++;
      stepInEpoch++;
      if (!Number.isFinite(value) && options.onNonFiniteLoss !== "continue") {
        history.stopReason = `the loss became ${value} at step ${step} (epoch ${epoch}, batch ${stepInEpoch})`;
        throw new TrainingError(
          `fit: the loss became ${value} at step ${step} (epoch ${epoch}, batch ${stepInEpoch}). ` +
            `Lower the learning rate, check the inputs for NaN, or pass { onNonFiniteLoss: "continue" } to keep going.`,
          history,
        );
      }
      lossValue.backward();
      optimizer.step();
      if (options.scheduler && options.schedulerInterval === "step") options.scheduler.step();

      const size = input.shape[0] ?? 1;
      const record: StepRecord = { step, epoch, loss: value };
      const lr = optimizer.paramGroups?.[0]?.lr;
      if (lr !== undefined) record.lr = lr;
      noGrad(() => {
        for (const [name, metric] of table) {
          const score = metric(output, target);
          record[name] = score;
          totals[name] = (totals[name] ?? 0) + score * size;
        }
      });
      totals.loss += value * size;
      seen += size;
      history.steps.push(record);
      for (const callback of callbacks) await callback.onStepEnd?.(record, context);
      options.onProgress?.({ epoch, epochs, stepInEpoch, stepsPerEpoch, loss: value });
    }

    const epochRecord: EpochRecord = { epoch, loss: NaN };
    for (const [name, total] of Object.entries(totals)) epochRecord[name] = seen > 0 ? total / seen : NaN;
    if (options.validation) {
      const scores = evaluate(model, options.validation, loss, options.metrics);
      for (const [name, value] of Object.entries(scores)) epochRecord[`val${name[0].toUpperCase()}${name.slice(1)}`] = value;
    }
    const lr = optimizer.paramGroups?.[0]?.lr;
    if (lr !== undefined) epochRecord.lr = lr;
    history.epochs.push(epochRecord);
    if (options.scheduler && options.schedulerInterval !== "step") {
      const metricName = options.schedulerMetric;
      options.scheduler.step(metricName ? epochRecord[metricName] : undefined);
    }
    for (const callback of callbacks) await callback.onEpochEnd?.(epochRecord, context);
  }
  history.stopReason = stopReason;
  for (const callback of callbacks) await callback.onTrainEnd?.(context);
  return history;
}
