import { describe, expect, it } from "vitest";
import { noGrad } from "../../core/autograd/index.js";
import { AutogradError, DTypeError, InvalidArgumentError, ShapeError, arange, ones, tensor, zeros } from "../../core/index.js";

describe("in-place arithmetic", () => {
  it("add_ sub_ mul_ div_ with broadcasting", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    expect(x.add_(tensor([10, 20, 30], { dtype: "float64" })).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
    expect(x.sub_(1).toArray()).toEqual([[10, 21, 32], [13, 24, 35]]);
    expect(x.mul_(tensor([[2], [0.5]], { dtype: "float64" })).toArray()).toEqual([[20, 42, 64], [6.5, 12, 17.5]]);
    expect(x.div_(2).toArray()).toEqual([[10, 21, 32], [3.25, 6, 8.75]]);
  });

  it("returns the target and bumps the version", () => {
    const x = zeros([3]);
    const before = x.version;
    const result = x.add_(1);
    expect(result).toBe(x);
    expect(x.version).toBe(before + 1);
    x.zero_();
    expect(x.version).toBe(before + 2);
  });

  it("writes through a transposed view", () => {
    const base = arange(6, undefined, 1, { dtype: "float32" }).reshape([2, 3]);
    const transposed = base.transpose(0, 1);
    transposed.add_(tensor([100, 200]));
    expect(base.toArray()).toEqual([[100, 101, 102], [203, 204, 205]]);
    expect(base.version).toBe(1);
  });

  it("writes through a strided slice", () => {
    const base = zeros([6]);
    base.slice(0, 1, 6, 2).fill_(7);
    expect(base.toArray()).toEqual([0, 7, 0, 7, 0, 7]);
  });

  it("handles an operand that aliases the target", () => {
    const x = tensor([[1, 2], [3, 4]]);
    x.add_(x.transpose(0, 1));
    expect(x.toArray()).toEqual([[2, 5], [5, 8]]);
  });

  it("keeps int32 targets integral", () => {
    const x = tensor([1, 2, 3], { dtype: "int32" });
    x.mul_(3);
    expect(x.toArray()).toEqual([3, 6, 9]);
    expect(() => x.add_(0.5)).toThrow(DTypeError);
    expect(() => x.div_(2)).toThrow(/float32, which cannot be stored in the int32 target/);
  });

  it("rejects a shape the target cannot hold", () => {
    const x = zeros([3]);
    expect(() => x.add_(ones([2, 3]))).toThrow(ShapeError);
    expect(() => x.add_(ones([2, 3]))).toThrow(/broadcasts the target of shape \[3\] to \[2, 3\]/);
  });

  it("rejects an expanded target", () => {
    const x = zeros([1, 3]).expand([4, 3]);
    expect(() => x.add_(1)).toThrow(InvalidArgumentError);
    expect(() => x.add_(1)).toThrow(/expanded view \(stride 0 in dimension 0\)/);
  });
});

describe("fill_ zero_ copy_ clamp_", () => {
  it("fill_ and zero_ convert to the dtype", () => {
    const x = zeros([2], { dtype: "int32" });
    expect(x.fill_(2.7).toArray()).toEqual([2, 2]);
    expect(x.zero_().toArray()).toEqual([0, 0]);
    expect(zeros([2], { dtype: "bool" }).fill_(true).toArray()).toEqual([true, true]);
    expect(zeros([2]).fill_(tensor(5)).toArray()).toEqual([5, 5]);
    expect(() => zeros([2]).fill_(tensor([1, 2]))).toThrow(/must be a number or a 0-d tensor/);
  });

  it("copy_ broadcasts and casts", () => {
    const x = zeros([2, 2], { dtype: "float64" });
    x.copy_(tensor([1.5, 2.5]));
    expect(x.toArray()).toEqual([[1.5, 2.5], [1.5, 2.5]]);
    const y = zeros([2], { dtype: "int32" });
    y.copy_(tensor([-1.7, 3.9]));
    expect(y.toArray()).toEqual([-1, 3]);
    x.copy_([[1, 2], [3, 4]]);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("clamp_ with one or both bounds", () => {
    expect(tensor([-2, 0.5, 3]).clamp_({ min: 0, max: 1 }).toArray()).toEqual([0, 0.5, 1]);
    expect(tensor([-2, 0.5, 3]).clamp_({ min: 0 }).toArray()).toEqual([0, 0.5, 3]);
    expect(tensor([-2, 0.5, 3]).clamp_({ max: 1 }).toArray()).toEqual([-2, 0.5, 1]);
    expect(tensor([-2, 0.5, 3]).clamp_({ min: tensor([0, 1, 2]) }).toArray()).toEqual([0, 1, 3]);
    // min > max gives max everywhere, as in PyTorch.
    expect(tensor([-2, 0.5, 3]).clamp_({ min: 2, max: 1 }).toArray()).toEqual([1, 1, 1]);
    expect(Number.isNaN(tensor([Number.NaN]).clamp_({ min: 0, max: 1 }).item())).toBe(true);
    expect(() => tensor([1]).clamp_({})).toThrow(/neither min nor max is given/);
  });
});

describe("in-place ops and autograd", () => {
  it("raise on a tensor that requires grad", () => {
    const w = ones([2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(AutogradError);
    expect(() => w.add_(1)).toThrow(/add_: the target requires grad.*out-of-place op \(add\).*noGrad/);
    expect(() => zeros([2]).mul_(w)).toThrow(/mul_: an operand requires grad/);
    expect(() => w.zero_()).toThrow(/zero_: the target requires grad.*\(zerosLike\)/);
    expect(() => w.copy_(zeros([2]))).toThrow(/copy_: the target requires grad.*\(clone\)/);
  });

  it("work inside noGrad, as optimizers use them", () => {
    const w = ones([2], { requiresGrad: true });
    noGrad(() => w.sub_(tensor([0.5, 0.25])));
    expect(w.toArray()).toEqual([0.5, 0.75]);
    expect(w.requiresGrad).toBe(true);
    expect(w.isLeaf).toBe(true);
  });
});
