// Transpiles the TypeScript sources to dist/ (one file per source, ESM) and bundles the lab's
// web app. Runs on `npm install` through the `prepare` script, so a fresh clone is ready to use.
import { build } from "esbuild";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "web") out.push(...listSources(path));
    } else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}

const entryPoints = ["core", "kernel", "lab"]
  .map((dir) => join(root, dir))
  .filter((dir) => existsSync(dir))
  .flatMap(listSources);

await build({
  entryPoints,
  outdir: join(root, "dist"),
  outbase: root,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});

const webEntry = join(root, "lab/web/main.ts");
if (existsSync(webEntry)) {
  await build({
    entryPoints: [webEntry],
    outfile: join(root, "dist/lab/web/app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    loader: { ".woff2": "file", ".woff": "file", ".ttf": "file" },
    logLevel: "warning",
  });
}
