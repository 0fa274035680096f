/**
 * The record of a training run: one row per optimizer step and one per epoch. Displays draw
 * their curves from it.
 */

/** Metrics of one optimizer step. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  /** The learning rate of the first parameter group at this step. */
  lr?: number;
  [metric: string]: number | undefined;
}

/** Metrics of one epoch; validation metrics carry a "val" prefix (valLoss, valAccuracy). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  [metric: string]: number | undefined;
}

export class History {
  readonly steps: StepRecord[] = [];
  readonly epochs: EpochRecord[] = [];
  /** Why training stopped early, or null when it ran all epochs. */
  stopReason: string | null = null;

  /** The values of one epoch metric, in order. */
  epochMetric(name: string): number[] {
    return this.epochs.map((row) => row[name]).filter((v): v is number => typeof v === "number");
  }

  /** The values of one step metric, in order. */
  stepMetric(name: string): number[] {
    return this.steps.map((row) => row[name]).filter((v): v is number => typeof v === "number");
  }

  /** The names of every metric recorded per epoch. */
  metricNames(): string[] {
    const names = new Set<string>();
    for (const row of this.epochs) for (const key of Object.keys(row)) if (key !== "epoch") names.add(key);
    return [...names];
  }

  /** The last epoch's row, or undefined before the first epoch ends. */
  get last(): EpochRecord | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  toString(): string {
    const lines = this.epochs.map((row) =>
      `epoch ${row.epoch}: ` +
      Object.entries(row)
        .filter(([key]) => key !== "epoch")
        .map(([key, value]) => `${key}=${typeof value === "number" ? formatNumber(value) : value}`)
        .join(", "),
    );
    return `History(${this.epochs.length} epochs, ${this.steps.length} steps)${lines.length ? "\n" + lines.join("\n") : ""}`;
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}
