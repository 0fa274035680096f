import { InvalidArgumentError, ParamlabError, ShapeError, formatShape } from "../../tensor/errors.js";
import { empty } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { type ConvOptions, conv1d, conv2d } from "../../ops/conv.js";
import { type AvgPoolOptions, type MaxPoolOptions, adaptiveAvgPool2d, avgPool2d, maxPool1d, maxPool2d } from "../../ops/pool.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptions } from "../options.js";

/**
 * Convolution and pooling layers over the functional ops, with PyTorch's shapes, parameter
 * names and default initialization (kaiming_uniform with a = √5, bias from U(±1/√fanIn)).
 */

export interface ConvLayerOptions extends ConvOptions {
  bias?: boolean;
  dtype?: "float32" | "float64";
}

function asTuple(value: number | readonly number[], rank: number): number[] {
  return typeof value === "number" ? new Array(rank).fill(value) : [...value];
}

abstract class ConvBase extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number[];

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | readonly number[], readonly options: ConvLayerOptions, rank: number) {
    super();
    checkOptions(new.target.name, options, ["stride", "padding", "dilation", "groups", "bias", "dtype"]);
    const groups = options.groups ?? 1;
    for (const [name, value] of [["inChannels", inChannels], ["outChannels", outChannels], ["groups", groups]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${new.target.name}: ${name}=${value} is invalid; expected a positive integer.`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new InvalidArgumentError(`${new.target.name}: groups=${groups} must divide inChannels=${inChannels} and outChannels=${outChannels}.`);
    }
    this.kernelSize = asTuple(kernelSize, rank);
    const dtype = options.dtype ?? "float32";
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize], dtype));
    this.bias = options.bias === false ? null : new Parameter(empty([outChannels], dtype));
    this.resetParameters();
  }

  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  protected checkInput(input: Tensor, rank: number): void {
    if ((input.ndim !== rank + 2 && input.ndim !== rank + 1) || input.shape[input.ndim - rank - 1] !== this.inChannels) {
      const layout = rank === 2 ? `[batch, ${this.inChannels}, height, width]` : `[batch, ${this.inChannels}, length]`;
      throw new ShapeError(`${this.constructor.name}(${this.inChannels}, ${this.outChannels}): expected input of shape ${layout}, got ${formatShape(input.shape)}.`);
    }
  }

  private convOptions(): ConvOptions {
    const { stride, padding, dilation, groups } = this.options;
    return { stride, padding, dilation, groups };
  }

  protected convolve(input: Tensor, rank: 1 | 2): Tensor {
    this.checkInput(input, rank);
    const batched = input.ndim === rank + 2;
    const x = batched ? input : input.unsqueeze(0);
    const y = rank === 2 ? conv2d(x, this.weight, this.bias, this.convOptions()) : conv1d(x, this.weight, this.bias, this.convOptions());
    return batched ? y : y.squeeze(0);
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernelSize=[${this.kernelSize.join(", ")}]`];
    const { stride, padding, dilation, groups } = this.options;
    if (stride !== undefined && stride !== 1) parts.push(`stride=${JSON.stringify(stride)}`);
    if (padding !== undefined && padding !== 0) parts.push(`padding=${JSON.stringify(padding)}`);
    if (dilation !== undefined && dilation !== 1) parts.push(`dilation=${JSON.stringify(dilation)}`);
    if (groups !== undefined && groups !== 1) parts.push(`groups=${groups}`);
    if (!this.bias) parts.push("bias=false");
    return parts.join(", ");
  }
}

/** 1-D convolution: [N, Cin, L] → [N, Cout, Lout]. */
export class Conv1d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 1);
  }

  forward(input: Tensor): Tensor {
    return this.convolve(input, 1);
  }
}

/** 2-D convolution: [N, Cin, H, W] → [N, Cout, Hout, Wout]. */
export class Conv2d extends ConvBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number, number], options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 2);
  }

  forward(input: Tensor): Tensor {
    return this.convolve(input, 2);
  }
}

/**
 * Runs a functional pooling op and prefixes the message of a paramlab error with the layer's
 * name, keeping the error class and the op's own message.
 */
function withLayerName(layer: string, run: () => Tensor): Tensor {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ParamlabError)) throw error;
    const Kind = error.constructor as new (message: string) => ParamlabError;
    throw new Kind(`${layer}: ${error.message}`);
  }
}

/** The options a max-pooling layer accepts; the layer itself never returns indices. */
const MAX_POOL_OPTIONS = ["stride", "padding", "dilation", "ceilMode"];

export class MaxPool1d extends Module {
  constructor(readonly kernelSize: number, readonly options: MaxPoolOptions = {}) {
    super();
    checkOptions("MaxPool1d", options, MAX_POOL_OPTIONS);
  }
  forward(input: Tensor): Tensor {
    return withLayerName(`MaxPool1d(kernelSize=${this.kernelSize})`, () => maxPool1d(input, this.kernelSize, { ...this.options, returnIndices: false }));
  }
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}`;
  }
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | readonly [number, number], readonly options: MaxPoolOptions = {}) {
    super();
    checkOptions("MaxPool2d", options, MAX_POOL_OPTIONS);
  }
  forward(input: Tensor): Tensor {
    return withLayerName(`MaxPool2d(kernelSize=${JSON.stringify(this.kernelSize)})`, () => maxPool2d(input, this.kernelSize, { ...this.options, returnIndices: false }));
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | readonly [number, number], readonly options: AvgPoolOptions = {}) {
    super();
    checkOptions("AvgPool2d", options, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
  }
  forward(input: Tensor): Tensor {
    return withLayerName(`AvgPool2d(kernelSize=${JSON.stringify(this.kernelSize)})`, () => avgPool2d(input, this.kernelSize, this.options));
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return withLayerName(`AdaptiveAvgPool2d(outputSize=${JSON.stringify(this.outputSize)})`, () => adaptiveAvgPool2d(input, this.outputSize));
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
