import { Module } from "../../nn/module.js";
import { Tensor } from "../../tensor/tensor.js";

/**
 * One forward pass of a model, recorded through forward pre- and post-hooks on every module.
 * The record is the call tree with inputs, outputs and wall time per call. With `graph` it also
 * stores which module's output fed which module's input. Tensor identity finds direct feeds, and
 * a walk back through the autograd graph finds feeds through functional ops such as a residual add.
 */

/** One forward call of one module. */
export interface CallRecord {
  id: number;
  module: Module;
  /** The dotted name in the traced model ("" for the model itself). */
  name: string;
  parent: CallRecord | null;
  children: CallRecord[];
  inputs: unknown[];
  output: unknown;
  /** Wall time of the call including its children, in milliseconds (performance.now). */
  elapsedMs: number;
  /** A copy of `lastRouting` after the call, for modules that route tokens (MixtureOfExperts). */
  routing?: unknown;
  /** Whether this call is a node of the dataflow graph (no nested calls, or an atomic module). */
  graphNode: boolean;
  /** Per tensor input: the graph nodes it was computed from ("input:i" for the i-th model input). */
  sources: (string | number)[][];
}

/**
 * A functional op (such as the add of a residual connection) whose result a graph node reads
 * and that combines two or more graph nodes' outputs. It becomes a node of its own, so a chain
 * of residual blocks has a linear number of edges.
 */
export interface Junction {
  /** "op:i", the key used in `sources`. */
  id: string;
  /** The autograd node's op name, such as "add" or "cat". */
  op: string;
  sources: (string | number)[];
  shape: number[];
  /** The id of the first call that read the junction's tensor. */
  consumer: number;
}

export interface Trace {
  calls: CallRecord[];
  junctions: Junction[];
  root: CallRecord;
  output: unknown;
  /** The graph nodes the model's output tensors were computed from. */
  outputSources: (string | number)[];
  names: Map<Module, string>;
}

export interface TraceOptions {
  /** Record the dataflow graph (runs with autograd recording on). */
  graph?: boolean;
  /** Modules drawn as one graph node even though they call submodules. */
  atomic?: (module: Module) => boolean;
}

/** Collects every tensor inside a value: the value itself, or the tensors of a nested array, in order. */
export function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) for (const item of value) tensorsIn(item, out);
  return out;
}

const WALK_LIMIT = 100_000;

/** Finds the producers of `tensor`: its own, or those reached backwards through autograd nodes and views. */
function sourcesOf(tensor: Tensor, producers: Map<Tensor, string | number>): (string | number)[] {
  const found = new Set<string | number>();
  const seen = new Set<Tensor>();
  const queue: Tensor[] = [tensor];
  while (queue.length > 0 && seen.size < WALK_LIMIT) {
    const t = queue.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const producer = producers.get(t);
    if (producer !== undefined) {
      found.add(producer);
      continue;
    }
    if (t.base) queue.push(t.base);
    const node = t.gradFn as { inputs?: readonly Tensor[] } | null;
    if (node?.inputs) for (const input of node.inputs) queue.push(input);
  }
  return [...found];
}

/**
 * Runs `model.forward(...inputs)` once with hooks on every module and returns the call records.
 * Hooks are removed afterwards, also when the forward pass throws.
 */
export function traceForward(model: Module, inputs: unknown[], options: TraceOptions = {}): Trace {
  const names = new Map<Module, string>();
  for (const [name, module] of model.namedModules()) if (!names.has(module)) names.set(module, name);
  const calls: CallRecord[] = [];
  const stack: CallRecord[] = [];
  const starts: number[] = [];
  const producers = new Map<Tensor, string | number>();
  tensorsIn(inputs).forEach((t, i) => producers.set(t, `input:${i}`));
  const junctions: Junction[] = [];
  const insideAtomic = (): boolean => stack.some((call) => call.graphNode);

  // The producers of a graph node's input; a tensor combining several producers becomes a junction.
  const inputSources = (t: Tensor, consumer: number): (string | number)[] => {
    const direct = producers.get(t);
    if (direct !== undefined) return [direct];
    const found = sourcesOf(t, producers);
    if (found.length < 2) return found;
    const junction: Junction = { id: `op:${junctions.length}`, op: t.gradFn?.name ?? "op", sources: found, shape: [...t.shape], consumer };
    junctions.push(junction);
    producers.set(t, junction.id);
    return [junction.id];
  };
  const removers: (() => void)[] = [];

  const before = (module: Module, args: unknown[]): void => {
    const parent = stack[stack.length - 1] ?? null;
    const hidden = options.graph === true && insideAtomic();
    const record: CallRecord = {
      id: calls.length,
      module,
      name: names.get(module) ?? "",
      parent,
      children: [],
      inputs: args,
      output: undefined,
      elapsedMs: 0,
      graphNode: false,
      sources: options.graph && !hidden ? tensorsIn(args).map((t) => inputSources(t, calls.length)) : [],
    };
    if (options.graph && !hidden && options.atomic?.(module)) record.graphNode = true;
    parent?.children.push(record);
    calls.push(record);
    stack.push(record);
    starts.push(performance.now());
  };

  const after = (module: Module, _args: unknown[], output: unknown): void => {
    const record = stack.pop()!;
    record.elapsedMs = performance.now() - starts.pop()!;
    record.output = output;
    const routing = (module as { lastRouting?: unknown }).lastRouting;
    if (routing) record.routing = structuredClone(routing);
    if (!options.graph || insideAtomic()) return;
    if (record.children.length === 0) record.graphNode = true;
    // The latest producer wins, so a module that returns its input (Dropout in eval) sits in the chain.
    if (record.graphNode) for (const t of tensorsIn(output)) producers.set(t, record.id);
  };

  for (const module of names.keys()) {
    removers.push(module.registerForwardPreHook((m, args) => void before(m, args)));
    removers.push(module.registerForwardHook((m, args, output) => void after(m, args, output)));
  }
  try {
    const output = (model.forward as (...args: unknown[]) => unknown)(...inputs);
    const outputSources = options.graph ? [...new Set(tensorsIn(output).flatMap((t) => inputSources(t, calls.length)))] : [];
    return { calls, junctions, root: calls[0], output, outputSources, names };
  } finally {
    for (const remove of removers) remove();
  }
}
