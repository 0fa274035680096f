// Serves the web app: the HTML page, the esbuild bundle and its assets, and plotly.js.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { packageRoot } from "../../kernel/paths.js";
import { HttpError } from "./http.js";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".svg": "image/svg+xml",
};

/**
 * The page's Content-Security-Policy: nothing loads from other origins. Inline scripts stay
 * allowed because trusted HTML outputs may carry them; untrusted HTML is sanitized first.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join("; ");

export class StaticFiles {
  private readonly webDir = join(packageRoot(), "dist", "lab", "web");
  private readonly plotly = resolvePlotly();

  page(res: ServerResponse): void {
    if (!existsSync(join(this.webDir, "app.js"))) {
      throw new HttpError(500, `the web app is not built (${join(this.webDir, "app.js")} is missing); run "npm run build"`);
    }
    const css = existsSync(join(this.webDir, "app.css")) ? '<link rel="stylesheet" href="/static/app.css">' : "";
    const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>paramlab</title><meta name="viewport" content="width=device-width, initial-scale=1">${css}</head>
<body><div id="app"></div><script type="module" src="/static/app.js"></script></body>
</html>
`;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff" });
    res.end(html);
  }

  /** Sends /static/NAME: a file of the bundle folder, or vendor/plotly.min.js. */
  file(name: string, res: ServerResponse): void {
    let file: string;
    if (name === "vendor/plotly.min.js") file = this.plotly;
    else if (/^[\w.-]+$/.test(name) && !name.startsWith(".")) file = join(this.webDir, name);
    else throw new HttpError(404, `static file ${name} was not found`);
    const type = TYPES[extname(file)];
    if (type === undefined || !existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, `static file ${name} was not found`);
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" });
    createReadStream(file).pipe(res);
  }
}

function resolvePlotly(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("plotly.js-dist-min/package.json")), "plotly.min.js");
}
