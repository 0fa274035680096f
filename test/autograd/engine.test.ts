import { describe, expect, it } from "vitest";
import { enableGrad, grad, isGradEnabled, noGrad } from "../../core/autograd/index.js";
import * as pl from "../../core/index.js";
import { AutogradError, Tensor, ones, tensor, zeros } from "../../core/index.js";

function leaf(values: number[]): Tensor {
  return tensor(values, { dtype: "float64", requiresGrad: true });
}

function values(t: Tensor | null | undefined): number[] {
  if (!t) throw new Error("expected a tensor, got none");
  return Array.from(t.dataSync());
}

/** Runs `fn` once and returns what it throws; a failed backward has already freed part of the graph. */
function captureError(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw, but it returned");
}

describe("backward errors", () => {
  it("backward twice without retainGraph", () => {
    const x = leaf([1, 2]);
    const loss = x.exp().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(AutogradError);
    expect(() => loss.backward()).toThrow(/already freed by an earlier backward.*retainGraph: true/);
  });

  it("backward of a non-scalar without gradient", () => {
    const y = leaf([1, 2]).mul(2);
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/output 0 has shape \[2\].*only for a one-element output.*\.sum\(\)/);
  });

  it("grad of an input that does not require grad", () => {
    const x = leaf([1, 2]);
    const constant = tensor([3, 4], { dtype: "float64" });
    const loss = x.mul(constant).sum();
    expect(() => grad(loss, [x, constant])).toThrow(AutogradError);
    expect(() => grad(loss, [x, constant])).toThrow(/input 1 does not require grad.*requiresGrad/);
  });

  it("backward of an output that does not require grad", () => {
    const y = tensor([1, 2]).sum();
    expect(() => y.backward()).toThrow(/does not require grad and has no gradFn/);
  });

  it("gradient of the wrong shape", () => {
    const y = leaf([1, 2]).mul(2);
    expect(() => y.backward(ones([3], { dtype: "float64" }))).toThrow(/gradient 0 has shape \[3\], but output 0 has shape \[2\]/);
  });

  it("an input the outputs do not use", () => {
    const x = leaf([1]);
    const unused = leaf([2]);
    const loss = x.mul(3).sum();
    expect(() => grad(loss, [x, unused], { retainGraph: true })).toThrow(/input 1 \(shape \[1\]\) was not used.*allowUnused/);
    const [gx, gu] = grad(loss, [x, unused], { allowUnused: true });
    expect(values(gx)).toEqual([3]);
    expect(gu).toBeNull();
  });
});

describe("version counter", () => {
  it("detects an in-place change to a saved output", () => {
    const x = leaf([0, 1]);
    const y = x.exp(); // exp saves its output for the gradient
    const loss = y.sum();
    noGrad(() => y.add_(1));
    const error = captureError(() => loss.backward());
    expect(error).toBeInstanceOf(AutogradError);
    expect(error.message).toMatch(/exp saved for its gradient was modified by an in-place operation \(version 0 became 1\)/);
  });

  it("detects a change through a detached alias", () => {
    const x = leaf([2, 3]);
    const w = leaf([4, 5]);
    const loss = x.mul(w).sum(); // mul saves both operands
    w.detach().mul_(2);
    expect(() => loss.backward()).toThrow(/mul saved for its gradient was modified/);
  });

  it("allows in-place changes to tensors backward does not need", () => {
    const x = leaf([1, 2]);
    const shift = tensor([10, 20], { dtype: "float64" });
    const loss = x.add(shift).sum(); // add saves nothing
    shift.add_(1);
    loss.backward();
    expect(values(x.grad)).toEqual([1, 1]);
  });
});

describe("hooks and retainGrad", () => {
  it("registerHook replaces a leaf gradient", () => {
    const x = leaf([1, 2]);
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(values(g));
      return g.mul(10);
    });
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4]]);
    expect(values(x.grad)).toEqual([20, 40]);
  });

  it("registerHook on a non-leaf changes what flows upstream", () => {
    const x = leaf([1, 2]);
    const h = x.mul(3);
    h.registerHook((g) => g.mul(0.5));
    h.mul(h).sum().backward();
    // d/dh = 2h = [6, 12], halved to [3, 6], times dh/dx = 3.
    expect(values(x.grad)).toEqual([9, 18]);
  });

  it("the remover stops the hook", () => {
    const x = leaf([1]);
    const remove = x.registerHook((g) => g.mul(100));
    remove();
    x.mul(2).sum().backward();
    expect(values(x.grad)).toEqual([2]);
  });

  it("a hook returning the wrong shape raises", () => {
    const x = leaf([1, 2]);
    x.registerHook((g) => g.sum());
    const error = captureError(() => x.mul(2).sum().backward());
    expect(error).toBeInstanceOf(AutogradError);
    expect(error.message).toMatch(/hook on a tensor of shape \[2\] returned a gradient of shape \[\]/);
  });

  it("a non-leaf hook sees the summed gradient once", () => {
    const x = leaf([1, 2]);
    const h = x.mul(2);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(values(g));
    });
    h.mul(3).add(h).sum().backward();
    expect(seen).toEqual([[4, 4]]);
    expect(values(x.grad)).toEqual([8, 8]);
  });

  it("registerHook on a tensor without grad raises", () => {
    expect(() => tensor([1]).registerHook((g) => g)).toThrow(/does not require grad/);
  });

  it("retainGrad keeps a non-leaf gradient", () => {
    const x = leaf([1, 2]);
    const h = x.mul(x).retainGrad();
    const other = x.mul(2);
    h.mul(3).sum().backward();
    expect(values(h.grad)).toEqual([3, 3]);
    expect(other.grad).toBeNull();
  });

  it("autograd.grad runs hooks of non-leaf inputs", () => {
    const x = leaf([1, 2]);
    const h = x.mul(2);
    h.registerHook((g) => g.add(1));
    const [gh] = grad(h.sum(), h);
    expect(values(gh)).toEqual([2, 2]);
  });
});

describe("gradient accumulation", () => {
  it("backward accumulates into .grad", () => {
    const x = leaf([1, 2]);
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([5, 7]);
  });

  it("retainGraph allows a second backward", () => {
    const x = leaf([1, 2]);
    const loss = x.exp().sum();
    loss.backward(null, { retainGraph: true });
    loss.backward();
    expect(values(x.grad)).toEqual(values(x).map((v) => 2 * Math.exp(v)));
  });

  it("leaves that receive the same gradient get separate .grad tensors", () => {
    const x = leaf([1, 2]);
    const y = leaf([3, 4]);
    x.add(y).sum().backward();
    expect(x.grad).not.toBe(y.grad);
    noGrad(() => x.grad!.zero_());
    expect(values(y.grad)).toEqual([1, 1]);
  });

  it(".grad does not alias the gradient passed to backward", () => {
    const x = leaf([1, 2]);
    const gradient = tensor([5, 6], { dtype: "float64" });
    x.mul(1).backward(gradient);
    noGrad(() => x.grad!.zero_());
    expect(values(gradient)).toEqual([5, 6]);
  });

  it("createGraph makes .grad differentiable", () => {
    const x = leaf([1, 2]);
    x.pow(3).sum().backward(null, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    // .grad = 3x², whose gradient summed is 6x.
    const [second] = grad(x.grad!.sum(), x);
    expect(values(second)).toEqual([6, 12]);
  });
});

describe("gradient sums through views", () => {
  /** Returns a float64 leaf of `shape` holding 1, 2, 3, … */
  function counting(shape: number[]): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    return tensor(Array.from({ length: size }, (_, i) => i + 1), { dtype: "float64" }).reshape(shape).requiresGrad_();
  }

  it("sums strided and overlapping slices", () => {
    const x = counting([4, 6]);
    // Rows one at a time, every second column, an overlapping window, and a non-view use.
    let loss = x.mul(2).sum();
    for (let r = 0; r < 4; r++) loss = loss.add(x.select(0, r).mul(r + 1).sum());
    loss = loss.add(pl.slice(x, 1, 0, 6, 2).mul(10).sum());
    loss = loss.add(x.narrow(1, 1, 3).sum()).add(x.narrow(1, 2, 3).sum());
    loss.backward();
    const expected = Array.from({ length: 24 }, (_, i) => {
      const [r, c] = [Math.floor(i / 6), i % 6];
      return 2 + (r + 1) + (c % 2 === 0 ? 10 : 0) + (c >= 1 && c <= 3 ? 1 : 0) + (c >= 2 && c <= 4 ? 1 : 0);
    });
    expect(values(x.grad)).toEqual(expected);
  });

  it("matches the rule path for intermediates", () => {
    const x = counting([3, 4, 5]);
    const run = (createGraph: boolean): number[] => {
      x.grad = null;
      const h = x.mul(x);
      let loss = h.sum().mul(0);
      for (let t = 0; t < 3; t++) loss = loss.add(h.select(0, t).select(1, t + 1).mul(t + 2).sum());
      loss = loss.add(h.transpose(0, 2).narrow(0, 1, 2).sum());
      loss.backward(null, { createGraph });
      return values(x.grad);
    };
    // createGraph runs every slice's recorded rule; without it the sums are added in place.
    expect(run(false)).toEqual(run(true));
  });

  it("keeps .grad apart across passes", () => {
    const x = counting([2, 3]);
    x.select(0, 0).sum().backward();
    const first = x.grad!;
    x.select(0, 1).mul(2).sum().backward();
    expect(values(first)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(values(x.grad)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it("reports a freed slice graph", () => {
    const x = counting([2, 3]);
    const loss = x.select(0, 1).sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/already freed/);
  });

  it("runs slice hooks before summing", () => {
    const x = counting([2, 3]);
    const row = x.select(0, 1);
    row.registerHook((g: Tensor) => g.mul(5));
    row.sum().add(x.select(0, 1).sum()).backward();
    expect(values(x.grad)).toEqual([0, 0, 0, 6, 6, 6]);
  });
});

describe("autograd.grad", () => {
  it("returns gradients of non-leaf inputs", () => {
    const x = leaf([1, 2]);
    const h = x.mul(x);
    const loss = h.mul(3).sum();
    const [gh, gx] = grad(loss, [h, x]);
    expect(values(gh)).toEqual([3, 3]);
    expect(values(gx)).toEqual([6, 12]);
  });

  it("leaves the graph above a non-leaf input intact", () => {
    const x = leaf([1, 2]);
    const h = x.exp();
    const [gh] = grad(h.mul(2).sum(), h);
    expect(values(gh)).toEqual([2, 2]);
    // The graph from h back to x was not needed for gh, so it was not freed.
    h.sum().backward();
    expect(values(x.grad)).toEqual(values(x).map(Math.exp));
  });

  it("reports a freed graph instead of a missing gradient", () => {
    const x = leaf([1, 2]);
    const h = x.exp();
    h.sum().backward();
    const error = captureError(() => grad(h.mul(2).sum(), x));
    expect(error).toBeInstanceOf(AutogradError);
    expect(error.message).toMatch(/graph through exp was already freed/);
  });

  it("does not touch .grad", () => {
    const x = leaf([1, 2]);
    grad(x.mul(2).sum(), x);
    expect(x.grad).toBeNull();
  });

  it("sums the gradients of several outputs", () => {
    const x = leaf([1, 2]);
    const [g] = grad([x.mul(2).sum(), x.mul(x)], x, { gradOutputs: [null, tensor([1, 1], { dtype: "float64" })] });
    expect(values(g)).toEqual([4, 6]);
  });

  it("createGraph gives second derivatives", () => {
    const x = leaf([0.5]);
    const [g] = grad(x.sin().sum(), x, { createGraph: true });
    const [g2] = grad(g!.sum(), x);
    expect(values(g2)[0]).toBeCloseTo(-Math.sin(0.5), 14);
  });
});

describe("grad mode", () => {
  it("noGrad records nothing and restores the mode", () => {
    const x = leaf([1]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
  });

  it("enableGrad records inside noGrad", () => {
    const x = leaf([1]);
    const y = noGrad(() => enableGrad(() => x.mul(2)));
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe("mul");
  });

  it("the mode is restored after a throw", () => {
    expect(() =>
      noGrad(() => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(isGradEnabled()).toBe(true);
  });

  it("backward inside noGrad still computes gradients", () => {
    const x = leaf([1, 2]);
    const loss = x.mul(x).sum();
    noGrad(() => loss.backward());
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it("zeros are unaffected by grad mode", () => {
    expect(noGrad(() => zeros([2], { requiresGrad: true })).requiresGrad).toBe(true);
  });
});

describe("backward arguments", () => {
  it("accepts an options object for a scalar", () => {
    const x = pl.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
  });

  it("accepts the gradient as nested arrays", () => {
    const x = pl.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    x.mul(3).backward([1, 10]);
    expect(x.grad!.toArray()).toEqual([3, 30]);
  });
});
