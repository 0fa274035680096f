// Loads the KaTeX style sheet and Plotly from node_modules to inline them into exported pages.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
let katexCss: string | undefined;
let plotlyJs: string | undefined;

/** Returns KaTeX's CSS with its WOFF2 fonts embedded as data URLs, the only format kept. */
export function inlineKatexCss(): string {
  if (katexCss !== undefined) return katexCss;
  const dist = dirname(require.resolve("katex"));
  const css = readFileSync(join(dist, "katex.min.css"), "utf8");
  katexCss = css.replace(/src:\s*url\(fonts\/([A-Za-z0-9_-]+)\.woff2\)\s*format\("woff2"\)[^;}]*/g, (_, font: string) => {
    const data = readFileSync(join(dist, "fonts", `${font}.woff2`)).toString("base64");
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  return katexCss;
}

/** Returns the minified Plotly bundle, with "</script" escaped so it can sit inside a script element. */
export function inlinePlotlyJs(): string {
  plotlyJs ??= readFileSync(require.resolve("plotly.js-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
  return plotlyJs;
}
