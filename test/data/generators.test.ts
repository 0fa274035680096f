import { describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

const { spirals, moons, sinusoidTasks, copySequences, reverseSequences } = pl.data;

describe("spirals", () => {
  test("shapes, dtypes and points per arm", () => {
    const data = spirals({ samples: 10, arms: 3 });
    const [points, labels] = data.tensors;
    expect(points.shape).toEqual([10, 2]);
    expect(points.dtype).toBe("float32");
    expect(labels.dtype).toBe("int32");
    expect(labels.toArray()).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  test("without noise points follow the formula", () => {
    const points = spirals({ samples: 8, arms: 2, turns: 0.5, dtype: "float64" }).tensors[0].toArray() as number[][];
    // Arm 1 has 4 points; its point 1 has radius 2/4 and angle 2π·0.5·0.5 + π.
    const radius = 0.5;
    const angle = Math.PI * 0.5 + Math.PI;
    expect(points[5][0]).toBeCloseTo(radius * Math.cos(angle), 12);
    expect(points[5][1]).toBeCloseTo(radius * Math.sin(angle), 12);
    for (let i = 0; i < 4; i++) expect(Math.hypot(...points[i])).toBeCloseTo((i + 1) / 4, 12);
  });

  test("same seed gives the same noisy points", () => {
    const a = spirals({ noise: 0.1, generator: new pl.Generator(1) }).tensors[0].toArray();
    const b = spirals({ noise: 0.1, generator: new pl.Generator(1) }).tensors[0].toArray();
    const c = spirals({ noise: 0.1, generator: new pl.Generator(2) }).tensors[0].toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test("rejects bad arguments", () => {
    expect(() => spirals({ arms: 0 })).toThrow(/arms=0 is invalid; expected an integer >= 1/);
    expect(() => spirals({ noise: -1 })).toThrow(/noise=-1 is invalid/);
    expect(() => spirals({ dtype: "int32" } as never)).toThrow(/spirals: dtype "int32" is invalid/);
    expect(() => spirals({ classes: 2 } as never)).toThrow(/unknown option "classes"/);
  });
});

describe("moons", () => {
  test("without noise points lie on the two half circles", () => {
    const data = moons({ samples: 7, dtype: "float64" });
    const points = data.tensors[0].toArray() as number[][];
    expect(data.tensors[1].toArray()).toEqual([0, 0, 0, 1, 1, 1, 1]);
    const close = (p: number[], q: number[]) => p.forEach((v, i) => expect(v).toBeCloseTo(q[i], 12));
    close(points[0], [1, 0]);
    close(points[1], [0, 1]);
    close(points[2], [-1, 0]);
    close(points[3], [0, 0.5]);
    close(points[6], [2, 0.5]);
    close(points[4], [1 - Math.cos(Math.PI / 3), 0.5 - Math.sin(Math.PI / 3)]);
  });

  test("noise is seeded", () => {
    const a = moons({ noise: 0.1, generator: new pl.Generator(4) }).tensors[0].toArray();
    expect(moons({ noise: 0.1, generator: new pl.Generator(4) }).tensors[0].toArray()).toEqual(a);
    expect(moons({ noise: 0.1, generator: new pl.Generator(5) }).tensors[0].toArray()).not.toEqual(a);
  });

  test("rejects fewer than two samples", () => {
    expect(() => moons({ samples: 1 })).toThrow(/samples=1 is invalid; expected an integer >= 2/);
  });
});

describe("sinusoidTasks", () => {
  test("tasks draw amplitude and phase from their ranges", () => {
    const tasks = sinusoidTasks({ generator: new pl.Generator(0) }).sampleTasks(200);
    for (const task of tasks) {
      expect(task.amplitude).toBeGreaterThanOrEqual(0.1);
      expect(task.amplitude).toBeLessThanOrEqual(5);
      expect(task.phase).toBeGreaterThanOrEqual(0);
      expect(task.phase).toBeLessThanOrEqual(Math.PI);
    }
    expect(new Set(tasks.map((t) => t.amplitude)).size).toBe(200);
  });

  test("samples follow y = amplitude · sin(x − phase)", () => {
    const task = sinusoidTasks({ generator: new pl.Generator(3) }).sampleTask();
    const { x, y } = task.sample(20, { dtype: "float64" });
    expect(x.shape).toEqual([20, 1]);
    expect(y.dtype).toBe("float64");
    const xs = x.dataSync();
    const ys = y.dataSync();
    for (let i = 0; i < 20; i++) {
      expect(xs[i]).toBeGreaterThanOrEqual(-5);
      expect(xs[i]).toBeLessThanOrEqual(5);
      expect(ys[i]).toBeCloseTo(task.amplitude * Math.sin(xs[i] - task.phase), 12);
    }
  });

  test("grid covers the input range", () => {
    const task = sinusoidTasks({ inputRange: [0, 2], generator: new pl.Generator(0) }).sampleTask();
    expect(task.grid(5).x.toArray()).toEqual([[0], [0.5], [1], [1.5], [2]]);
  });

  test("one seed reproduces tasks and points", () => {
    const run = (seed: number) => {
      const tasks = sinusoidTasks({ generator: new pl.Generator(seed) });
      const task = tasks.sampleTask();
      return [task.amplitude, task.phase, task.sample(5).y.toArray()];
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  test("rejects bad ranges", () => {
    expect(() => sinusoidTasks({ amplitudeRange: [5, 1] })).toThrow(/amplitudeRange=\[5,1\] is invalid; expected \[low, high\]/);
    expect(() => sinusoidTasks().sampleTask().sample(0)).toThrow(/k=0 is invalid/);
  });
});

describe("copy and reverse sequences", () => {
  test("copy targets equal sources", () => {
    const data = copySequences({ samples: 50, length: 6, vocabSize: 5, generator: new pl.Generator(0) });
    const [source, target, lengths] = data.tensors;
    expect(source.shape).toEqual([50, 6]);
    expect(source.dtype).toBe("int32");
    expect(target.toArray()).toEqual(source.toArray());
    expect(new Set(lengths.dataSync()).size).toBe(1);
    for (const token of source.dataSync()) {
      expect(token).toBeGreaterThanOrEqual(1);
      expect(token).toBeLessThan(5);
    }
  });

  test("reverse targets are reversed within each length", () => {
    const data = reverseSequences({ samples: 40, length: 8, minLength: 2, generator: new pl.Generator(1) });
    const [source, target, lengths] = data.tensors.map((t) => t.toArray()) as [number[][], number[][], number[]];
    for (let n = 0; n < 40; n++) {
      const size = lengths[n];
      expect(size).toBeGreaterThanOrEqual(2);
      expect(size).toBeLessThanOrEqual(8);
      expect(target[n].slice(0, size)).toEqual(source[n].slice(0, size).reverse());
      expect(source[n].slice(size)).toEqual(new Array(8 - size).fill(0));
      expect(target[n].slice(size)).toEqual(new Array(8 - size).fill(0));
      expect(source[n].slice(0, size).every((token) => token > 0)).toBe(true);
    }
    expect(new Set(lengths).size).toBeGreaterThan(3);
  });

  test("same seed gives the same sequences", () => {
    const a = reverseSequences({ samples: 5, generator: new pl.Generator(2) }).tensors[0].toArray();
    expect(reverseSequences({ samples: 5, generator: new pl.Generator(2) }).tensors[0].toArray()).toEqual(a);
    expect(reverseSequences({ samples: 5, generator: new pl.Generator(3) }).tensors[0].toArray()).not.toEqual(a);
  });

  test("rejects bad lengths and vocabularies", () => {
    expect(() => copySequences({ length: 3, minLength: 4 })).toThrow(/minLength=4 is larger than length=3/);
    expect(() => copySequences({ vocabSize: 1 })).toThrow(/vocabSize=1 is invalid; expected an integer >= 2/);
    expect(() => reverseSequences({ samples: 0 })).toThrow(/reverseSequences: samples=0 is invalid/);
  });
});
