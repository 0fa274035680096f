import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn } = pl;
const { init } = nn;

function weight(): pl.Tensor {
  return pl.zeros([3, 4]);
}

describe("init argument checks", () => {
  it.each([
    ["xavierUniform_ gain object", () => init.xavierUniform_(weight(), { gain: 2 } as never), 'xavierUniform_: gain={"gain":2} is invalid; expected a finite number ≥ 0.'],
    ["xavierNormal_ negative gain", () => init.xavierNormal_(weight(), -1), "xavierNormal_: gain=-1 is invalid; expected a finite number ≥ 0."],
    ["orthogonal_ gain object", () => init.orthogonal_(weight(), { gain: 1 } as never), 'orthogonal_: gain={"gain":1} is invalid; expected a finite number.'],
    ["truncNormal_ mean object", () => init.truncNormal_(weight(), { std: 0.02 } as never), 'truncNormal_: mean={"std":0.02} is invalid; expected a finite number.'],
    ["truncNormal_ NaN std", () => init.truncNormal_(weight(), 0, NaN), "truncNormal_: std=NaN is invalid; expected a finite number ≥ 0."],
    ["truncNormal_ reversed bounds", () => init.truncNormal_(weight(), 0, 1, 2, -2), "truncNormal_: bounds a=2, b=-2 are invalid; expected a < b."],
    ["uniform_ string bound", () => init.uniform_(weight(), "a" as never, 1), 'uniform_: a="a" is invalid; expected a finite number.'],
    ["uniform_ reversed bounds", () => init.uniform_(weight(), 1, 0), "uniform_: bounds a=1, b=0 are invalid; expected a ≤ b."],
    ["uniform_ infinite bound", () => init.uniform_(weight(), 0, Infinity), "uniform_: b=Infinity is invalid; expected a finite number."],
    ["constant_ NaN", () => init.constant_(weight(), NaN), "constant_: value=NaN is invalid; expected a finite number."],
    ["normal_ negative std", () => init.normal_(weight(), 0, -1), "normal_: std=-1 is invalid; expected a finite number ≥ 0."],
    ["normal_ string mean", () => init.normal_(weight(), "0" as never), 'normal_: mean="0" is invalid; expected a finite number.'],
    ["kaimingUniform_ NaN slope", () => init.kaimingUniform_(weight(), { a: NaN }), "kaimingUniform_: a=NaN is invalid; expected a finite number."],
    ["kaimingNormal_ unknown option", () => init.kaimingNormal_(weight(), { fan_mode: "fanOut" } as never), 'kaimingNormal_: unknown option "fan_mode"'],
    ["kaimingUniform_ bad mode", () => init.kaimingUniform_(weight(), { mode: "fan_in" as never }), 'kaimingUniform_: mode "fan_in" is invalid'],
    ["calculateGain NaN slope", () => init.calculateGain("leakyRelu", NaN), "calculateGain: param=NaN is invalid; expected a finite number."],
  ])("%s raises", (_, call, message) => {
    expect(call).toThrow(pl.InvalidArgumentError);
    expect(call).toThrow(message);
  });

  it("leaves the tensor unchanged on a bad argument", () => {
    const w = weight();
    expect(() => init.normal_(w, 0, -1)).toThrow();
    expect(Array.from(w.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it("accepts valid arguments", () => {
    const generator = new pl.Generator(1);
    const values = Array.from(init.uniform_(weight(), -0.5, 0.5, { generator }).dataSync());
    expect(values.every((v) => v >= -0.5 && v < 0.5)).toBe(true);
    expect(Array.from(init.normal_(weight(), 3, 0).dataSync()).every((v) => v === 3)).toBe(true);
    expect(Array.from(init.constant_(weight(), -2).dataSync()).every((v) => v === -2)).toBe(true);
    expect(Array.from(init.uniform_(weight(), 1, 1).dataSync()).every((v) => v === 1)).toBe(true);
  });

  it("builds layers with a zero-size dimension", () => {
    expect(new nn.Linear(0, 3).weight.shape).toEqual([3, 0]);
    expect(init.xavierUniform_(pl.zeros([0, 4])).shape).toEqual([0, 4]);
  });
});
