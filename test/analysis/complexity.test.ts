import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";
import { complexity } from "../../core/analysis/complexity/index.js";
import type { ComplexitySummary, LayerSummary } from "../../core/analysis/complexity/index.js";
import { ShapeError, InvalidArgumentError } from "../../core/tensor/errors.js";

const nn = pl.nn;
// Parameter counts from PyTorch 1.13 (scripts/fixtures/complexity.py).
const fixture = JSON.parse(readFileSync(new URL("../fixtures/analysis/parameter_counts.json", import.meta.url), "utf8")) as {
  counts: Record<string, { total: number; perParameter: Record<string, number> }>;
};

function lenet(): pl.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(256, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
  );
}

function layer(summary: ComplexitySummary, name: string): LayerSummary {
  const found = summary.layers.find((l) => l.name === name);
  if (!found) throw new Error(`no layer named "${name}" in ${summary.layers.map((l) => l.name).join(", ")}`);
  return found;
}

/** Checks the total and, per module that owns parameters, the sum of PyTorch's per-parameter counts under its name. */
function expectCountsLikeTorch(summary: ComplexitySummary, key: string): void {
  const expected = fixture.counts[key];
  expect(summary.totals.params).toBe(expected.total);
  for (const row of summary.layers.filter((l) => l.ownParams > 0)) {
    const prefix = row.name ? `${row.name}.` : "";
    const own = Object.entries(expected.perParameter)
      .filter(([name]) => name.startsWith(prefix) && !name.slice(prefix.length).includes("."))
      .reduce((n, [, count]) => n + count, 0);
    expect(row.ownParams, `own parameters of "${row.name}"`).toBe(own);
  }
}

describe("parameter counts", () => {
  test("LeNet matches PyTorch", () => {
    expectCountsLikeTorch(complexity(lenet(), [1, 1, 28, 28]), "lenet");
  });

  test("2-layer LSTM matches PyTorch", () => {
    expectCountsLikeTorch(complexity(new nn.LSTM(10, 20, { numLayers: 2 }), [7, 3, 10]), "lstm2");
  });

  test("TransformerEncoderLayer matches PyTorch", () => {
    const summary = complexity(new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 }), [5, 2, 16]);
    expectCountsLikeTorch(summary, "encoderLayer");
  });

  test("MixtureOfExperts matches its definition", () => {
    const moe = new nn.MixtureOfExperts(8, 8, { numExperts: 4, topK: 2, hiddenSize: 16 });
    const summary = complexity(moe, [6, 8]);
    const gate = 8 * 4; // Linear(8, 4) without bias
    const noise = 8 * 4; // w_noise [inputSize, numExperts]
    const expert = 8 * 16 + 16 + 16 * 8 + 8; // Linear(8, 16) and Linear(16, 8) with biases
    expect(summary.totals.params).toBe(gate + noise + 4 * expert);
    expect(layer(summary, "experts.2").params).toBe(expert);
  });

  test("frozen parameters count as non-trainable", () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Linear(3, 2));
    for (const p of model.at(0).parameters()) p.requiresGrad = false;
    const summary = complexity(model, [1, 4]);
    expect(summary.totals.trainableParams).toBe(3 * 2 + 2);
    expect(summary.totals.nonTrainableParams).toBe(4 * 3 + 3);
  });
});

describe("FLOPs and MACs", () => {
  test("LeNet matches a hand count", () => {
    const summary = complexity(lenet(), [1, 1, 28, 28]);
    // Conv: MACs = outputs·inChannels·25; FLOPs = 2·MACs + one bias add per output.
    const conv1 = { macs: 6 * 24 * 24 * 1 * 25, flops: 2 * 6 * 24 * 24 * 25 + 6 * 24 * 24 };
    const conv2 = { macs: 16 * 8 * 8 * 6 * 25, flops: 2 * 16 * 8 * 8 * 6 * 25 + 16 * 8 * 8 };
    const relu1 = 6 * 24 * 24;
    const relu2 = 16 * 8 * 8;
    const pool1 = 6 * 12 * 12 * 3; // 3 comparisons per 2×2 window
    const pool2 = 16 * 4 * 4 * 3;
    const fc = [[256, 120], [120, 84], [84, 10]].map(([i, o]) => ({ macs: i * o, flops: 2 * i * o + o }));
    const fcRelus = 120 + 84;
    expect(layer(summary, "0").macs).toBe(86_400);
    expect(layer(summary, "0").flops).toBe(conv1.flops);
    expect(layer(summary, "3").macs).toBe(conv2.macs);
    expect(layer(summary, "2").flops).toBe(pool1);
    expect(layer(summary, "7").flops).toBe(fc[0].flops);
    const macs = conv1.macs + conv2.macs + fc.reduce((n, l) => n + l.macs, 0);
    const flops = conv1.flops + conv2.flops + relu1 + relu2 + pool1 + pool2 + fc.reduce((n, l) => n + l.flops, 0) + fcRelus;
    expect(summary.totals.macs).toBe(macs);
    expect(summary.totals.macs).toBe(281_640);
    expect(summary.totals.flops).toBe(flops);
  });

  test("grouped convolution divides MACs by groups", () => {
    const summary = complexity(new nn.Conv2d(4, 8, 3, { groups: 2, bias: false }), [2, 4, 10, 10]);
    expect(summary.totals.macs).toBe(2 * 8 * 8 * 8 * (4 / 2) * 9);
    expect(summary.totals.flops).toBe(2 * summary.totals.macs);
  });

  test("self-attention matches a hand count", () => {
    const [L, B, E, h] = [5, 2, 16, 4];
    const attention = new nn.MultiheadAttention(E, h);
    const query = pl.randn([L, B, E]);
    const summary = complexity(attention, [query, query, query]);
    const projections = 3 * B * L * E * E;
    const scores = B * L * L * E; // QKᵀ over all heads
    const weighted = B * L * L * E; // attention weights times V
    const outProjection = B * L * E * E;
    expect(summary.totals.macs).toBe(projections + scores + weighted + outProjection);
    const biasAdds = 3 * B * L * E + B * L * E;
    const scale = B * h * L * L;
    const softmax = 5 * B * h * L * L;
    expect(summary.totals.flops).toBe(2 * (projections + scores + weighted + outProjection) + biasAdds + scale + softmax);
    expect(layer(summary, "out_proj").macs).toBe(outProjection);
  });

  test("cross-attention uses the key length", () => {
    const [L, S, B, E] = [5, 7, 2, 16];
    const summary = complexity(new nn.MultiheadAttention(E, 4), [pl.randn([L, B, E]), pl.randn([S, B, E]), pl.randn([S, B, E])]);
    expect(summary.totals.macs).toBe(B * L * E * E + 2 * B * S * E * E + 2 * B * L * S * E + B * L * E * E);
  });

  test("LSTM counts gates, steps and layers", () => {
    const [T, B, I, H] = [7, 3, 10, 20];
    const summary = complexity(new nn.LSTM(I, H, { numLayers: 2 }), [T, B, I]);
    expect(summary.totals.macs).toBe(T * B * (4 * H * (I + H) + 4 * H * (H + H)));
  });

  test("bidirectional GRU doubles per direction", () => {
    const [T, B, I, H] = [4, 2, 6, 5];
    const summary = complexity(new nn.GRU(I, H, { bidirectional: true }), [T, B, I]);
    expect(summary.totals.macs).toBe(2 * T * B * 3 * H * (I + H));
  });

  test("LSTMCell counts one step", () => {
    const [B, I, H] = [3, 6, 5];
    const summary = complexity(new nn.LSTMCell(I, H), [B, I]);
    expect(summary.totals.macs).toBe(B * 4 * H * (I + H));
    // 2·MACs + adding the two products + two bias vectors + 15 elementwise FLOPs per hidden unit.
    expect(summary.totals.flops).toBe(2 * B * 4 * H * (I + H) + B * (4 * H + 2 * 4 * H + 15 * H));
    expect(summary.uncounted).toEqual([]);
  });

  test("MixtureOfExperts counts only routed experts", () => {
    const moe = new nn.MixtureOfExperts(8, 8, { numExperts: 4, topK: 2, hiddenSize: 16 });
    // With a zero gate every token ties and picks experts 0 and 1; capacity ceil(1.25·6·2/4) = 4 each.
    const summary = complexity(moe, [6, 8]);
    const gate = 6 * 8 * 4;
    const perToken = 8 * 16 + 16 * 8;
    expect(moe.lastRouting?.tokensPerExpert).toEqual([4, 4, 0, 0]);
    expect(summary.totals.macs).toBe(gate + 8 * perToken);
    expect(layer(summary, "experts.2").macs).toBe(0);
    expect(layer(summary, "experts.2").calls).toBe(0);
    // The analysis pass does not count as a batch in the layer's statistics.
    expect(moe.statistics().batches).toBe(0);
  });

  test("MixtureOfExperts follows the routing", () => {
    const moe = new nn.MixtureOfExperts(8, 8, { numExperts: 4, topK: 2, hiddenSize: 16, capacityFactor: Infinity });
    pl.noGrad(() => moe.gate.weight.copy_(pl.randn([4, 8], { generator: new pl.Generator(3) })));
    const summary = complexity(moe, [6, 8]);
    const routed = moe.lastRouting!.tokensPerExpert;
    expect(routed.reduce((a, b) => a + b, 0)).toBe(12);
    expect(summary.totals.macs).toBe(6 * 8 * 4 + 12 * (8 * 16 + 16 * 8));
    routed.forEach((tokens, e) => expect(layer(summary, `experts.${e}`).macs).toBe(tokens * (8 * 16 + 16 * 8)));
  });

  test("Embedding-first model takes int32 input", () => {
    const model = new nn.Sequential(new nn.Embedding(50, 8), new nn.Linear(8, 4));
    const summary = complexity(model, [2, 5], { dtype: "int32" });
    expect(layer(summary, "0").macs).toBe(0);
    expect(layer(summary, "0").outputShapes).toEqual([[2, 5, 8]]);
    expect(summary.totals.macs).toBe(2 * 5 * 8 * 4);
  });

  test("BatchNorm counts eval mode and restores training", () => {
    const model = new nn.Sequential(new nn.Conv2d(2, 3, 1), new nn.BatchNorm2d(3));
    model.train();
    const summary = complexity(model, [1, 2, 4, 4]);
    expect(layer(summary, "1").flops).toBe(3 * 16 * 4);
    expect(model.training).toBe(true);
    expect(model.at(1).training).toBe(true);
    const trained = complexity(model, [1, 2, 4, 4], { training: true });
    expect(layer(trained, "1").flops).toBe(3 * 16 * 8);
  });
});

describe("receptive field and memory", () => {
  test("conv stack matches a hand count", () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3),
      new nn.ReLU(),
      new nn.Conv2d(4, 4, 3),
      new nn.MaxPool2d(2),
      new nn.Conv2d(4, 4, 3, { dilation: 2, padding: 2 }),
      new nn.Conv2d(4, 4, 3, { stride: 2 }),
    );
    const summary = complexity(model, [1, 1, 32, 32]);
    // size += (k_eff − 1)·jump; jump *= stride; start += ((k_eff − 1)/2 − padding)·jump.
    expect(layer(summary, "0").receptiveField).toEqual({ size: [3, 3], jump: [1, 1], start: [1.5, 1.5] });
    expect(layer(summary, "1").receptiveField?.size).toEqual([3, 3]);
    expect(layer(summary, "2").receptiveField).toEqual({ size: [5, 5], jump: [1, 1], start: [2.5, 2.5] });
    expect(layer(summary, "3").receptiveField).toEqual({ size: [6, 6], jump: [2, 2], start: [3, 3] });
    expect(layer(summary, "4").receptiveField).toEqual({ size: [14, 14], jump: [2, 2], start: [3, 3] });
    expect(summary.receptiveField).toEqual({ size: [18, 18], jump: [4, 4], start: [5, 5] });
  });

  test("activation bytes are float32 outputs", () => {
    const summary = complexity(new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU()), [3, 4]);
    expect(layer(summary, "0").activationBytes).toBe(3 * 6 * 4);
    expect(summary.totals.activationBytes).toBe(2 * 3 * 6 * 4);
    expect(summary.totals.parameterBytes).toBe((4 * 6 + 6) * 4);
  });

  test("time is measured per layer", () => {
    const summary = complexity(lenet(), [1, 1, 28, 28]);
    for (const row of summary.layers) expect(row.timeMs).toBeGreaterThanOrEqual(0);
    expect(summary.totals.timeMs).toBeGreaterThanOrEqual(layer(summary, "0").timeMs);
  });
});

describe("summary display", () => {
  test("text reads like torchinfo", () => {
    const text = complexity(lenet(), [1, 1, 28, 28]).toString();
    expect(text).toContain("Layer (type:depth-idx)");
    expect(text).toContain("├─Conv2d: 1-1");
    expect(text).toContain("└─Linear: 1-12");
    expect(text).toContain("Total params: 44,426");
    expect(text).toContain("Total mult-adds (M): 0.28");
  });

  test("nested rows are indented", () => {
    const model = new nn.Sequential(new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()), new nn.Linear(2, 1));
    const text = complexity(model, [1, 2]).toString();
    expect(text).toContain("│    ├─Linear: 2-1");
    expect(text).toContain("│    └─ReLU: 2-2");
    expect(text).toContain("└─Linear: 1-2");
  });

  test("bundle has text and HTML", () => {
    const bundle = complexity(lenet(), [1, 1, 28, 28])[pl.display.DISPLAY]();
    expect(bundle["text/plain"]).toContain("Mult-Adds");
    const html = bundle["text/html"] as string;
    expect(html).toContain("<table");
    expect(html).toContain("Conv2d");
    expect(html).toContain("16×16 / jump 4×4");
  });
});

describe("bad input", () => {
  test("wrong input shape raises the layer's error", () => {
    const model = new nn.Sequential(new nn.Linear(4, 3));
    expect(() => complexity(model, [1, 5])).toThrow(ShapeError);
    expect(() => complexity(model, [1, 5])).toThrow(/Linear\(4, 3\): expected input of shape \[\.\.\., 4\], got \[1, 5\]/);
    // The hooks were removed, so a later trace records one call per module.
    expect(complexity(model, [1, 4]).layers.map((l) => l.calls)).toEqual([1, 1]);
  });

  test("model without parameters still summarizes", () => {
    const summary = complexity(new nn.Sequential(new nn.ReLU(), new nn.Flatten()), [2, 3, 4]);
    expect(summary.totals.params).toBe(0);
    expect(summary.totals.flops).toBe(2 * 3 * 4);
    expect(summary.toString()).toContain("Total params: 0");
  });

  test("invalid input description is rejected", () => {
    expect(() => complexity(new nn.ReLU(), "[1, 2]" as never)).toThrow(InvalidArgumentError);
    expect(() => complexity(new nn.ReLU(), [1.5, 2])).toThrow(/expected a shape such as/);
  });

  test("types whose ops are not visible are listed", () => {
    class Doubler extends nn.Module {
      forward(x: pl.Tensor): pl.Tensor {
        return pl.noGrad(() => x.mul(2));
      }
    }
    const summary = complexity(new Doubler(), [2, 2]);
    expect(summary.uncounted).toEqual(["Doubler"]);
    expect(summary.toString()).toContain("Not counted (no FLOP rule): Doubler");
  });
});

describe("functional ops in a module's forward", () => {
  class Res extends nn.Module {
    fc = new nn.Linear(4, 4);
    forward(x: pl.Tensor): pl.Tensor {
      return pl.add(x, pl.tanh(this.fc.forward(x)));
    }
  }

  test("count as the module's own FLOPs", () => {
    const summary = complexity(new nn.Sequential(new Res(), new Res()), [2, 4]);
    // Linear: 2·(2·4·4) + 8 bias adds = 72; the block's own tanh and add: 8 + 8.
    expect(layer(summary, "0.fc").flops).toBe(72);
    expect(layer(summary, "0").flops).toBe(72 + 16);
    expect(layer(summary, "0").macs).toBe(32);
    expect(summary.totals.flops).toBe(2 * (72 + 16));
    expect(summary.uncounted).toEqual([]);
    expect(summary.uncountedOps).toEqual([]);
  });

  test("count a residual convolution block", () => {
    class Block extends nn.Module {
      conv = new nn.Conv2d(2, 2, 3, { padding: 1, bias: false });
      forward(x: pl.Tensor): pl.Tensor {
        return pl.relu(pl.add(this.conv.forward(x), x));
      }
    }
    const summary = complexity(new Block(), [1, 2, 4, 4]);
    // Conv2d: 32 outputs · 2 channels · 9 taps = 576 MACs; the block adds and rectifies 32 elements.
    expect(summary.totals.macs).toBe(576);
    expect(summary.totals.flops).toBe(2 * 576 + 32 + 32);
  });

  test("count a leaf module's own matmul as 2·m·n·k", () => {
    class Doubler extends nn.Module {
      forward(x: pl.Tensor): pl.Tensor {
        return x.mul(2);
      }
    }
    class Projection extends nn.Module {
      weight = new nn.Parameter(pl.randn([4, 3]));
      forward(x: pl.Tensor): pl.Tensor {
        return pl.relu(x.matmul(this.weight));
      }
    }
    expect(complexity(new Doubler(), [2, 2]).totals.flops).toBe(4);
    const summary = complexity(new Projection(), [5, 4]);
    expect(summary.totals.macs).toBe(5 * 4 * 3);
    expect(summary.totals.flops).toBe(2 * 5 * 4 * 3 + 5 * 3);
    expect(summary.uncounted).toEqual([]);
  });

  test("count fused linear and conv2d alike", () => {
    const weight = new nn.Parameter(pl.randn([3, 4]));
    const bias = new nn.Parameter(pl.randn([3]));
    const kernel = new nn.Parameter(pl.randn([2, 1, 3, 3]));
    const kernelBias = new nn.Parameter(pl.randn([2]));
    class Fused extends nn.Module {
      parts = { weight, bias, kernel, kernelBias };
      forward(x: pl.Tensor): pl.Tensor {
        const projected = nn.functional.linear(x, weight, bias).add(nn.functional.linear(x, weight));
        const image = pl.conv2d(x.reshape([1, 1, 5, 4]), kernel, kernelBias, { padding: 1 });
        return pl.add(projected.sum(), image.sum());
      }
    }
    class Composed extends nn.Module {
      parts = { weight, bias, kernel, kernelBias };
      forward(x: pl.Tensor): pl.Tensor {
        const projected = x.matmul(weight.t()).add(bias).add(x.matmul(weight.t()));
        const image = pl.conv2d(x.reshape([1, 1, 5, 4]), kernel, null, { padding: 1 }).add(kernelBias.reshape([1, 2, 1, 1]));
        return pl.add(projected.sum(), image.sum());
      }
    }
    const totals = (["wasm", "typescript"] as const).flatMap((backend) => {
      pl.setBackend(backend);
      try {
        return [new Fused(), new Composed()].map((module) => {
          const summary = complexity(module, [5, 4]);
          expect(summary.uncountedOps).toEqual([]);
          return { macs: summary.totals.macs, flops: summary.totals.flops };
        });
      } finally {
        pl.setBackend("wasm");
      }
    });
    // linear: 15 outputs · 4 inputs = 60 MACs, twice; conv2d: 40 outputs · 9 taps = 360 MACs.
    expect(totals[0].macs).toBe(2 * 60 + 360);
    for (const other of totals.slice(1)) expect(other).toEqual(totals[0]);
  });

  test("count an LSTM cell's fused gate step as 15 FLOPs per hidden unit", () => {
    const summary = complexity(new nn.LSTMCell(3, 4), [5, 3]);
    // Two products of 5·16 outputs (depth 3 and 4), three bias-sized adds, then 20 hidden units.
    expect(summary.totals.macs).toBe(5 * 16 * 3 + 5 * 16 * 4);
    expect(summary.totals.flops).toBe(2 * summary.totals.macs + 3 * 80 + 15 * 20);
  });

  test("without a rule are named in the summary", () => {
    class Spread extends nn.Module {
      fc = new nn.Linear(4, 4);
      forward(x: pl.Tensor): pl.Tensor {
        return this.fc.forward(x).std(1);
      }
    }
    const summary = complexity(new nn.Sequential(new Spread()), [2, 4]);
    expect(summary.uncountedOps).toEqual(["functional ops inside 0.forward (Spread): std — not counted"]);
    expect(summary.toString()).toContain("\nfunctional ops inside 0.forward (Spread): std — not counted\n");
  });
});

describe("timing", () => {
  class Counter extends nn.Module {
    calls = 0;
    forward(x: pl.Tensor): pl.Tensor {
      this.calls++;
      return x;
    }
  }

  test("runs one warm-up and timingRuns timed passes", () => {
    const model = new Counter();
    const summary = complexity(model, [1, 2], { timingRuns: 5 });
    expect(model.calls).toBe(6);
    expect(summary.timingRuns).toBe(5);
    expect(summary.toString()).toContain("(median of 5 after a warm-up)");
    expect(summary[pl.display.DISPLAY]()["text/html"]).toContain("Time (ms, median of 5)");
    expect(complexity(new Counter(), [1, 2]).timingRuns).toBe(3);
  });

  test("rejects an invalid timingRuns", () => {
    expect(() => complexity(new Counter(), [1, 2], { timingRuns: 0 })).toThrow("complexity: invalid timingRuns=0; expected an integer >= 1, such as { timingRuns: 3 }.");
  });

  test("extra passes leave BatchNorm's running statistics unchanged", () => {
    const model = new nn.Sequential(new nn.BatchNorm1d(3));
    const before = model.buffers().map((b) => b.toArray());
    complexity(model, [4, 3], { training: true });
    expect(model.buffers().map((b) => b.toArray())).toEqual(before);
  });
});
