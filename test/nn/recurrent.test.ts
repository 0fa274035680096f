import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn } = pl;

describe("recurrent layers", () => {
  it("mask gives the same result as lengths", () => {
    pl.manualSeed(0);
    const lstm = new nn.LSTM(3, 4, { bidirectional: true, batchFirst: true, dtype: "float64" });
    const x = pl.randn([2, 5, 3], { dtype: "float64" });
    const mask = pl.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]).to("bool");
    const [byLengths, [hLengths]] = lstm.forward(x, null, { lengths: [5, 3] });
    const [byMask, [hMask]] = lstm.forward(x, null, { mask });
    expect(byMask.toArray()).toEqual(byLengths.toArray());
    expect(hMask.toArray()).toEqual(hLengths.toArray());
  });

  it("mask in time-first layout", () => {
    pl.manualSeed(1);
    const gru = new nn.GRU(2, 3, { dtype: "float64" });
    const x = pl.randn([4, 2, 2], { dtype: "float64" });
    const [out] = gru.forward(x, null, { mask: pl.tensor([[1, 1], [1, 1], [1, 0], [1, 0]]).to("bool") });
    expect(out.select(1, 1).narrow(0, 2, 2).abs().sum().item()).toBe(0);
  });

  it("rejects a sequence without time steps", () => {
    const lstm = new nn.LSTM(3, 4);
    expect(() => lstm.forward(pl.zeros([0, 2, 3]))).toThrow("LSTM: the input has 0 time steps (shape [0, 2, 3]); a sequence needs at least one step.");
  });

  it("rejects a mask of the wrong shape", () => {
    const gru = new nn.GRU(2, 3);
    expect(() => gru.forward(pl.randn([4, 2, 2]), null, { mask: pl.ones([2, 4]) })).toThrow(/GRU: mask must have shape \[4, 2\] \(time, batch\), got \[2, 4\]/);
  });

  it("rejects lengths that are not a list", () => {
    const lstm = new nn.LSTM(3, 4);
    const x = pl.randn([5, 3, 3]);
    expect(() => lstm.forward(x, null, { lengths: "5,2,1" as never })).toThrow(
      'LSTM: lengths must be an array or a 1-d tensor of 3 integers, got "5,2,1"; pass one length per sequence, such as [5, 5, 5].',
    );
    expect(() => lstm.forward(x, null, { lengths: [5, 6, 2] })).toThrow("LSTM: lengths [5,6,2] are invalid; expected 3 integers in [0, 5]");
  });

  it("rejects unknown options with a camelCase hint", () => {
    expect(() => new nn.LSTM(3, 4, { batch_first: true } as never)).toThrow(/LSTM: unknown option "batch_first"; valid options are .* Did you mean "batchFirst"\?/);
    expect(() => new nn.GRU(3, 4).forward(pl.randn([2, 1, 3]), null, { lenghts: [2] } as never)).toThrow(/GRU: unknown forward option "lenghts"/);
  });
});
