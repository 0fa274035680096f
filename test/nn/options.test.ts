import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn } = pl;
const F = nn.functional;

/** A case: the owner's name, a call that builds it from options, a misspelled name and the expected suggestion. */
type Case = [string, (options: never) => unknown, string, string | null];

const layerCases: Case[] = [
  ["Linear", (o) => new nn.Linear(2, 3, o), "bais", null],
  ["Conv2d", (o) => new nn.Conv2d(1, 2, 3, o), "pad", null],
  ["Conv1d", (o) => new nn.Conv1d(1, 2, 3, o), "stide", null],
  ["Embedding", (o) => new nn.Embedding(5, 3, o), "padding_idx", "paddingIdx"],
  ["LayerNorm", (o) => new nn.LayerNorm(4, o), "elementwise_affine", "elementwiseAffine"],
  ["BatchNorm1d", (o) => new nn.BatchNorm1d(4, o), "track_running_stats", "trackRunningStats"],
  ["BatchNorm2d", (o) => new nn.BatchNorm2d(4, o), "epsilon", null],
  ["MaxPool2d", (o) => new nn.MaxPool2d(2, o), "strid", null],
  ["MaxPool1d", (o) => new nn.MaxPool1d(2, o), "ceil_mode", "ceilMode"],
  ["AvgPool2d", (o) => new nn.AvgPool2d(2, o), "count_include_pad", "countIncludePad"],
  ["Dropout", (o) => new nn.Dropout(0.5, o), "seed", null],
  ["MultiheadAttention", (o) => new nn.MultiheadAttention(4, 2, o), "batch_first", "batchFirst"],
  ["TransformerEncoderLayer", (o) => new nn.TransformerEncoderLayer(4, 2, o), "dim_feedforward", "dimFeedforward"],
  ["TransformerDecoderLayer", (o) => new nn.TransformerDecoderLayer(4, 2, o), "norm_first", "normFirst"],
  ["Transformer", (o) => new nn.Transformer(o), "num_encoder_layers", "numEncoderLayers"],
  ["SinusoidalPositionalEncoding", (o) => new nn.SinusoidalPositionalEncoding(4, o), "max_len", "maxLen"],
  ["LearnedPositionalEncoding", (o) => new nn.LearnedPositionalEncoding(4, 8, o), "batch_first", "batchFirst"],
  ["MixtureOfExperts", (o) => new nn.MixtureOfExperts(4, 2, { numExperts: 2, ...(o as object) }), "top_k", "topK"],
  ["Seq2Seq", (o) => new nn.Seq2Seq({ srcVocabSize: 5, tgtVocabSize: 5, bosIdx: 1, eosIdx: 2, ...(o as object) }), "hidden_size", "hiddenSize"],
  ["CrossEntropyLoss", (o) => new nn.CrossEntropyLoss(o), "label_smoothing", "labelSmoothing"],
  ["MSELoss", (o) => new nn.MSELoss(o), "reduce", null],
];

describe("unknown layer options", () => {
  it.each(layerCases)("%s rejects a misspelled option", (owner, make, name, suggestion) => {
    let message = "";
    try {
      make({ [name]: 1 } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(pl.InvalidArgumentError);
      message = (error as Error).message;
    }
    expect(message).toContain(`${owner}: unknown option "${name}"; valid options are `);
    if (suggestion) expect(message).toContain(`Did you mean "${suggestion}"?`);
    else expect(message).not.toContain("Did you mean");
  });

  it("lists the valid names of TransformerEncoderLayer", () => {
    expect(() => new nn.TransformerEncoderLayer(4, 2, { dim_feedforward: 8 } as never)).toThrow(
      'TransformerEncoderLayer: unknown option "dim_feedforward"; valid options are dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, dtype. Did you mean "dimFeedforward"?',
    );
  });

  it("accepts every valid option", () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0, activation: "gelu", layerNormEps: 1e-6, batchFirst: true, normFirst: true, dtype: "float64" });
    expect(layer.linear1.outFeatures).toBe(8);
    expect(new nn.Linear(2, 3, { bias: false }).bias).toBeNull();
    expect(new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 }).encoder.numLayers).toBe(1);
  });

  it("rejects options that are not an object", () => {
    expect(() => new nn.Linear(2, 3, false as never)).toThrow("Linear: options must be an object such as { bias: ... }, got boolean false.");
    expect(() => new nn.LayerNorm(4, [1e-5] as never)).toThrow("LayerNorm: options must be an object");
    expect(() => new nn.Embedding(5, 3, null as never)).toThrow("got null");
  });
});

describe("unknown loss options", () => {
  const logits = pl.tensor([[1, 2, 3], [0, 1, 0]]);
  const labels = pl.tensor([0, 1]).int();

  it("crossEntropy rejects label_smoothing", () => {
    expect(() => F.crossEntropy(logits, labels, { label_smoothing: 0.5 } as never)).toThrow(
      'crossEntropy: unknown option "label_smoothing"; valid options are reduction, weight, ignoreIndex, labelSmoothing. Did you mean "labelSmoothing"?',
    );
  });

  it("crossEntropy still applies labelSmoothing", () => {
    const plain = F.crossEntropy(logits, labels).item();
    const smoothed = F.crossEntropy(logits, labels, { labelSmoothing: 0.5 }).item();
    expect(smoothed).not.toBeCloseTo(plain, 4);
  });

  it.each([
    ["mseLoss", () => F.mseLoss(logits, logits, { reductoin: "sum" } as never)],
    ["l1Loss", () => F.l1Loss(logits, logits, { reductoin: "sum" } as never)],
    ["smoothL1Loss", () => F.smoothL1Loss(logits, logits, { delta: 1 } as never)],
    ["huberLoss", () => F.huberLoss(logits, logits, { beta: 1 } as never)],
    ["nllLoss", () => F.nllLoss(logits, labels, { ignore_index: 0 } as never)],
    ["binaryCrossEntropy", () => F.binaryCrossEntropy(logits.sigmoid(), logits.sigmoid(), { pos_weight: 1 } as never)],
    ["binaryCrossEntropyWithLogits", () => F.binaryCrossEntropyWithLogits(logits, logits.sigmoid(), { pos_weight: 1 } as never)],
    ["klDiv", () => F.klDiv(logits, logits, { log_target: true } as never)],
  ])("%s rejects an unknown option", (owner, call) => {
    expect(call).toThrow(`${owner}: unknown option`);
  });
});

describe("float class-index targets", () => {
  const logits = pl.tensor([[1, 2, 3], [0, 1, 0]]);

  it("crossEntropy names the int32 conversion", () => {
    expect(() => F.crossEntropy(logits, pl.tensor([0, 1]))).toThrow(
      "crossEntropy: target of shape [2] has dtype float32; class-index targets must be int32. Convert them with .int(), or pass probabilities of the input's shape [2, 3].",
    );
  });

  it("nllLoss names the int32 conversion", () => {
    expect(() => F.nllLoss(logits.logSoftmax(1), pl.tensor([0, 1]))).toThrow("class-index targets must be int32");
  });

  it("crossEntropy keeps the shape error for probabilities", () => {
    expect(() => F.crossEntropy(logits, pl.tensor([[0.5, 0.5]]))).toThrow("input shape [2, 3] and target shape [1, 2] differ");
  });
});

describe("clear errors for missing files and huge shapes", () => {
  it("MixtureOfExperts without options names numExperts", () => {
    const make = () => new (nn.MixtureOfExperts as unknown as new (a: number, b: number) => unknown)(4, 2);
    expect(make).toThrow(pl.InvalidArgumentError);
    expect(make).toThrow("MixtureOfExperts: options with numExperts are required");
  });

  it("Seq2Seq without options names the required ones", () => {
    const make = () => new (nn.Seq2Seq as unknown as new () => unknown)();
    expect(make).toThrow("Seq2Seq: options with srcVocabSize, tgtVocabSize, bosIdx and eosIdx are required");
  });

  it("loadSafetensors names a missing file", async () => {
    const path = join(tmpdir(), `paramlab-missing-${process.pid}.safetensors`);
    await expect(nn.loadSafetensors(path)).rejects.toThrow(`loadSafetensors: file not found: ${path}`);
  });

  it("saveSafetensors names a missing folder", async () => {
    const folder = join(tmpdir(), `paramlab-no-folder-${process.pid}`);
    const path = join(folder, "model.safetensors");
    const save = nn.saveSafetensors({ w: pl.zeros([2]) }, path);
    await expect(save).rejects.toThrow(`saveSafetensors: cannot write ${path} because the folder ${folder} does not exist.`);
  });

  it("saveSafetensors still writes into an existing folder", async () => {
    const folder = mkdtempSync(join(tmpdir(), "paramlab-save-"));
    const path = join(folder, "model.safetensors");
    await nn.saveSafetensors({ w: pl.tensor([1, 2]) }, path);
    const loaded = await nn.loadSafetensors(path);
    expect(Array.from(loaded.w.dataSync())).toEqual([1, 2]);
    expect(readdirSync(folder)).toEqual(["model.safetensors"]);
    rmSync(folder, { recursive: true });
  });

  it("zeros names a shape too large for a typed array", () => {
    const call = () => pl.zeros([1e5, 1e5]);
    expect(call).toThrow(pl.InvalidArgumentError);
    expect(call).toThrow("zeros: shape [100000, 100000] needs 10000000000 float32 elements (37.3 GiB), more than one typed array can hold here");
  });

  it("randn names a shape too large for a typed array", () => {
    expect(() => pl.randn([1e5, 1e5])).toThrow("randn: shape [100000, 100000] needs 10000000000 float32 elements");
  });
});

describe("layer errors name the layer", () => {
  it("Embedding names itself for an out-of-range index", () => {
    const layer = new nn.Embedding(5, 3);
    const call = () => layer.forward(pl.tensor([1, 9]).int());
    expect(call).toThrow(pl.InvalidArgumentError);
    expect(call).toThrow("Embedding(5, 3): index 9 at position 1 is out of range; expected 0..4.");
  });

  it("Embedding names itself for a negative index", () => {
    expect(() => new nn.Embedding(5, 3).forward(pl.tensor([-1]).int())).toThrow("Embedding(5, 3): index -1 at position 0 is out of range");
  });

  it("Embedding names itself for float indices", () => {
    expect(() => new nn.Embedding(5, 3).forward(pl.tensor([1]))).toThrow("Embedding(5, 3): indices have dtype float32; expected int32 indices.");
  });

  it("LayerNorm names itself for a wrong shape", () => {
    const call = () => new nn.LayerNorm([4]).forward(pl.zeros([2, 3]));
    expect(call).toThrow(pl.ShapeError);
    expect(call).toThrow("LayerNorm([4]): expected input of shape [..., 4], got [2, 3].");
  });

  it("MaxPool2d prefixes the op's message", () => {
    let error: unknown = null;
    try {
      new nn.MaxPool2d(5).forward(pl.zeros([1, 1, 2, 2]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(pl.ParamlabError);
    expect((error as Error).message).toMatch(/^MaxPool2d\(kernelSize=5\): maxPool2d: /);
  });

  it("AvgPool2d prefixes the op's message", () => {
    expect(() => new nn.AvgPool2d(5).forward(pl.zeros([1, 1, 2, 2]))).toThrow(/^AvgPool2d\(kernelSize=5\): avgPool2d: /);
  });
});
