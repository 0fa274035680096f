import { describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";

const { nn, optim, data } = pl;

/** Levenshtein distance between two token lists. */
function editDistance(a: readonly number[], b: readonly number[]): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Training runs take minutes on two cores; they never assert time, only results. */
const TRAINING_TIMEOUT = 900_000;

describe("Seq2Seq with attention on CMUdict", () => {
  it("edit distance counts substitutions, insertions and deletions", () => {
    expect(editDistance([1, 2, 3], [1, 3])).toBe(1);
    expect(editDistance([1, 2, 3], [4, 2, 3, 5])).toBe(2);
    expect(editDistance([], [1, 2])).toBe(2);
  });

  it("learns grapheme-to-phoneme below 35% phoneme error on held-out words", () => {
    pl.manualSeed(0);
    const task = data.cmudict({ maxWordLength: 7, maxPhonemeLength: 7, limit: 6000, seed: 0 });
    const { letters, phonemes } = task;
    const model = new nn.Seq2Seq({
      srcVocabSize: letters.size,
      tgtVocabSize: phonemes.size,
      embedDim: 48,
      hiddenSize: 96,
      dropout: 0,
      padIdx: phonemes.padIndex,
      bosIdx: phonemes.bosIndex,
      eosIdx: phonemes.eosIndex,
    });
    const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const loader = new data.DataLoader(task.train, { batchSize: 64, shuffle: true, generator: new pl.Generator(1) });
    const steps = 400;
    let step = 0;
    while (step < steps) {
      for (const batch of loader as Iterable<pl.data.Seq2SeqBatch>) {
        const lengths = Array.from(batch.sourceLengths.dataSync());
        const tgtIn = batch.target.narrow(1, 0, batch.target.shape[1] - 1);
        const tgtOut = batch.target.narrow(1, 1, batch.target.shape[1] - 1);
        optimizer.zeroGrad();
        const logits = model.forward(batch.source, tgtIn, { srcLengths: lengths });
        const loss = nn.functional.crossEntropy(logits.reshape([-1, phonemes.size]), tgtOut.contiguous().reshape([-1]), { ignoreIndex: phonemes.padIndex });
        loss.backward();
        pl.optim.clipGradNorm(model.parameters(), 5);
        optimizer.step();
        if (++step >= steps) break;
      }
    }

    let errors = 0;
    let total = 0;
    const evaluated = Math.min(300, task.test.length);
    for (let start = 0; start < evaluated; start += 100) {
      const indices = Array.from({ length: Math.min(100, evaluated - start) }, (_, i) => start + i);
      const batch = task.test.getBatch(indices);
      const predictions = model.greedyDecode(batch.source, { srcLengths: Array.from(batch.sourceLengths.dataSync()), maxLength: 12 });
      indices.forEach((_, row) => {
        const reference = Array.from(batch.target.select(0, row).dataSync()).filter((id) => id > phonemes.eosIndex);
        errors += editDistance(predictions[row], reference);
        total += reference.length;
      });
    }
    const phonemeErrorRate = errors / total;
    expect(phonemeErrorRate).toBeLessThan(0.35);
  }, TRAINING_TIMEOUT);
});
