import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

import * as pl from "../../core/index.js";
import { activeKernels } from "../../core/backend/backend.js";
import { binaryLoop, unaryLoop, type StridedOperand } from "../../core/backend/elementwise.js";
import * as glue from "../../core/backend/wasm/elementwise.js";
import type { WasmKernels } from "../../core/backend/wasm/runtime.js";

// Wraps the real glue in spies, so tests can see whether a loop reached a kernel and whether the
// kernel accepted the layout (true) or sent it back to the JavaScript loop (false).
vi.mock("../../core/backend/wasm/elementwise.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../core/backend/wasm/elementwise.js")>();
  return { ...original, runUnary: vi.fn(original.runUnary), runBinary: vi.fn(original.runBinary) };
});

type Dtype = "float32" | "float64";
type FloatArray = Float32Array | Float64Array;

interface Case {
  readonly expression: string;
  /** Independent reference in float64. Float32 results are rounded with Math.fround. */
  readonly reference: (x: number, y: number) => number;
  readonly float64: boolean;
  /** Whether results must be bit-exact, including NaN and the sign of zero, or within relative 1e-5. */
  readonly exact: boolean;
  /** Smallest output the loops send to the kernel, from MIN_SIZE. */
  readonly minSize: number;
}

/** PyTorch's relu: NaN stays NaN, and -0 becomes +0. */
const relu = (x: number): number => (x > 0 || Number.isNaN(x) ? x : 0);
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const UNARY: readonly Case[] = [
  { expression: "-x", reference: (x) => -x, float64: true, exact: true, minSize: 128 },
  { expression: "Math.abs(x)", reference: Math.abs, float64: true, exact: true, minSize: 128 },
  { expression: "Math.sqrt(x)", reference: Math.sqrt, float64: true, exact: true, minSize: 128 },
  { expression: "x > 0 || x !== x ? x : 0", reference: relu, float64: true, exact: true, minSize: 32 },
  { expression: "(x > 0) ? 1 : 0", reference: (x) => (x > 0 ? 1 : 0), float64: true, exact: true, minSize: 32 },
  { expression: "Math.exp(x)", reference: Math.exp, float64: false, exact: false, minSize: 16 },
  {
    expression: "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))",
    reference: sigmoid,
    float64: false,
    exact: false,
    minSize: 16,
  },
  { expression: "Math.tanh(x)", reference: Math.tanh, float64: false, exact: false, minSize: 16 },
];

const BINARY: readonly Case[] = [
  { expression: "x + y", reference: (x, y) => x + y, float64: true, exact: true, minSize: 128 },
  { expression: "x - y", reference: (x, y) => x - y, float64: true, exact: true, minSize: 128 },
  { expression: "x * y", reference: (x, y) => x * y, float64: true, exact: true, minSize: 128 },
  { expression: "x / y", reference: (x, y) => x / y, float64: true, exact: true, minSize: 128 },
  { expression: "x > y ? x : y", reference: (x, y) => (x > y ? x : y), float64: true, exact: true, minSize: 32 },
  { expression: "x < y ? x : y", reference: (x, y) => (x < y ? x : y), float64: true, exact: true, minSize: 32 },
  { expression: "Math.max(x, y)", reference: Math.max, float64: true, exact: true, minSize: 32 },
  { expression: "Math.min(x, y)", reference: Math.min, float64: true, exact: true, minSize: 32 },
];

/**
 * Values that every input starts with: signed zeros, infinities, NaN, float32 subnormals, and
 * the edges of exp's and tanh's ranges. Float32 exp overflows above ~88.72 and underflows to 0
 * below ~-103.97, and the tanh kernel switches formulas at |x| = 0.55.
 */
const SPECIAL = [
  NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-45, -1e-45, 1e-40, 1e-30, -1e-30, 1e-7, -1e-7, 3e38, -3e38,
  88.7, 88.8, 100, -87.5, -100, -103.9, -104.5, -200, 50, -50, 20, -20, 9.5, 0.5499, -0.5501, 0.55, 2.5,
];

/** Returns `length` seeded values: SPECIAL first, then uniform in [-12, 12). */
function values(length: number, seed: number, specials = true): number[] {
  let state = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    if (specials && i < SPECIAL.length) {
      out.push(SPECIAL[(i + seed) % SPECIAL.length]);
      continue;
    }
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push((state / 2 ** 32) * 24 - 12);
  }
  return out;
}

/** Formats a number for a failure message, keeping the sign of -0. */
function show(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

function makeArray(dtype: Dtype, data: readonly number[]): FloatArray {
  return dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data);
}

/**
 * Checks `actual` against the reference at one element. Float32 results may also differ by
 * 2^-148 where the reference is subnormal, because subnormals carry too few bits for 1e-5.
 */
function checkElement(test: Case, dtype: Dtype, actual: number, x: number, y: number, label: string): void {
  const exact = dtype === "float32" ? Math.fround(test.reference(x, y)) : test.reference(x, y);
  let passed: boolean;
  if (test.exact || Number.isNaN(exact) || !Number.isFinite(exact) || exact === 0) {
    passed = Object.is(actual, exact);
  } else {
    const error = Math.abs(actual - exact);
    passed = error <= 1e-5 * Math.abs(exact) || error <= 2 ** -148;
  }
  if (!passed) {
    expect.fail(`${label}: ${test.expression} at x=${show(x)}, y=${show(y)}: got ${show(actual)}, expected ${show(exact)}`);
  }
}

let kernels: WasmKernels;

/** Runs a case through the glue directly, for any size, and returns whether the kernel ran. */
function runGlue(test: Case, out: FloatArray, operands: StridedOperand[], shape: number[]): boolean {
  const size = shape.reduce((product, extent) => product * extent, 1);
  if (operands.length === 1) {
    const route = glue.unaryRoute(test.expression)!;
    return glue.runUnary(kernels, route, out, operands[0], shape, size);
  }
  const route = glue.binaryRoute(test.expression)!;
  return glue.runBinary(kernels, route, out, operands[0], operands[1], shape, size);
}

/** Returns the element of `operand` at row-major output index `index` of `shape`. */
function elementAt(operand: StridedOperand, shape: readonly number[], index: number): number {
  let position = operand.offset;
  let rest = index;
  for (let d = shape.length - 1; d >= 0; d--) {
    position += (rest % shape[d]) * operand.strides[d];
    rest = Math.floor(rest / shape[d]);
  }
  return operand.data[position];
}

/** Checks every output element of a glue run against the reference at the operands' elements. */
function checkOutput(test: Case, dtype: Dtype, out: FloatArray, operands: StridedOperand[], shape: number[], label: string): void {
  for (let i = 0; i < out.length; i++) {
    const [x, y] = operands.map((operand) => elementAt(operand, shape, i));
    checkElement(test, dtype, out[i], x, y ?? 0, label);
  }
}

describe("wasm elementwise kernels through the glue", () => {
  beforeEach(() => {
    pl.setBackend("wasm");
    const loaded = activeKernels();
    expect(loaded, "the wasm kernels did not load; run `npm run build`").not.toBeNull();
    kernels = loaded!;
  });

  const sizes = [1, 3, 4, 5, 7, 17, 33, 127, 128, 129, 1001];

  for (const test of UNARY) {
    for (const dtype of ["float32", "float64"] as const) {
      if (dtype === "float64" && !test.float64) continue;
      it(`${dtype} ${test.expression} on contiguous and row operands`, () => {
        for (const size of sizes) {
          const data = makeArray(dtype, values(size + 3, size));
          const contiguous = { data, offset: 3, strides: [1] };
          const out = makeArray(dtype, new Array(size).fill(-7));
          expect(runGlue(test, out, [contiguous], [size]), `size ${size}`).toBe(true);
          checkOutput(test, dtype, out, [contiguous], [size], `contiguous, size ${size}`);

          const row = { data, offset: 1, strides: [0, 1] };
          const repeated = makeArray(dtype, new Array(4 * size).fill(-7));
          expect(runGlue(test, repeated, [row], [4, size])).toBe(true);
          checkOutput(test, dtype, repeated, [row], [4, size], `row of ${size}, 4 rows`);
        }
      });
    }

    it(`float32 ${test.expression} rejects strided and mixed-dtype operands`, () => {
      const data = Float32Array.from(values(64, 5));
      const out = new Float32Array(32);
      expect(runGlue(test, out, [{ data, offset: 0, strides: [2] }], [32])).toBe(false);
      expect(runGlue(test, out, [{ data: Float64Array.from(data), offset: 0, strides: [1] }], [32])).toBe(false);
      expect(out.every((value) => value === 0), "a rejected call left the output untouched").toBe(true);
    });
  }

  it("float64 exp, sigmoid and tanh have no kernel", () => {
    for (const test of UNARY.filter((entry) => !entry.float64)) {
      const data = Float64Array.from(values(32, 2));
      const out = new Float64Array(32);
      expect(runGlue(test, out, [{ data, offset: 0, strides: [1] }], [32]), test.expression).toBe(false);
    }
  });

  for (const test of BINARY) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${dtype} ${test.expression} on contiguous, bias and scalar operands`, () => {
        for (const inner of sizes) {
          const rows = 5;
          const size = rows * inner;
          const a = makeArray(dtype, values(size + 2, inner));
          const b = makeArray(dtype, values(size + 1, inner + 7).reverse());
          const layouts: Array<[string, StridedOperand, StridedOperand]> = [
            ["both contiguous", { data: a, offset: 2, strides: [inner, 1] }, { data: b, offset: 1, strides: [inner, 1] }],
            ["bias row on the right", { data: a, offset: 0, strides: [inner, 1] }, { data: b, offset: 1, strides: [0, 1] }],
            ["bias row on the left", { data: a, offset: 2, strides: [0, 1] }, { data: b, offset: 0, strides: [inner, 1] }],
            ["scalar on the right", { data: a, offset: 0, strides: [inner, 1] }, { data: b, offset: 3, strides: [0, 0] }],
            ["scalar on the left", { data: a, offset: 5, strides: [0, 0] }, { data: b, offset: 0, strides: [inner, 1] }],
            ["scalar and bias row", { data: a, offset: 4, strides: [0, 0] }, { data: b, offset: 0, strides: [0, 1] }],
          ];
          for (const [layout, left, right] of layouts) {
            // With rows of 1, the bias row is a scalar too, and two scalars stay on the JS loop.
            if (layout === "scalar and bias row" && inner === 1) continue;
            const out = makeArray(dtype, new Array(size).fill(-7));
            expect(runGlue(test, out, [left, right], [rows, inner]), `${layout}, row of ${inner}`).toBe(true);
            checkOutput(test, dtype, out, [left, right], [rows, inner], `${layout}, row of ${inner}`);
          }
        }
      });
    }

    it(`float32 ${test.expression} rejects other layouts`, () => {
      const a = Float32Array.from(values(64, 1));
      const b = Float32Array.from(values(64, 2));
      const out = new Float32Array(32);
      const contiguous = { data: a, offset: 0, strides: [8, 1] };
      const cases: Array<[string, StridedOperand, StridedOperand]> = [
        ["transposed", { data: a, offset: 0, strides: [1, 4] }, { data: b, offset: 0, strides: [8, 1] }],
        ["column broadcast", contiguous, { data: b, offset: 0, strides: [1, 0] }],
        ["two scalars", { data: a, offset: 0, strides: [0, 0] }, { data: b, offset: 0, strides: [0, 0] }],
        ["float64 operand", contiguous, { data: Float64Array.from(b), offset: 0, strides: [8, 1] }],
      ];
      for (const [layout, left, right] of cases) {
        expect(runGlue(test, out, [left, right], [4, 8]), layout).toBe(false);
      }
      expect(out.every((value) => value === 0), "a rejected call left the output untouched").toBe(true);
    });
  }

  it("outputs over several chunks", () => {
    const byExpression = (expression: string): Case => [...UNARY, ...BINARY].find((entry) => entry.expression === expression)!;
    const large = glue.CHUNK_SIZE * 2 + 5;
    // Long enough for the largest run, 600 rows of 1000.
    const data32 = Float32Array.from(values(600_010, 21));
    const other32 = Float32Array.from(values(600_010, 22).reverse());
    const data64 = Float64Array.from(data32);
    const runs: Array<[string, Case, Dtype, StridedOperand[], number[]]> = [
      ["relu, contiguous", byExpression("x > 0 || x !== x ? x : 0"), "float32", [{ data: data32, offset: 3, strides: [1] }], [large]],
      ["tanh, row of 1000", byExpression("Math.tanh(x)"), "float32", [{ data: data32, offset: 0, strides: [0, 1] }], [600, 1000]],
      ["add, contiguous", byExpression("x + y"), "float32", [
        { data: data32, offset: 1, strides: [1] }, { data: other32, offset: 2, strides: [1] },
      ], [large]],
      ["mul by a row of 1000", byExpression("x * y"), "float32", [
        { data: data32, offset: 0, strides: [1000, 1] }, { data: other32, offset: 5, strides: [0, 1] },
      ], [600, 1000]],
      ["sub from a scalar", byExpression("x - y"), "float64", [
        { data: data64, offset: 7, strides: [0] }, { data: data64, offset: 0, strides: [1] },
      ], [large]],
      ["rows of 12 and 4", byExpression("x / y"), "float32", [
        { data: data32, offset: 0, strides: [0, 4, 1] }, { data: other32, offset: 0, strides: [0, 0, 1] },
      ], [30000, 3, 4]],
      ["row longer than a chunk", byExpression("Math.max(x, y)"), "float64", [
        { data: data64, offset: 0, strides: [0, 1] }, { data: data64, offset: 2, strides: [glue.CHUNK_SIZE + 3, 1] },
      ], [2, glue.CHUNK_SIZE + 3]],
    ];
    for (const [label, test, dtype, operands, shape] of runs) {
      const size = shape.reduce((product, extent) => product * extent, 1);
      const out = makeArray(dtype, new Array(size).fill(-7));
      expect(runGlue(test, out, operands, shape), label).toBe(true);
      checkOutput(test, dtype, out, operands, shape, label);
    }
  });

  it("output that is the left operand", () => {
    // addInto() in core/ops/shape.ts accumulates gradients this way, with out and a sharing storage.
    const test = BINARY.find((entry) => entry.expression === "x + y")!;
    const size = glue.CHUNK_SIZE * 2 + 3;
    const before = Float32Array.from(values(size, 31));
    const target = before.slice();
    const source = Float32Array.from(values(size, 32));
    const operands = [{ data: target, offset: 0, strides: [1] }, { data: source, offset: 0, strides: [1] }];
    expect(runGlue(test, target, operands, [size])).toBe(true);
    checkOutput(test, "float32", target, [{ data: before, offset: 0, strides: [1] }, operands[1]], [size], "add into a");
  });

  it("row period of common layouts", () => {
    const data = new Float32Array(64);
    const period = (strides: number[], shape: number[]): number =>
      glue.rowPeriod({ data, offset: 0, strides }, shape, shape.reduce((p, e) => p * e, 1));
    expect(period([12, 4, 1], [2, 3, 4])).toBe(24);
    expect(period([0, 4, 1], [2, 3, 4])).toBe(12);
    expect(period([0, 0, 1], [2, 3, 4])).toBe(4);
    expect(period([0, 0, 0], [2, 3, 4])).toBe(1);
    expect(period([0, 99, 1], [2, 1, 4])).toBe(4);
    expect(period([4, 0, 1], [2, 3, 4])).toBe(-1);
    expect(period([1, 0], [4, 8])).toBe(-1);
    expect(period([1, 2], [2, 4])).toBe(-1);
  });
});

/** Returns a tensor of `dtype` and `shape` filled with values(). */
function input(shape: number[], dtype: Dtype, seed: number): pl.Tensor {
  const size = shape.reduce((product, extent) => product * extent, 1);
  return pl.tensor(values(size, seed), { dtype }).reshape(shape);
}

/** Runs `compute` on both backends and returns the values and the glue calls on wasm. */
function onBothBackends(compute: () => pl.Tensor): { reference: number[]; fast: number[]; results: boolean[] } {
  pl.setBackend("typescript");
  const reference = Array.from(compute().dataSync() as ArrayLike<number>);
  pl.setBackend("wasm");
  vi.mocked(glue.runUnary).mockClear();
  vi.mocked(glue.runBinary).mockClear();
  const fast = Array.from(compute().dataSync() as ArrayLike<number>);
  const calls = [...vi.mocked(glue.runUnary).mock.results, ...vi.mocked(glue.runBinary).mock.results];
  return { reference, fast, results: calls.map((call) => call.value as boolean) };
}

/** Checks the wasm result against the typescript result, bit-exact or within relative 1e-5. */
function checkSame(reference: number[], fast: number[], exact: boolean, label: string): void {
  expect(fast.length, label).toBe(reference.length);
  for (let i = 0; i < reference.length; i++) {
    const [expected, actual] = [reference[i], fast[i]];
    if (exact || !Number.isFinite(expected) || expected === 0) {
      if (!Object.is(actual, expected)) expect.fail(`${label}, element ${i}: wasm ${show(actual)}, typescript ${show(expected)}`);
      continue;
    }
    const error = Math.abs(actual - expected);
    if (!(error <= 1e-5 * Math.abs(expected) || error <= 2 ** -148)) {
      expect.fail(`${label}, element ${i}: wasm ${actual}, typescript ${expected}`);
    }
  }
}

describe("elementwise ops on the wasm backend against the typescript backend", () => {
  afterAll(() => pl.setBackend("wasm"));

  const unaryOps: Array<[string, (x: pl.Tensor) => pl.Tensor, boolean, number]> = [
    ["neg", (x) => pl.neg(x), true, 128],
    ["abs", (x) => pl.abs(x), true, 128],
    ["sqrt", (x) => pl.sqrt(x), true, 128],
    ["exp", (x) => pl.exp(x), false, 16],
    ["sigmoid", (x) => pl.sigmoid(x), false, 16],
    ["tanh", (x) => pl.tanh(x), false, 16],
  ];
  for (const [name, op, exact, minSize] of unaryOps) {
    it(`float32 ${name} around its threshold`, () => {
      for (const size of [minSize - 1, minSize, minSize + 1, 4 * minSize + 3]) {
        const { reference, fast, results } = onBothBackends(() => op(input([size], "float32", size)));
        checkSame(reference, fast, exact, `${name}, size ${size}`);
        expect(results, `${name}, size ${size}: kernel calls`).toEqual(size < minSize ? [] : [true]);
      }
    });
  }

  it("float32 relu and its gradient mask around the threshold", () => {
    for (const size of [31, 32, 33, 4099]) {
      const x = input([size], "float32", size);
      const { reference, fast, results } = onBothBackends(() => {
        const leaf = x.detach().requiresGrad_();
        const y = pl.relu(leaf);
        y.backward(pl.onesLike(y));
        return pl.cat([y, leaf.grad as pl.Tensor]);
      });
      checkSame(reference, fast, true, `relu, size ${size}`);
      // The relu forward and its mask reach the kernels from 32 elements, the gradient product from 128.
      if (size < 32) {
        expect(results, `size ${size}: kernel calls`).toEqual([]);
        continue;
      }
      expect(results.every((ran) => ran), `size ${size}: a kernel rejected the call`).toBe(true);
      expect(results.length, `size ${size}: kernel calls`).toBeGreaterThanOrEqual(size >= 128 ? 3 : 2);
    }
  });

  it("relu keeps NaN on both backends", () => {
    const x = pl.tensor(Array.from({ length: 64 }, (_, i) => [NaN, -0, i - 30][i % 3]));
    const { reference, fast, results } = onBothBackends(() => pl.relu(x));
    expect(results).toEqual([true]);
    reference.forEach((value, i) => {
      const x0 = x.dataSync()[i] as number;
      if (!Object.is(value, relu(x0))) expect.fail(`typescript relu(${show(x0)}) = ${show(value)}, expected ${show(relu(x0))}`);
      if (!Object.is(fast[i], relu(x0))) expect.fail(`wasm relu(${show(x0)}) = ${show(fast[i])}, expected ${show(relu(x0))}`);
    });
  });

  for (const dtype of ["float32", "float64"] as const) {
    const binaryOps: Array<[string, (a: pl.Tensor, b: pl.Tensor | number) => pl.Tensor, number]> = [
      ["add", (a, b) => pl.add(a, b), 128],
      ["sub", (a, b) => pl.sub(a, b), 128],
      ["mul", (a, b) => pl.mul(a, b), 128],
      ["div", (a, b) => pl.div(a, b), 128],
      ["maximum", (a, b) => pl.maximum(a, b), 32],
      ["minimum", (a, b) => pl.minimum(a, b), 32],
    ];
    for (const [name, op, minSize] of binaryOps) {
      it(`${dtype} ${name} with contiguous, bias, scalar and strided operands`, () => {
        for (const columns of [minSize - 1, minSize, minSize + 1, 3 * minSize + 5]) {
          const a = input([3, columns], dtype, columns);
          const b = input([3, columns], dtype, columns + 1);
          const bias = input([columns], dtype, columns + 2);
          const cases: Array<[string, () => pl.Tensor, boolean]> = [
            ["contiguous", () => op(a, b), true],
            ["bias row", () => op(a, bias), true],
            ["scalar", () => op(a, pl.tensor(0.75, { dtype })), true],
            ["number", () => op(a, 2.5), true],
            ["strided", () => op(a.transpose(0, 1), b.transpose(0, 1)), false],
            ["column broadcast", () => op(a, b.narrow(1, 0, 1)), false],
          ];
          for (const [layout, compute, accepted] of cases) {
            const label = `${dtype} ${name}, ${layout}, 3×${columns}`;
            const { reference, fast, results } = onBothBackends(compute);
            checkSame(reference, fast, true, label);
            const expected = 3 * columns < minSize ? [] : [accepted];
            expect(results, `${label}: kernel calls`).toEqual(expected);
          }
        }
      });
    }
  }

  it("float32 add_ and clamp_ in place", () => {
    const target = input([8, 40], "float32", 9);
    const bias = input([40], "float32", 10);
    const { reference, fast, results } = onBothBackends(() => target.clone().add_(bias).clamp_({ min: 0.5 }));
    checkSame(reference, fast, true, "add_ then clamp_");
    expect(results).toEqual([true, true]);
  });

  it("float32 exp, sigmoid and tanh of special values", () => {
    pl.setBackend("wasm");
    const x = pl.tensor([...SPECIAL, ...SPECIAL.map((value) => -value)]);
    const cases: Array<[string, pl.Tensor, (value: number) => number]> = [
      ["exp", pl.exp(x), Math.exp],
      ["sigmoid", pl.sigmoid(x), sigmoid],
      ["tanh", pl.tanh(x), Math.tanh],
    ];
    const inputs = Array.from(x.dataSync() as ArrayLike<number>);
    for (const [name, result, reference] of cases) {
      const test: Case = { expression: name, reference, float64: false, exact: false, minSize: 16 };
      const got = Array.from(result.dataSync() as ArrayLike<number>);
      got.forEach((value, i) => checkElement(test, "float32", value, inputs[i], 0, name));
    }
    expect(Array.from(pl.exp(pl.tensor([100, -200, 89, -110])).dataSync() as ArrayLike<number>)).toEqual([Infinity, 0, Infinity, 0]);
    const [tiny, one, zero] = Array.from(pl.sigmoid(pl.tensor([-100, 100, -1000])).dataSync() as ArrayLike<number>);
    expect(tiny).toBeGreaterThan(0);
    expect(tiny).toBeLessThan(1e-43);
    expect(one).toBe(1);
    expect(zero).toBe(0);
    expect(Array.from(pl.tanh(pl.tensor([50, -50, Infinity, -Infinity])).dataSync() as ArrayLike<number>)).toEqual([1, -1, 1, -1]);
  });

  it("unaryLoop and binaryLoop below the threshold skip the glue", () => {
    pl.setBackend("wasm");
    vi.mocked(glue.runUnary).mockClear();
    vi.mocked(glue.runBinary).mockClear();
    const data = new Float32Array(16).fill(2);
    unaryLoop("Math.exp(x)")(new Float32Array(15), { data, offset: 0, strides: [1] }, [15]);
    binaryLoop("x + y")(new Float32Array(16), { data, offset: 0, strides: [1] }, { data, offset: 0, strides: [1] }, [16]);
    expect(glue.runUnary).not.toHaveBeenCalled();
    expect(glue.runBinary).not.toHaveBeenCalled();
  });

  it("typescript backend never reaches the glue", () => {
    const { results } = onBothBackends(() => pl.relu(input([512], "float32", 4)));
    expect(results).toEqual([true]);
    pl.setBackend("typescript");
    vi.mocked(glue.runUnary).mockClear();
    pl.relu(input([512], "float32", 4));
    expect(glue.runUnary).not.toHaveBeenCalled();
  });
});
