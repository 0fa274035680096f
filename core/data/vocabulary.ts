import { InvalidArgumentError, Tensor } from "../tensor/index.js";
import { describe } from "./util.js";

/** Special tokens that every Vocabulary has at fixed ids: pad 0, bos 1 (beginning of sequence), eos 2 (end). */
export const PAD = "<pad>";
export const BOS = "<bos>";
export const EOS = "<eos>";

/**
 * A token ↔ id mapping for sequence models. Ids 0, 1 and 2 are the special tokens pad, bos and eos,
 * and the symbols follow in the order given (duplicates dropped).
 * Example: `const v = new Vocabulary(["A", "B"]); v.encode(["B", "A"], { eos: true })` is [4, 3, 2].
 */
export class Vocabulary {
  readonly padIndex = 0;
  readonly bosIndex = 1;
  readonly eosIndex = 2;
  /** Every token by id, specials first. */
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(symbols: Iterable<string>) {
    const tokens = [PAD, BOS, EOS];
    const ids = new Map(tokens.map((token, id) => [token, id]));
    for (const symbol of symbols) {
      if (typeof symbol !== "string" || symbol === "") {
        throw new InvalidArgumentError(`Vocabulary: symbol ${describe(symbol)} is invalid; expected a non-empty string.`);
      }
      if (symbol === PAD || symbol === BOS || symbol === EOS) {
        throw new InvalidArgumentError(`Vocabulary: symbol "${symbol}" is reserved for a special token; rename it.`);
      }
      if (!ids.has(symbol)) {
        ids.set(symbol, tokens.length);
        tokens.push(symbol);
      }
    }
    this.tokens = Object.freeze(tokens);
    this.ids = ids;
  }

  /** The number of tokens, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** Returns the id of `token`, raising on a token outside the vocabulary. */
  indexOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) {
      const sample = this.tokens.slice(3, 13).join(" ");
      throw new InvalidArgumentError(`Vocabulary: token ${JSON.stringify(token)} is not in the vocabulary of ${this.size} tokens (${sample}${this.size > 13 ? " ..." : ""}).`);
    }
    return id;
  }

  /** Returns the token of `id`, raising on an id outside [0, size). */
  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new InvalidArgumentError(`Vocabulary: id ${id} is out of range; expected an integer in [0, ${this.size}).`);
    }
    return this.tokens[id];
  }

  /** Encodes `tokens` as ids, with bos before and eos after when requested. */
  encode(tokens: readonly string[], options: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = tokens.map((token) => this.indexOf(token));
    if (options.bos) ids.unshift(this.bosIndex);
    if (options.eos) ids.push(this.eosIndex);
    return ids;
  }

  /**
   * Decodes `ids` (numbers or a 1-D tensor) into tokens, stopping at the first eos and skipping pad and bos,
   * so decode(encode(tokens, { bos: true, eos: true })) gives back `tokens`.
   */
  decode(ids: ArrayLike<number> | Tensor): string[] {
    const values = ids instanceof Tensor ? Array.from(ids.dataSync()) : Array.from(ids);
    const out: string[] = [];
    for (const id of values) {
      if (id === this.eosIndex) break;
      if (id === this.padIndex || id === this.bosIndex) continue;
      out.push(this.tokenOf(id));
    }
    return out;
  }
}
