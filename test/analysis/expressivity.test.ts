import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";
import { linearRegions, linearRegionsAlongLine, trajectoryLength } from "../../core/analysis/expressivity/index.js";
import { InvalidArgumentError } from "../../core/tensor/errors.js";
import { svgProblem } from "./svg.js";

const nn = pl.nn;

/** Builds a 2 → hidden → 1 ReLU network whose hidden unit i is relu(w_i·x + b_i). */
function oneHiddenLayer(weights: number[][], biases: number[]): pl.nn.Sequential {
  const hidden = new nn.Linear(weights[0].length, weights.length, { dtype: "float64" });
  const out = new nn.Linear(weights.length, 1, { dtype: "float64" });
  pl.noGrad(() => {
    hidden.weight.copy_(pl.tensor(weights, { dtype: "float64" }));
    hidden.bias!.copy_(pl.tensor(biases, { dtype: "float64" }));
  });
  return new nn.Sequential(hidden, new nn.ReLU(), out);
}

/**
 * Counts the regions cut from the open square (−e, e)² by lines w·x + b = 0 in general position,
 * where no three lines meet in one point. The count is 1 + the lines crossing the square + the
 * intersection points inside it.
 */
function arrangementRegions(weights: number[][], biases: number[], e: number): number {
  const corners = [[-e, -e], [-e, e], [e, -e], [e, e]];
  const crosses = weights.filter((w, i) => {
    const signs = corners.map(([x, y]) => Math.sign(w[0] * x + w[1] * y + biases[i]));
    return signs.some((s) => s > 0) && signs.some((s) => s < 0);
  }).length;
  let inside = 0;
  for (let i = 0; i < weights.length; i++) {
    for (let j = i + 1; j < weights.length; j++) {
      const [[a, b], [c, d]] = [weights[i], weights[j]];
      const det = a * d - b * c;
      if (det === 0) continue;
      const x = (-biases[i] * d + b * biases[j]) / det;
      const y = (-a * biases[j] + c * biases[i]) / det;
      if (Math.abs(x) < e && Math.abs(y) < e) inside++;
    }
  }
  return 1 + crosses + inside;
}

describe("linearRegions", () => {
  const cases: [string, number[][], number[]][] = [
    ["two crossing lines", [[1, 0], [0, 1]], [0, 0]],
    ["three lines, triangle inside", [[1, 0], [0, 1], [1, 1]], [0, 0, -0.5]],
    ["parallel lines", [[1, 0], [1, 0]], [-0.2, 0.3]],
    ["one line misses the square", [[1, 0], [0, 1], [1, 0]], [0.1, -0.4, -3]],
    ["four lines", [[1, 0.3], [-0.4, 1], [1, -1], [0.2, 0.9]], [0.1, -0.2, 0.35, 0.5]],
  ];
  for (const [name, weights, biases] of cases) {
    test(`${name} matches the line arrangement`, () => {
      const expected = arrangementRegions(weights, biases, 1);
      const regions = linearRegions(oneHiddenLayer(weights, biases), { extent: 1, resolution: 301 });
      expect(regions.count, `weights ${JSON.stringify(weights)}, biases ${JSON.stringify(biases)}`).toBe(expected);
      expect(regions.units).toBe(weights.length);
    });
  }

  test("arrangement counts are as drawn", () => {
    expect(arrangementRegions([[1, 0], [0, 1], [1, 1]], [0, 0, -0.5], 1)).toBe(7);
    expect(arrangementRegions([[1, 0], [1, 0]], [-0.2, 0.3], 1)).toBe(3);
  });

  test("slice through a 3-D input", () => {
    const model = oneHiddenLayer([[1, 0, 0], [0, 0, 1]], [0, 0]);
    // On center + u·(1, 0, 0) + v·(0, 1, 1) the units see u and v: two crossing lines.
    const regions = linearRegions(model, { center: [0, 0.5, 0], directions: [[1, 0, 0], [0, 1, 1]], resolution: 21 });
    expect(regions.count).toBe(4);
    // Region ids follow the quadrants: the corners of the grid differ pairwise.
    const r = regions.regionIds;
    const corners = new Set([r[0][0], r[0][20], r[20][0], r[20][20]]);
    expect(corners.size).toBe(4);
    expect(regions.u).toHaveLength(21);
    expect(regions.u[0]).toBe(-1);
  });

  test("display is a heatmap with SVG fallback", () => {
    const regions = linearRegions(oneHiddenLayer([[1, 0], [0, 1]], [0, 0]), { resolution: 20 });
    const bundle = regions[pl.display.DISPLAY]();
    const figure = bundle[pl.display.PLOTLY_MIME] as pl.display.Figure;
    expect(figure.data[0].type).toBe("heatmap");
    expect(figure.data[0].z).toHaveLength(20);
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
    expect(bundle["text/plain"]).toContain("4 linear regions");
  });

  test("bad input is rejected", () => {
    expect(() => linearRegions(new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh()))).toThrow(/has no nn.ReLU/);
    expect(() => linearRegions(oneHiddenLayer([[1, 0]], [0]), { resolution: 1 })).toThrow(InvalidArgumentError);
    expect(() => linearRegions(oneHiddenLayer([[1, 0]], [0]), { extent: [1, -1] })).toThrow(/extent \[1,-1\] is invalid/);
    expect(() => linearRegions(oneHiddenLayer([[1, 0]], [0]), { inputShape: [2], center: [0, 0, 0] })).toThrow(/center has 3 values; expected 2/);
    // A center of another size sets the input shape, so the first layer reports the mismatch.
    expect(() => linearRegions(oneHiddenLayer([[1, 0]], [0]), { center: [0, 0, 0] })).toThrow(/Linear\(2, 1\): expected input of shape \[\.\.\., 2\]/);
  });
});

/** Values of t in (0, 1) where start + t·(end − start) crosses a line w·x + b = 0, distinct and sorted. */
function lineCrossings(weights: number[][], biases: number[], start: number[], end: number[]): number[] {
  const crossings = new Set<number>();
  weights.forEach((w, i) => {
    const atStart = w[0] * start[0] + w[1] * start[1] + biases[i];
    const rate = w[0] * (end[0] - start[0]) + w[1] * (end[1] - start[1]);
    const t = rate === 0 ? NaN : -atStart / rate;
    if (t > 0 && t < 1) crossings.add(Number(t.toFixed(9)));
  });
  return [...crossings].sort((a, b) => a - b);
}

describe("linearRegionsAlongLine", () => {
  test("one hidden layer matches the crossings", () => {
    const weights = [[1, 0.3], [-0.4, 1], [1, -1], [0.2, 0.9], [1, 0]];
    const biases = [0.1, -0.2, 0.35, 0.5, 2];
    const [start, end] = [[-1, -0.7], [1, 0.9]];
    const expected = lineCrossings(weights, biases, start, end);
    const result = linearRegionsAlongLine(oneHiddenLayer(weights, biases), { start, end });
    expect(result.count).toBe(expected.length + 1);
    result.breakpoints.forEach((t, k) => expect(t).toBeCloseTo(expected[k], 6));
  });

  test("deep network agrees with dense sampling", () => {
    pl.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(2, 12), new nn.ReLU(), new nn.Linear(12, 12), new nn.ReLU(), new nn.Linear(12, 1)).double();
    const [start, end] = [[-2, -1], [2, 1.5]];
    const exact = linearRegionsAlongLine(model, { start, end });
    // Sampled pattern changes along the segment can only miss breakpoints, never add them.
    const samples = 20_001;
    const batch = pl.tensor(Array.from({ length: samples }, (_, i) => [start[0] + ((end[0] - start[0]) * i) / (samples - 1), start[1] + ((end[1] - start[1]) * i) / (samples - 1)]), { dtype: "float64" });
    const [firstLinear, secondLinear] = [model.at(0) as pl.nn.Linear, model.at(2) as pl.nn.Linear];
    const first = pl.noGrad(() => firstLinear.forward(batch));
    const second = pl.noGrad(() => secondLinear.forward(first.relu()));
    const a = first.dataSync();
    const b = second.dataSync();
    let changes = 0;
    for (let i = 1; i < samples; i++) {
      let differs = false;
      for (let j = 0; j < 12 && !differs; j++) differs = a[i * 12 + j] > 0 !== a[(i - 1) * 12 + j] > 0 || b[i * 12 + j] > 0 !== b[(i - 1) * 12 + j] > 0;
      if (differs) changes++;
    }
    expect(exact.count).toBeGreaterThan(5);
    expect(exact.count).toBe(changes + 1);
  });

  test("missing end points are named", () => {
    const model = new nn.Sequential(new nn.Linear(2, 2, { dtype: "float64" }), new nn.ReLU());
    expect(() => linearRegionsAlongLine(model, {} as never)).toThrow(
      "linearRegionsAlongLine: options.start and options.end are missing; pass the segment's end points, such as { start: [0, 0], end: [1, 1] }.",
    );
    expect(() => linearRegionsAlongLine(model, { start: [0, 0] } as never)).toThrow("linearRegionsAlongLine: options.end is missing");
    expect(() => linearRegionsAlongLine(model, { start: 3, end: [1, 1] } as never)).toThrow("linearRegionsAlongLine: start is invalid");
  });

  test("float32 model is rejected", () => {
    expect(() => linearRegionsAlongLine(new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()), { start: [0, 0], end: [1, 1] })).toThrow(/call model.double\(\) first/);
  });
});

describe("trajectoryLength", () => {
  test("linear layers scale the circle", () => {
    const first = new nn.Linear(2, 2, { bias: false, dtype: "float64" });
    const second = new nn.Linear(2, 2, { bias: false, dtype: "float64" });
    pl.noGrad(() => {
      first.weight.copy_(pl.tensor([[3, 0], [0, 3]], { dtype: "float64" }));
      second.weight.copy_(pl.tensor([[0, -0.5], [0.5, 0]], { dtype: "float64" }));
    });
    const n = 500;
    const r = 2;
    const result = trajectoryLength(new nn.Sequential(first, second), { points: n, radius: r });
    const polygon = n * 2 * r * Math.sin(Math.PI / n); // perimeter of the inscribed regular n-gon
    expect(result.layers.map((l) => l.name)).toEqual(["input", "0", "1"]);
    expect(result.layers[0].length).toBeCloseTo(polygon, 10);
    expect(result.layers[1].length).toBeCloseTo(3 * polygon, 9);
    expect(result.layers[2].length).toBeCloseTo(1.5 * polygon, 9);
    expect(result.growth[0]).toBeCloseTo(3, 10);
  });

  test("list of layers and a plain module agree", () => {
    pl.manualSeed(1);
    const layers = [new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 8)];
    class Net extends nn.Module {
      a = layers[0];
      b = layers[1];
      c = layers[2];
      forward(x: pl.Tensor): pl.Tensor {
        return this.c.forward(this.b.forward(this.a.forward(x)));
      }
    }
    const fromList = trajectoryLength(layers, { points: 200 });
    const fromModule = trajectoryLength(new Net(), { points: 200 });
    expect(fromModule.layers.map((l) => l.name)).toEqual(["input", "a", "b", "c"]);
    fromList.layers.forEach((layer, k) => expect(fromModule.layers[k].length).toBeCloseTo(layer.length, 4));
  });

  test("length grows with depth in a wide random tanh network", () => {
    // Weights N(0, σ²/k) with σ = 4 put tanh networks in the chaotic regime, where length grows with depth.
    const generator = new pl.Generator(7);
    const width = 64;
    const layers: pl.nn.Module[] = [];
    for (let depth = 0; depth < 6; depth++) {
      const linear = new nn.Linear(depth === 0 ? 2 : width, width, { bias: false });
      const fanIn = depth === 0 ? 2 : width;
      pl.noGrad(() => linear.weight.copy_(pl.randn([width, fanIn], { generator }).mul(4 / Math.sqrt(fanIn))));
      layers.push(linear, new nn.Tanh());
    }
    const result = trajectoryLength(layers, { points: 400, radius: 1 });
    const afterTanh = result.layers.filter((l) => l.type === "Tanh").map((l) => l.length);
    for (let k = 1; k < afterTanh.length; k++) expect(afterTanh[k], `lengths ${afterTanh.join(", ")}`).toBeGreaterThan(afterTanh[k - 1]);
    expect(afterTanh[afterTanh.length - 1]).toBeGreaterThan(4 * afterTanh[0]);
  });

  test("display is a line plot", () => {
    const result = trajectoryLength([new nn.Linear(2, 3), new nn.ReLU()], { points: 50 });
    const bundle = result[pl.display.DISPLAY]();
    expect((bundle[pl.display.PLOTLY_MIME] as pl.display.Figure).data[0].y).toHaveLength(3);
    expect(svgProblem(bundle["image/svg+xml"])).toBeNull();
    expect(bundle["text/plain"]).toContain("Trajectory length through depth");
  });

  test("bad input is rejected", () => {
    expect(() => trajectoryLength([new nn.Linear(2, 2)], { points: 2 })).toThrow(/points=2 is invalid/);
    expect(() => trajectoryLength([], {})).toThrow(/non-empty list/);
    expect(() => trajectoryLength([new nn.Tanh()], {})).toThrow(/pass inputShape/);
  });
});
