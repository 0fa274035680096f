// The input history of one kernel session, for history_request (tail, range, search).

export interface HistoryEntry {
  line: number;
  input: string;
}

export class History {
  private readonly entries: HistoryEntry[] = [];

  constructor(private readonly session: number = 1) {}

  add(line: number, input: string): void {
    this.entries.push({ line, input });
  }

  /** Returns [session, line, input] triples, as history_reply lists them when output is false. */
  query(content: Record<string, unknown>): [number, number, string][] {
    const type = content.hist_access_type;
    let selected: HistoryEntry[];
    if (type === "tail") {
      const n = typeof content.n === "number" && content.n >= 0 ? content.n : 10;
      selected = n === 0 ? [] : this.entries.slice(-n);
    } else if (type === "range") {
      const start = typeof content.start === "number" ? content.start : 0;
      const stop = typeof content.stop === "number" ? content.stop : Number.POSITIVE_INFINITY;
      const session = typeof content.session === "number" ? content.session : 0;
      const ours = session === 0 || session === this.session || session === -1;
      selected = ours ? this.entries.filter((entry) => entry.line >= start && entry.line < stop) : [];
    } else if (type === "search") {
      const pattern = globToRegExp(typeof content.pattern === "string" ? content.pattern : "*");
      selected = this.entries.filter((entry) => pattern.test(entry.input));
      if (content.unique === true) selected = uniqueByInput(selected);
      const n = typeof content.n === "number" && content.n > 0 ? content.n : undefined;
      if (n !== undefined) selected = selected.slice(-n);
    } else {
      throw new Error(`hist_access_type ${JSON.stringify(type)} is invalid, expected "tail", "range" or "search"`);
    }
    return selected.map((entry) => [this.session, entry.line, entry.input]);
  }
}

function uniqueByInput(entries: HistoryEntry[]): HistoryEntry[] {
  const seen = new Set<string>();
  const result: HistoryEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    if (seen.has(entries[i].input)) continue;
    seen.add(entries[i].input);
    result.unshift(entries[i]);
  }
  return result;
}

/** Converts a glob with `*` and `?`, as IPython's history search uses, to an anchored RegExp. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${escaped}$`);
}
