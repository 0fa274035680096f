import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn } = pl;

class Net extends nn.Module {
  encoder = new nn.Sequential(new nn.Linear(4, 3), new nn.Linear(3, 2));
  head = new nn.Linear(2, 1, { bias: false });
  forward(x: pl.Tensor): pl.Tensor {
    return this.head.forward(this.encoder.forward(x) as pl.Tensor);
  }
}

describe("nn.Module", () => {
  it("names parameters in declaration order", () => {
    const names = new Net().namedParameters().map(([name]) => name);
    expect(names).toEqual(["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "head.weight"]);
  });

  it("stateDict round-trips into a fresh model", () => {
    pl.manualSeed(1);
    const source = new Net();
    pl.manualSeed(2);
    const target = new Net();
    target.loadStateDict(source.stateDict());
    const x = pl.randn([5, 4]);
    expect(target.forward(x).toArray()).toEqual(source.forward(x).toArray());
  });

  it("loadStateDict strict reports missing and unexpected keys", () => {
    const state = new Net().stateDict();
    delete state["head.weight"];
    state["extra.weight"] = pl.zeros([1]);
    expect(() => new Net().loadStateDict(state)).toThrow(/missing keys: head.weight; unexpected keys: extra.weight/);
    const result = new Net().loadStateDict(state, { strict: false });
    expect(result.missingKeys).toEqual(["head.weight"]);
    expect(result.unexpectedKeys).toEqual(["extra.weight"]);
  });

  it("loadStateDict rejects a wrong shape", () => {
    const state = new Net().stateDict();
    state["head.weight"] = pl.zeros([2, 2]);
    expect(() => new Net().loadStateDict(state)).toThrow(/"head.weight" has shape \[2, 2\] in the state dict but \[1, 2\]/);
  });

  it("train and eval reach every submodule", () => {
    const net = new Net().eval();
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
    net.train();
    expect([...net.modules()].every((m) => m.training)).toBe(true);
  });

  it("forward hooks see nested forward calls", () => {
    const net = new Net();
    const seen: string[] = [];
    for (const [name, module] of net.namedModules()) module.registerForwardHook(() => void seen.push(name));
    net.forward(pl.randn([2, 4]));
    expect(seen).toEqual(["encoder.0", "encoder.1", "encoder", "head", ""]);
  });

  it("to converts parameters", () => {
    const net = new Net().to("float64");
    expect(net.parameters().every((p) => p.dtype === "float64")).toBe(true);
    expect(net.forward(pl.randn([1, 4], { dtype: "float64" })).dtype).toBe("float64");
  });

  it("to keeps parameter identity for an existing optimizer", () => {
    const layer = new nn.Linear(2, 1);
    const optimizer = new pl.optim.SGD(layer.parameters(), { lr: 0.1 });
    const [weight] = layer.parameters();
    layer.to("float64");
    expect(layer.parameters()[0]).toBe(weight);
    expect(weight.dtype).toBe("float64");
    const before = weight.toArray();
    layer.forward(pl.ones([1, 2], { dtype: "float64" })).sum().backward();
    optimizer.step();
    expect(weight.toArray()).not.toEqual(before);
  });

  it("toString prints a tree", () => {
    expect(new Net().toString()).toBe(
      [
        "Net(",
        "  (encoder): Sequential(",
        "    (0): Linear(inFeatures=4, outFeatures=3, bias=true)",
        "    (1): Linear(inFeatures=3, outFeatures=2, bias=true)",
        "  )",
        "  (head): Linear(inFeatures=2, outFeatures=1, bias=false)",
        ")",
      ].join("\n"),
    );
  });

  it("Linear rejects a wrong input width", () => {
    expect(() => new nn.Linear(784, 10).forward(pl.zeros([2, 100]))).toThrow(
      /Linear\(784, 10\): expected input of shape \[\.\.\., 784\], got \[2, 100\]/,
    );
  });

  it("Linear matches x·Wᵀ + b computed by hand", () => {
    const layer = new nn.Linear(2, 2, { dtype: "float64" });
    const w = layer.weight.toArray() as number[][];
    const b = layer.bias!.toArray() as number[];
    const y = layer.forward(pl.tensor([[1, 2]], { dtype: "float64" })).toArray() as number[][];
    for (let j = 0; j < 2; j++) expect(y[0][j]).toBeCloseTo(w[j][0] + 2 * w[j][1] + b[j], 12);
  });

  it("Linear default init stays within 1/sqrt(inFeatures)", () => {
    const layer = new nn.Linear(100, 50);
    const bound = 1 / Math.sqrt(100);
    const values = layer.weight.dataSync();
    expect(Math.max(...values)).toBeLessThanOrEqual(bound);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-bound);
  });
});
