import { InvalidArgumentError } from "../../tensor/errors.js";
import { type Generator, defaultGenerator } from "../../tensor/random.js";
import { Tensor } from "../../tensor/tensor.js";
import { empty } from "../../tensor/convert.js";
import { mul } from "../../ops/arithmetic.js";
import { Module } from "../module.js";
import { checkOptions } from "../options.js";

export interface DropoutOptions {
  /** The stream the masks are drawn from; the default generator when omitted. */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p during training and scales the rest by 1/(1−p)
 * (inverted dropout), so evaluation needs no rescaling. The identity when `training` is false.
 */
export function dropout(input: Tensor, p = 0.5, training = true, options: DropoutOptions = {}): Tensor {
  checkOptions("dropout", options, ["generator"]);
  checkProbability(p);
  if (!training || p === 0) return input;
  const generator = options.generator ?? defaultGenerator;
  const mask = empty(input.shape, input.dtype === "float64" ? "float64" : "float32");
  const data = mask.storage.data;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < data.length; i++) data[i] = generator.uniform() < p ? 0 : scale;
  return mul(input, mask);
}

function checkProbability(p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new InvalidArgumentError(`dropout: p=${p} is invalid; expected a probability in [0, 1].`);
  }
}

export class Dropout extends Module {
  private readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, options: DropoutOptions = {}) {
    super();
    checkOptions("Dropout", options, ["generator"]);
    checkProbability(p);
    this.generator = options.generator;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, { generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Flattens dimensions startDim..endDim (from 1 by default, keeping the batch dimension). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
