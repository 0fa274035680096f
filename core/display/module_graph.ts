import { makeInputs, withMode, type ComplexityInput, type ComplexityOptions } from "../analysis/complexity/summary.js";
import { type CallRecord, type Junction, tensorsIn, traceForward } from "../analysis/complexity/trace.js";
import { enableGrad } from "../autograd/grad_mode.js";
import type { Module } from "../nn/module.js";
import { InvalidArgumentError } from "../tensor/errors.js";

/**
 * The architecture of a module as boxes, groups and edges. Each leaf module (or each group
 * collapsed at `depth`) is a box, and containers are groups around their boxes. When traced with
 * an input, edges show the dataflow between boxes, found by tensor identity through the autograd graph.
 */

export interface DiagramNode {
  /** The dotted module name, "input:i" / "output" for the ends of a traced graph, or "op:i" for a junction. */
  key: string;
  label: string;
  type: string;
  /** Output shapes of the last call, empty when not traced or never called. */
  shapes: number[][];
  params: number;
  /** How many drawn groups enclose this box. */
  level: number;
  /** Whether the box stands for a group collapsed at the depth limit. */
  collapsed: boolean;
}

export interface DiagramEdge {
  from: number;
  to: number;
  /** Names of the target inputs the edge feeds ("q", "k,v", "in1"), empty for a single-input target. */
  label: string;
}

export interface DiagramGroup {
  name: string;
  type: string;
  params: number;
  /** Index of the first and last box inside the group. */
  first: number;
  last: number;
  level: number;
}

export interface Diagram {
  title: string;
  traced: boolean;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  groups: DiagramGroup[];
  totalParams: number;
  trainableParams: number;
}

export interface DiagramOptions extends ComplexityOptions {
  /** Nesting depth drawn: modules deeper than this fold into their ancestor's box. Default: all. */
  depth?: number;
}

/** Module types drawn as one box though they call submodules (their inner calls are hidden). */
const ATOMIC = new Set(["MultiheadAttention", "RNN", "LSTM", "GRU"]);
const ARGUMENT_NAMES: Record<string, string[]> = { MultiheadAttention: ["q", "k", "v"] };

function isAtomic(module: Module): boolean {
  return ATOMIC.has(module.constructor.name);
}

function parameterCount(module: Module): number {
  return module.parameters().reduce((n, p) => n + p.numel(), 0);
}

function checkDepth(depth: number | undefined): number {
  if (depth === undefined) return Infinity;
  if (!(depth === Infinity || (Number.isInteger(depth) && depth >= 1))) {
    throw new InvalidArgumentError(`architecture: depth=${depth} is invalid; expected a positive integer (1 draws only the model's children) or Infinity.`);
  }
  return depth;
}

/** Returns the box a module name belongs to at the depth limit ("a.b.c" at depth 2 is "a.b"). */
function unitOf(name: string, depth: number): string {
  return name === "" ? "" : name.split(".").slice(0, depth).join(".");
}

function ancestorsOf(name: string): string[] {
  const parts = name.split(".");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("."));
}

/** Boxes for the unit names in order, and the groups around them. */
function layout(model: Module, units: string[], shapes: Map<string, number[][]>, depth: number, ops = new Map<string, string>()): Pick<Diagram, "nodes" | "groups"> {
  const byName = new Map<string, Module>();
  for (const [name, module] of model.namedModules()) if (!byName.has(name)) byName.set(name, module);
  const groups = new Map<string, DiagramGroup>();
  const nodes: DiagramNode[] = units.map((key, index) => {
    if (ops.has(key)) return { key, label: ops.get(key)!, type: "", shapes: shapes.get(key) ?? [], params: 0, level: 0, collapsed: false };
    if (key.startsWith("input:") || key === "output") {
      return { key, label: key === "output" ? "output" : `input ${Number(key.slice(6)) + 1}`, type: "", shapes: shapes.get(key) ?? [], params: 0, level: 0, collapsed: false };
    }
    const module = byName.get(key)!;
    const ancestors = ancestorsOf(key);
    ancestors.forEach((name, level) => {
      const group = groups.get(name);
      if (group) group.last = index;
      else groups.set(name, { name, type: byName.get(name)!.constructor.name, params: parameterCount(byName.get(name)!), first: index, last: index, level });
    });
    const collapsed = key.split(".").length === depth && [...module.children()].length > 0 && !isAtomic(module);
    return { key, label: key || model.constructor.name, type: module.constructor.name, shapes: shapes.get(key) ?? [], params: parameterCount(module), level: ancestors.length, collapsed };
  });
  // A junction sits inside every group whose range covers it.
  for (const [i, node] of nodes.entries()) if (ops.has(node.key)) node.level = [...groups.values()].filter((g) => g.first <= i && i <= g.last).length;
  return { nodes, groups: [...groups.values()] };
}

/** Builds the module tree without a forward pass: one box per leaf (or atomic) module, no edges. */
export function treeDiagram(model: Module, options: DiagramOptions = {}): Diagram {
  const depth = checkDepth(options.depth);
  const units: string[] = [];
  const skip: string[] = [];
  for (const [name, module] of model.namedModules()) {
    if (skip.some((prefix) => name.startsWith(`${prefix}.`))) continue;
    const level = name === "" ? 0 : name.split(".").length;
    const isUnit = [...module.children()].length === 0 || isAtomic(module) || level >= depth;
    if (isUnit) {
      units.push(name);
      skip.push(name);
    }
  }
  const { nodes, groups } = layout(model, units, new Map(), depth);
  const parameters = model.parameters();
  return {
    title: model.constructor.name,
    traced: false,
    nodes,
    edges: [],
    groups,
    totalParams: parameters.reduce((n, p) => n + p.numel(), 0),
    trainableParams: parameters.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0),
  };
}

/** Adds an edge per source of each graph node's inputs, merged per pair of boxes. */
function collectEdges(calls: readonly CallRecord[], junctions: readonly Junction[], unit: (call: CallRecord) => string, outputSources: readonly (string | number)[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string, label: string): void => {
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    if (!edges.has(key)) edges.set(key, new Set());
    if (label) edges.get(key)!.add(label);
  };
  const keyOf = (source: string | number): string => (typeof source === "number" ? unit(calls[source]) : source);
  for (const junction of junctions) for (const source of junction.sources) add(keyOf(source), junction.id, "");
  for (const call of calls) {
    if (!call.graphNode) continue;
    const names = ARGUMENT_NAMES[call.module.constructor.name];
    // Argument names only mean something on the module's own box, not on a folded group's.
    const multiple = call.sources.length > 1 && unit(call) === call.name;
    call.sources.forEach((sources, i) => {
      for (const source of sources) {
        add(keyOf(source), unit(call), multiple ? (names?.[i] ?? `in${i + 1}`) : "");
      }
    });
  }
  for (const source of outputSources) add(keyOf(source), "output", "");
  return edges;
}

/** Replaces each folded junction by edges from its inputs to its readers, in creation order. */
function foldJunctions(edges: Map<string, Set<string>>, folded: ReadonlySet<string>): Map<string, Set<string>> {
  for (const id of folded) {
    const entries = [...edges].map(([key, labels]) => [...key.split("\u0000"), labels] as [string, string, Set<string>]);
    const into = entries.filter(([, to]) => to === id);
    const out = entries.filter(([from]) => from === id);
    for (const [from, to] of [...into, ...out]) edges.delete(`${from}\u0000${to}`);
    for (const [from] of into) {
      for (const [, to, labels] of out) {
        if (from === to) continue;
        const key = `${from}\u0000${to}`;
        if (!edges.has(key)) edges.set(key, new Set());
        for (const label of labels) edges.get(key)!.add(label);
      }
    }
  }
  return edges;
}

/**
 * Traces one forward pass (eval mode, autograd recording on so functional ops between modules
 * are seen) and returns boxes with output shapes and the dataflow edges between them.
 */
export function tracedDiagram(model: Module, input: ComplexityInput, options: DiagramOptions = {}): Diagram {
  const depth = checkDepth(options.depth);
  const inputs = makeInputs(model, input, options).map((t) => (t.dtype === "float32" || t.dtype === "float64" ? t.detach().requiresGrad_() : t));
  const trace = withMode(model, options.training ?? false, () => enableGrad(() => traceForward(model, inputs, { graph: true, atomic: isAtomic })));
  const unit = (call: CallRecord): string => unitOf(call.name, depth);

  const units: string[] = inputs.map((_, i) => `input:${i}`);
  // A junction read inside a folded group is folded too: its inputs connect to its readers directly.
  const folded = new Set(trace.junctions.filter((j) => j.consumer < trace.calls.length && unit(trace.calls[j.consumer]) !== trace.calls[j.consumer].name).map((j) => j.id));
  const pending = trace.junctions.filter((j) => !folded.has(j.id));
  const placeJunctions = (before: number): void => {
    while (pending.length > 0 && pending[0].consumer <= before) units.push(pending.shift()!.id);
  };
  for (const call of trace.calls) {
    if (!call.graphNode) continue;
    placeJunctions(call.id);
    if (!units.includes(unit(call))) units.push(unit(call));
  }
  placeJunctions(Infinity);
  units.push("output");
  const shapes = new Map<string, number[][]>();
  inputs.forEach((t, i) => shapes.set(`input:${i}`, [[...t.shape]]));
  for (const junction of trace.junctions) shapes.set(junction.id, [junction.shape]);
  shapes.set("output", tensorsIn(trace.output).map((t) => [...t.shape]));
  for (const call of trace.calls) if (units.includes(call.name)) shapes.set(call.name, tensorsIn(call.output).map((t) => [...t.shape]));

  const ops = new Map(trace.junctions.map((j) => [j.id, j.op]));
  const { nodes, groups } = layout(model, units, shapes, depth, ops);
  const index = new Map(units.map((key, i) => [key, i]));
  const edges = [...foldJunctions(collectEdges(trace.calls, trace.junctions, unit, trace.outputSources), folded)].map(([key, labels]) => {
    const [from, to] = key.split("\u0000");
    return { from: index.get(from)!, to: index.get(to)!, label: [...labels].join(",") };
  });
  const tree = treeDiagram(model);
  return { ...tree, traced: true, nodes, edges, groups };
}
