import { afterEach, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

afterEach(() => pl.setBackend("wasm"));

describe("relu", () => {
  for (const backend of ["wasm", "typescript"] as const) {
    it(`keeps NaN and masks negatives (${backend})`, () => {
      pl.setBackend(backend);
      // 200 elements, above the size from which the wasm backend runs a kernel.
      const values = Array.from({ length: 200 }, (_, i) => [Number.NaN, -2, -0, 0, 0.5, Infinity, -Infinity, 3][i % 8]);
      const x = pl.tensor(values, { requiresGrad: true });
      const y = pl.relu(x);
      y.sum().backward();
      const expected = values.map((v) => {
        if (Number.isNaN(v)) return Number.NaN;
        return v > 0 ? v : 0;
      });
      expect(Array.from(y.dataSync())).toEqual(expected);
      expect(Array.from(x.grad!.dataSync())).toEqual(values.map((v) => (v > 0 ? 1 : 0)));
    });
  }
});
