import { enableGrad, noGrad } from "../../autograd/grad_mode.js";
import { Embedding } from "../../nn/layers/embedding.js";
import { MixtureOfExperts } from "../../nn/layers/moe.js";
import { Module } from "../../nn/module.js";
import { copy_ } from "../../ops/index.js";
import { randint, randn, zeros } from "../../tensor/creation.js";
import { InvalidArgumentError } from "../../tensor/errors.js";
import { Generator } from "../../tensor/random.js";
import { Tensor } from "../../tensor/tensor.js";
import { countCall, countsFunctionalOps } from "./counters.js";
import { countFunctional, endOrder } from "./functional.js";
import { type ReceptiveField, receptiveFields } from "./receptive_field.js";
import { type CallRecord, tensorsIn, traceForward } from "./trace.js";
import { type ComplexitySummary, type LayerSummary, attachDisplay } from "./table.js";

export interface ComplexityOptions {
  /** The dtype of generated inputs: "int32" for models that start with an Embedding. Default "float32". */
  dtype?: "float32" | "float64" | "int32";
  /** Generated float inputs: seeded standard normal draws ("random", the default) or zeros. */
  fill?: "random" | "zeros";
  /** The exclusive upper bound of generated int32 inputs; the first Embedding's numEmbeddings by default. */
  high?: number;
  /** The seed of generated inputs. Default 0. */
  seed?: number;
  /** Trace in training mode (dropout active, batch statistics); eval mode by default. */
  training?: boolean;
  /**
   * Timed forward passes after one untimed warm-up pass; each time reported is the median over
   * them. Default 3. The passes run without recording gradients, and buffers such as BatchNorm's
   * running statistics are restored afterwards.
   */
  timingRuns?: number;
}

/** What the traced forward pass is called with: a shape, several shapes, or ready tensors. */
export type ComplexityInput = readonly number[] | readonly (readonly number[])[] | Tensor | readonly Tensor[];

const BYTES: Record<string, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

function isShape(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((d) => Number.isInteger(d) && d >= 0);
}

/** The model inputs for a shape, shapes or tensors, generated from a seeded generator. */
export function makeInputs(model: Module, input: ComplexityInput, options: ComplexityOptions = {}): Tensor[] {
  if (input instanceof Tensor) return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((t) => t instanceof Tensor)) return [...(input as Tensor[])];
  const shapes = isShape(input) ? [input] : Array.isArray(input) && input.length > 0 && input.every(isShape) ? (input as number[][]) : null;
  if (!shapes) {
    throw new InvalidArgumentError(
      `complexity: input ${JSON.stringify(input)} is invalid; expected a shape such as [1, 3, 32, 32], a list of shapes (one per forward argument) or tensors.`,
    );
  }
  const generator = new Generator(options.seed ?? 0);
  const dtype = options.dtype ?? "float32";
  return shapes.map((shape) => {
    if (dtype === "int32") {
      const embedding = [...model.modules()].find((m) => m instanceof Embedding) as Embedding | undefined;
      const high = options.high ?? embedding?.numEmbeddings ?? 2;
      return randint(0, high, shape, { generator });
    }
    return options.fill === "zeros" ? zeros(shape, { dtype }) : randn(shape, { dtype, generator });
  });
}

/**
 * Runs `fn` with the model in the requested mode, then restores every module's own mode flag and
 * the cumulative routing statistics of MixtureOfExperts layers, so an analysis pass does not
 * count as a training batch. `lastRouting` keeps the analysis pass's routing.
 */
export function withMode<T>(model: Module, training: boolean, fn: () => T): T {
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  const statistics = [...model.modules()].filter((m) => m instanceof MixtureOfExperts).map((m) => [m, structuredClone((m as unknown as { totals: unknown }).totals)] as const);
  model.train(training);
  try {
    return fn();
  } finally {
    for (const [m, mode] of modes) m.training = mode;
    for (const [m, totals] of statistics) (m as unknown as { totals: unknown }).totals = totals;
  }
}

function bytesOf(value: unknown): number {
  return tensorsIn(value).reduce((total, t) => total + t.numel() * (BYTES[t.dtype] ?? 4), 0);
}

function countParameters(module: Module, recurse: boolean): { total: number; trainable: number } {
  const parameters = module.parameters({ recurse });
  return {
    total: parameters.reduce((n, p) => n + p.numel(), 0),
    trainable: parameters.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0),
  };
}

type OwnCount = ReturnType<typeof countCall> & { uncountedOps: string[] };

/** What one call does itself: its type's rule, or else the functional ops in its forward. */
function ownCount(call: CallRecord, calls: readonly CallRecord[], order: Map<CallRecord, number>): OwnCount {
  const own = countCall(call);
  if (!countsFunctionalOps(call)) return { ...own, uncountedOps: [] };
  const functional = countFunctional(call, calls, order);
  // A leaf type without a rule counts as covered once its ops are visible; ops without a rule are
  // listed by name instead.
  const counted = own.counted || functional.ops > 0;
  return { flops: own.flops + functional.flops, macs: own.macs + functional.macs, counted, uncountedOps: functional.uncounted };
}

/** Inclusive FLOPs and MACs per call: the call's own count plus its descendants'. */
function inclusiveCounts(calls: readonly CallRecord[]): Map<CallRecord, { flops: number; macs: number; own: OwnCount }> {
  const result = new Map<CallRecord, { flops: number; macs: number; own: OwnCount }>();
  const order = endOrder(calls[0]);
  for (let i = calls.length - 1; i >= 0; i--) {
    const own = ownCount(calls[i], calls, order);
    let [flops, macs] = [own.flops, own.macs];
    for (const child of calls[i].children) {
      flops += result.get(child)!.flops;
      macs += result.get(child)!.macs;
    }
    result.set(calls[i], { flops, macs, own });
  }
  return result;
}

/**
 * Runs `fn` and then writes back every buffer's values (BatchNorm's running statistics), so the
 * extra passes of an analysis do not count as training batches.
 */
function withBuffersRestored<T>(model: Module, fn: () => T): T {
  // Layers may replace a buffer (setBuffer) or write into it, so both the tensor and its values are kept.
  const saved = [...model.modules()].flatMap((module) =>
    module.namedBuffers().filter(([name]) => !name.includes(".")).map(([name, buffer]) => ({ module, name, buffer, copy: buffer.clone() })),
  );
  try {
    return fn();
  } finally {
    noGrad(() => {
      for (const { module, name, buffer, copy } of saved) {
        copy_(buffer, copy);
        module.setBuffer(name, buffer);
      }
    });
  }
}

/** Per module, the median over `runs` traced passes of its summed wall time (all its calls), in milliseconds. */
function medianTimes(model: Module, inputs: readonly Tensor[], runs: number): Map<Module, number> {
  const samples = new Map<Module, number[]>();
  for (let run = 0; run < runs; run++) {
    const trace = noGrad(() => traceForward(model, [...inputs]));
    const totals = new Map<Module, number>();
    for (const call of trace.calls) totals.set(call.module, (totals.get(call.module) ?? 0) + call.elapsedMs);
    for (const [module, ms] of totals) samples.set(module, [...(samples.get(module) ?? []), ms]);
  }
  const medians = new Map<Module, number>();
  for (const [module, values] of samples) medians.set(module, median(values));
  return medians;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The 1-based position of each module among its parent's children (torchinfo's depth-idx). */
function siblingIndices(model: Module): Map<Module, number> {
  const indices = new Map<Module, number>();
  for (const module of model.modules()) [...module.children()].forEach((child, i) => indices.has(child) || indices.set(child, i + 1));
  return indices;
}

/**
 * Traces one forward pass of `model` and counts, per module and in total, parameters, FLOPs,
 * MACs, activation memory, the receptive field of convolution and pooling stacks and wall time.
 * The model runs in eval mode (unless `training`), and its modes and buffers are restored
 * afterwards. The counting pass records the autograd graph, so the functional ops of a module
 * without a rule (a residual add, say) are counted as its own FLOPs (functional.ts). A leaf
 * module whose work stays invisible is listed in `uncounted`, and ops without a rule in
 * `uncountedOps`. Counting conventions are in counters.ts.
 *
 * ```ts
 * const summary = analysis.complexity(net, [1, 1, 28, 28]);
 * summary.totals.macs;   // multiply-accumulates of one forward pass
 * display(summary);      // a torchinfo-like table
 * ```
 */
export function complexity(model: Module, input: ComplexityInput, options: ComplexityOptions = {}): ComplexitySummary {
  if (!(model instanceof Module)) throw new InvalidArgumentError(`complexity: model must be an nn.Module, got ${typeof model}.`);
  const timingRuns = options.timingRuns ?? 3;
  if (!Number.isInteger(timingRuns) || timingRuns < 1) {
    throw new InvalidArgumentError(`complexity: invalid timingRuns=${String(timingRuns)}; expected an integer >= 1, such as { timingRuns: 3 }.`);
  }
  const inputs = makeInputs(model, input, options);
  // Functional ops are found through the autograd graph, so the counting pass records it: float
  // inputs are replaced by copies that require grad. It also serves as the timing warm-up.
  const traced = inputs.map((t) => (t.dtype === "float32" || t.dtype === "float64" ? t.detach().requiresGrad_() : t));
  // Counting reads module.training (Dropout, BatchNorm), so it runs in the traced mode too.
  const { trace, counts, times } = withMode(model, options.training ?? false, () => {
    const trace = withBuffersRestored(model, () => enableGrad(() => traceForward(model, traced)));
    const counts = inclusiveCounts(trace.calls);
    const times = withBuffersRestored(model, () => medianTimes(model, traced, timingRuns));
    return { trace, counts, times };
  });
  const fields = receptiveFields(trace.calls, traced);
  const indices = siblingIndices(model);
  const uncounted = new Set<string>();
  const uncountedOps = new Set<string>();

  const layers: LayerSummary[] = [...trace.names].map(([module, name]) => {
    const calls = trace.calls.filter((c) => c.module === module);
    const sum = (f: (c: CallRecord) => number): number => calls.reduce((total, c) => total + f(c), 0);
    const last = calls[calls.length - 1];
    for (const c of calls) {
      const own = counts.get(c)!.own;
      if (!own.counted) uncounted.add(module.constructor.name);
      if (own.uncountedOps.length > 0) {
        const where = name ? `${name}.forward (${module.constructor.name})` : `${module.constructor.name}.forward`;
        uncountedOps.add(`functional ops inside ${where}: ${own.uncountedOps.join(", ")} — not counted`);
      }
    }
    const field = [...calls].reverse().map((c) => fields.get(c)).find((f): f is ReceptiveField => f !== undefined) ?? null;
    const params = countParameters(module, true);
    return {
      name,
      type: module.constructor.name,
      depth: name === "" ? 0 : name.split(".").length,
      index: indices.get(module) ?? 0,
      leaf: [...module.children()].length === 0,
      calls: calls.length,
      outputShapes: last ? tensorsIn(last.output).map((t) => [...t.shape]) : [],
      params: params.total,
      trainableParams: params.trainable,
      ownParams: countParameters(module, false).total,
      flops: sum((c) => counts.get(c)!.flops),
      macs: sum((c) => counts.get(c)!.macs),
      activationBytes: sum((c) => bytesOf(c.output)),
      timeMs: times.get(module) ?? 0,
      receptiveField: field,
    };
  });

  const root = countParameters(model, true);
  const leafCalls = trace.calls.filter((c) => c.children.length === 0);
  const parameterBytes = model.parameters().reduce((n, p) => n + p.numel() * (BYTES[p.dtype] ?? 4), 0);
  const lastField = [...leafCalls].reverse().map((c) => fields.get(c)).find((f) => f !== undefined) ?? null;
  return attachDisplay({
    model: model.constructor.name,
    inputShapes: inputs.map((t) => [...t.shape]),
    layers,
    totals: {
      params: root.total,
      trainableParams: root.trainable,
      nonTrainableParams: root.total - root.trainable,
      flops: counts.get(trace.root)!.flops,
      macs: counts.get(trace.root)!.macs,
      activationBytes: leafCalls.reduce((n, c) => n + bytesOf(c.output), 0),
      inputBytes: bytesOf(inputs),
      parameterBytes,
      timeMs: times.get(model) ?? 0,
    },
    receptiveField: lastField,
    uncounted: [...uncounted],
    uncountedOps: [...uncountedOps],
    timingRuns,
  });
}
