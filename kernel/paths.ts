// Locates this package's root folder, from the sources (under vitest) and from dist/ alike.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** Returns the folder of the package.json named "paramlab" above this file. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "paramlab") {
      root = dir;
      return dir;
    }
  }
  throw new Error(`no package.json named "paramlab" above ${fileURLToPath(import.meta.url)}`);
}
