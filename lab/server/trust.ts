// Remembers which notebooks this lab saved, by the SHA-256 of their bytes. A notebook whose
// bytes match is trusted: its HTML and SVG outputs render without sanitizing.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.js";

/** The number of digests kept; the oldest are dropped first. */
const MAX_ENTRIES = 10_000;

export class TrustStore {
  private readonly file: string;
  private readonly digests: string[];

  constructor(private readonly dir: string) {
    this.file = join(dir, "trusted-notebooks.json");
    this.digests = readDigests(this.file);
  }

  isTrusted(bytes: Buffer): boolean {
    return this.digests.includes(digest(bytes));
  }

  async trust(bytes: Buffer): Promise<void> {
    const value = digest(bytes);
    if (this.digests.includes(value)) return;
    this.digests.push(value);
    if (this.digests.length > MAX_ENTRIES) this.digests.splice(0, this.digests.length - MAX_ENTRIES);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify(this.digests), 0o600);
  }
}

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function readDigests(file: string): string[] {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}
