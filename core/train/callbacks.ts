import { InvalidArgumentError } from "../tensor/errors.js";
import type { Module } from "../nn/module.js";
import { saveSafetensors } from "../nn/safetensors.js";
import type { Tensor } from "../tensor/tensor.js";
import type { EpochRecord, History, StepRecord } from "./history.js";

/** The state passed to callbacks: the model, the history so far, and a way to stop training. */
export interface TrainingContext {
  model: Module;
  history: History;
  /** Stops training after the current epoch, recording `reason` in history.stopReason. */
  stop(reason: string): void;
}

/** Hooks into the fit loop; every method is optional. */
export interface Callback {
  onTrainBegin?(context: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, context: TrainingContext): void | Promise<void>;
  onStepEnd?(record: StepRecord, context: TrainingContext): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, context: TrainingContext): void | Promise<void>;
  onTrainEnd?(context: TrainingContext): void | Promise<void>;
}

export interface MonitorOptions {
  /** The epoch metric to watch, "valLoss" by default (falling back to "loss" without validation). */
  monitor?: string;
  /** Whether smaller ("min") or larger ("max") is better; "min" by default. */
  mode?: "min" | "max";
}

function monitoredValue(record: EpochRecord, monitor: string | undefined): { name: string; value: number } {
  const name = monitor ?? ("valLoss" in record ? "valLoss" : "loss");
  const value = record[name];
  if (typeof value !== "number") {
    throw new InvalidArgumentError(`callback: the metric "${name}" is not recorded; available metrics are ${Object.keys(record).filter((k) => k !== "epoch").join(", ")}.`);
  }
  return { name, value };
}

function isImprovement(value: number, best: number, mode: "min" | "max", minDelta: number): boolean {
  return mode === "min" ? value < best - minDelta : value > best + minDelta;
}

/** Stops training when the monitored metric has not improved for `patience` epochs. */
export class EarlyStopping implements Callback {
  private best = NaN;
  private wait = 0;
  private bestState: Record<string, Tensor> | null = null;
  readonly patience: number;
  readonly minDelta: number;

  constructor(private readonly options: MonitorOptions & { patience?: number; minDelta?: number; restoreBestWeights?: boolean } = {}) {
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new InvalidArgumentError(`EarlyStopping: patience=${this.patience} is invalid; expected a non-negative integer.`);
  }

  onEpochEnd(record: EpochRecord, context: TrainingContext): void {
    const { name, value } = monitoredValue(record, this.options.monitor);
    const mode = this.options.mode ?? "min";
    if (Number.isNaN(this.best) || isImprovement(value, this.best, mode, this.minDelta)) {
      this.best = value;
      this.wait = 0;
      if (this.options.restoreBestWeights) this.bestState = cloneState(context.model);
      return;
    }
    this.wait++;
    if (this.wait > this.patience) {
      context.stop(`early stopping: ${name} did not improve on ${this.best} for ${this.patience} epochs`);
    }
  }

  onTrainEnd(context: TrainingContext): void {
    if (this.bestState) context.model.loadStateDict(this.bestState);
  }
}

function cloneState(model: Module): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [key, value] of Object.entries(model.stateDict())) out[key] = value.clone();
  return out;
}

/** Saves the model's state dict as safetensors after each epoch, or only when it improves. */
export class ModelCheckpoint implements Callback {
  private best = NaN;

  constructor(private readonly options: MonitorOptions & { path: string; saveBestOnly?: boolean }) {
    if (!options || typeof options.path !== "string" || options.path === "") {
      throw new InvalidArgumentError('ModelCheckpoint: a path is required, for example { path: "model.safetensors" }. Use "{epoch}" in it for one file per epoch.');
    }
  }

  async onEpochEnd(record: EpochRecord, context: TrainingContext): Promise<void> {
    if (this.options.saveBestOnly) {
      const { value } = monitoredValue(record, this.options.monitor);
      if (!Number.isNaN(this.best) && !isImprovement(value, this.best, this.options.mode ?? "min", 0)) return;
      this.best = value;
    }
    const path = this.options.path.replace("{epoch}", String(record.epoch));
    await saveSafetensors(context.model.stateDict(), path, { epoch: String(record.epoch) });
  }
}

/** Calls `log` with the learning rate after every step (fit also records it in the history). */
export class LRLogger implements Callback {
  constructor(private readonly log: (step: number, lr: number) => void) {}

  onStepEnd(record: StepRecord): void {
    if (record.lr !== undefined) this.log(record.step, record.lr);
  }
}
