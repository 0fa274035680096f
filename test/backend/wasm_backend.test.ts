import { spawnSync } from "node:child_process";

import { afterEach, describe, expect, it, vi } from "vitest";

import { activeKernels, reloadKernels } from "../../core/backend/backend.js";
import { MAX_THREADS, defaultThreadCount } from "../../core/backend/wasm/pool.js";
import { gemm } from "../../core/backend/gemm.js";
import { defaultWasmFiles, enableRelaxedSimd } from "../../core/backend/wasm/runtime.js";
import * as pl from "../../core/index.js";

afterEach(() => {
  vi.restoreAllMocks();
  reloadKernels();
  pl.setBackend("wasm");
});

/** Multiplies an m×k by a k×n matrix of small integers, so every backend's result is exact. */
function checkProduct(m: number, n: number, k: number): void {
  const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
  const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
  const c = new Float32Array(m * n);
  gemm(false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let expected = 0;
      for (let p = 0; p < k; p++) expected += a[i * k + p] * b[p * n + j];
      if (c[i * n + j] !== expected) expect.fail(`C[${i}, ${j}] is ${c[i * n + j]}, expected ${expected}`);
    }
  }
}

describe("backend selection", () => {
  it("defaults to wasm when the kernels load", () => {
    expect(pl.getBackend()).toBe("wasm");
    checkProduct(33, 29, 31);
  });

  it("setBackend switches to the typescript kernels and back", () => {
    pl.setBackend("typescript");
    expect(pl.getBackend()).toBe("typescript");
    checkProduct(33, 29, 31);
    pl.setBackend("wasm");
    expect(pl.getBackend()).toBe("wasm");
  });

  it("an unknown backend name is an error naming the value and the choices", () => {
    expect(() => pl.setBackend("gpu" as never)).toThrow(pl.InvalidArgumentError);
    expect(() => pl.setBackend("gpu" as never)).toThrow('setBackend: backend must be "wasm" or "typescript", got "gpu"');
  });

  it("a missing kernel file falls back to typescript with a one-line notice", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    reloadKernels(["/nonexistent/paramlab/kernels.wasm"]);

    expect(pl.getBackend()).toBe("typescript");
    checkProduct(40, 24, 50);
    pl.setBackend("wasm");
    expect(pl.getBackend()).toBe("typescript");

    expect(warn).toHaveBeenCalledTimes(1);
    const notice = String(warn.mock.calls[0][0]);
    expect(notice).not.toContain("\n");
    expect(notice).toContain("using the TypeScript backend");
    expect(notice).toContain("/nonexistent/paramlab/kernels.wasm not found");
  });

  it("a file that is not WebAssembly falls back the same way", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    reloadKernels([new URL(import.meta.url).pathname]);
    expect(pl.getBackend()).toBe("typescript");
    checkProduct(20, 20, 20);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain("does not validate");
  });
});

describe("fused multiply-add", () => {
  /**
   * Returns C[0, 0] of a 16×16×16 product whose first row and column are (−1, 1 + 2⁻¹², 0, …) and
   * (1, 1 + 2⁻¹², 0, …). The exact sum is 2⁻¹¹ + 2⁻²⁴. Rounding (1 + 2⁻¹²)² to float32 first loses
   * the 2⁻²⁴ (a tie, rounded to even), so a multiply then add gives 2⁻¹¹; a fused one keeps it.
   */
  function roundingProbe(): number {
    const n = 16;
    const a = new Float32Array(n * n);
    const b = new Float32Array(n * n);
    a[0] = -1;
    a[1] = 1 + 2 ** -12;
    b[0] = 1;
    b[n] = 1 + 2 ** -12;
    const c = new Float32Array(n * n);
    gemm(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
    return c[0];
  }

  it("fused build rounds once, SIMD128 twice", () => {
    const initial = activeKernels()?.fused;
    try {
      expect(enableRelaxedSimd()).toBe(true);
      pl.setBackend("wasm", { fusedMultiplyAdd: true });
      expect(activeKernels()?.fused).toBe(true);
      expect(activeKernels()?.file).toMatch(/kernels-fma\.wasm$/);
      expect(roundingProbe()).toBe(2 ** -11 + 2 ** -24);

      pl.setBackend("wasm", { fusedMultiplyAdd: false });
      expect(activeKernels()?.fused).toBe(false);
      expect(activeKernels()?.file).toMatch(/kernels\.wasm$/);
      expect(roundingProbe()).toBe(2 ** -11);

      // The TypeScript kernels accumulate in float64, so they round only the final sum.
      pl.setBackend("typescript");
      expect(roundingProbe()).toBe(2 ** -11 + 2 ** -24);
      // A setting left out keeps its value.
      pl.setBackend("wasm");
      expect(activeKernels()?.fused).toBe(false);
    } finally {
      pl.setBackend("wasm", { fusedMultiplyAdd: initial });
    }
  });

  it("rejects a fusedMultiplyAdd that is not a boolean", () => {
    expect(() => pl.setBackend("wasm", { fusedMultiplyAdd: "yes" as never })).toThrow(
      'setBackend: fusedMultiplyAdd must be true or false, got "yes"; pass a boolean or leave it out',
    );
    expect(() => pl.setBackend("wasm", { fusedMultiplyAdd: null as never })).toThrow("fusedMultiplyAdd must be true or false, got null");
  });

  it("rejects options that are not an object of known keys", () => {
    for (const bad of [null, "fma", false, [true]]) {
      expect(() => pl.setBackend("wasm", bad as never), JSON.stringify(bad)).toThrow(
        `setBackend: options must be an object such as { fusedMultiplyAdd: false }, got ${JSON.stringify(bad)}; pass an object or leave it out`,
      );
    }
    expect(() => pl.setBackend("wasm", { fusedMultipyAdd: false } as never)).toThrow(
      'setBackend: unknown option "fusedMultipyAdd"; the only option is fusedMultiplyAdd',
    );
  });

  it("warns when the fused build cannot run", () => {
    const initial = activeKernels()?.fused;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      // A file list without the fused build simulates a runtime without relaxed SIMD.
      pl.setBackend("wasm", { fusedMultiplyAdd: false });
      reloadKernels(defaultWasmFiles(false));
      pl.setBackend("wasm", { fusedMultiplyAdd: true });
      expect(activeKernels()?.fused).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      reloadKernels(defaultWasmFiles(false));
      pl.setBackend("wasm", { fusedMultiplyAdd: true });
      expect(activeKernels()?.fused).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain("using the SIMD128 kernels because this runtime lacks relaxed SIMD");
    } finally {
      pl.setBackend("wasm", { fusedMultiplyAdd: initial });
    }
  });
});

describe("thread count", () => {
  it("defaults to every core up to the pool's limit, or to PARAMLAB_NUM_THREADS", () => {
    expect(defaultThreadCount(undefined)).toBe(MAX_THREADS);
    expect(defaultThreadCount("1")).toBe(1);
    expect(defaultThreadCount("64")).toBe(MAX_THREADS);
  });

  it("warns about an invalid PARAMLAB_NUM_THREADS", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const bad of ["two", "0", "2.5", " 2", "1e0", "0x2", "-1"]) expect(defaultThreadCount(bad), bad).toBe(MAX_THREADS);
    expect(warn).toHaveBeenCalledTimes(7);
    expect(warn.mock.calls[0][0]).toContain('PARAMLAB_NUM_THREADS="two" is not a positive integer');
    expect(warn.mock.calls[0][0]).toContain(`Set it to a whole number from 1 to ${MAX_THREADS}, or unset it.`);
  });

  it("sets and reads the count through setNumThreads and getNumThreads", () => {
    const before = pl.getNumThreads();
    try {
      pl.setNumThreads(1);
      expect(pl.getNumThreads()).toBe(1);
      pl.setNumThreads(1000);
      expect(pl.getNumThreads()).toBe(MAX_THREADS);
    } finally {
      pl.setNumThreads(before);
    }
  });

  it("rejects a count that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => pl.setNumThreads(bad)).toThrow(`got ${bad}; pass a whole number from 1 (no worker threads) to ${MAX_THREADS} (every core)`);
    }
    expect(() => pl.setNumThreads("2" as unknown as number)).toThrow('got "2"');
  });
});

describe("worker threads in an ES module process", () => {
  // Without care, the worker would inherit --input-type=module, become an ES module and fail on require().
  it("start under --input-type=module", () => {
    const core = new URL("../../dist/core/index.js", import.meta.url).href;
    const script = `
      const pl = await import(${JSON.stringify(core)});
      pl.setNumThreads(2);
      const a = pl.ones([300, 300]);
      console.log(pl.matmul(a, a).sum().item());`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).not.toContain("worker thread");
    expect(result.status).toBe(0);
    expect(Number(result.stdout.trim())).toBe(300 * 300 * 300);
  });
});
