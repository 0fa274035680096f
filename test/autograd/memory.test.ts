import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { noGrad } from "../../core/autograd/index.js";
import * as pl from "../../core/index.js";
import { Generator, Tensor, randn } from "../../core/index.js";

/**
 * Returns a function that forces a full garbage collection. Node exposes gc only with
 * --expose-gc; setting the flag at run time and reading gc from a new context gives the same
 * function without changing how vitest starts its workers.
 */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const gc = exposeGc();

/** Lets pending WeakRef targets be cleared, since a WeakRef keeps its target alive until the turn ends. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

function makeMlp(seed: number): Tensor[] {
  const generator = new Generator(seed);
  const shapes = [[16, 32], [32], [32, 32], [32], [32, 1], [1]];
  return shapes.map((shape) => randn(shape, { generator }).mul(0.2).detach().requiresGrad_());
}

function forward(parameters: Tensor[], x: Tensor): Tensor {
  let h = x;
  for (let i = 0; i < parameters.length; i += 2) {
    h = h.matmul(parameters[i]).add(parameters[i + 1]);
    if (i + 2 < parameters.length) h = h.tanh();
  }
  return h;
}

/** One SGD step on a fixed batch; returns the loss tensor. */
function step(parameters: Tensor[], x: Tensor, y: Tensor): Tensor {
  const loss = forward(parameters, x).sub(y).pow(2).mean();
  loss.backward();
  noGrad(() => {
    for (const p of parameters) {
      p.sub_(p.grad!.mul(0.01));
      p.grad = null;
    }
  });
  return loss;
}

/** Runs forward and backward of a two-layer loss; returns the loss and a weak reference to its hidden activation. */
function lossAndActivation(parameters: Tensor[], x: Tensor): [Tensor, WeakRef<Tensor>] {
  const hidden = x.matmul(parameters[0]).tanh();
  const loss = hidden.matmul(parameters[2]).sum();
  loss.backward();
  return [loss, new WeakRef(hidden)];
}

describe("memory", () => {
  it("1,000 training steps leave the heap flat", async () => {
    const generator = new Generator(3);
    const x = randn([64, 16], { generator });
    const y = randn([64, 1], { generator });
    const parameters = makeMlp(4);
    const losses: number[] = [];
    for (let i = 0; i < 100; i++) losses.push(step(parameters, x, y).item());
    await collect();
    const before = process.memoryUsage().heapUsed;

    for (let i = 0; i < 1000; i++) losses.push(step(parameters, x, y).item());
    await collect();
    const after = process.memoryUsage().heapUsed;

    // One step allocates about 100 KB of activations and gradients, so a leak of a step's graph
    // would add about 100 MB over 1,000 steps; 4 MB leaves room for JIT code and caches.
    expect(after - before).toBeLessThan(4 * 1024 * 1024);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it("a kept loss does not keep its graph's activations after backward", async () => {
    const generator = new Generator(5);
    const x = randn([8, 16], { generator });
    const parameters = makeMlp(6);
    const losses: Tensor[] = [];
    const activations: WeakRef<Tensor>[] = [];
    for (let i = 0; i < 5; i++) {
      const [loss, hidden] = lossAndActivation(parameters, x);
      losses.push(loss);
      activations.push(hidden);
    }
    await collect();
    expect(activations.map((ref) => ref.deref() !== undefined)).toEqual([false, false, false, false, false]);
    expect(losses.every((loss) => loss.gradFn !== null)).toBe(true);
  });

  it("a graph without backward is collected once unreferenced", async () => {
    const x = randn([8, 16], { generator: new Generator(8) });
    const parameters = makeMlp(9);
    const refs: WeakRef<Tensor>[] = [];
    for (let i = 0; i < 5; i++) refs.push(new WeakRef(forward(parameters, x).sum()));
    await collect();
    expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
  });
});

describe("activations in one synchronous loop", () => {
  it("are freed while the loop still runs", () => {
    // Each step makes about 16 MB of activations; 200 steps in one job would hold 3.2 GB if
    // anything kept them alive until the job ends (as V8 keeps WeakRef targets).
    const weight = pl.randn([1024, 1024], { requiresGrad: true });
    const input = pl.randn([1024, 1024]);
    const before = process.memoryUsage().arrayBuffers;
    for (let step = 0; step < 200; step++) {
      const loss = input.mul(weight).tanh().mul(2).sum();
      loss.backward();
      weight.grad = null;
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(800e6);
  });
});
