// Runs every benchmark file in bench/ (each *.mjs except this one) in name order and prints
// their tables as Markdown. `npm run bench -- matmul conv` runs only files whose names contain
// one of the given words. See bench/README.md for the convention a benchmark file follows.
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { formatTable } from "./lib/table.mjs";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);

const files = readdirSync(benchDir)
  .filter((name) => name.endsWith(".mjs") && name !== self)
  .filter((name) => filters.length === 0 || filters.some((word) => name.includes(word)))
  .sort();
if (files.length === 0) {
  console.error(`bench: no benchmark file in ${benchDir} matches ${filters.join(", ")}`);
  process.exit(1);
}

let failed = 0;
for (const name of files) {
  const module = await import(pathToFileURL(`${benchDir}${name}`).href);
  if (typeof module.run !== "function") {
    console.error(`bench: ${name} exports no run() function; skipped (see bench/README.md)`);
    failed++;
    continue;
  }
  try {
    const table = await module.run();
    if (table) console.log(formatTable(table));
  } catch (error) {
    console.error(`bench: ${name} failed: ${error instanceof Error ? error.stack : error}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
