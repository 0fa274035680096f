// The kernel_info_reply content: implementation, TypeScript language_info and help links.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../paths.js";
import { PROTOCOL_VERSION } from "../wire/types.js";

function packageVersion(url: URL): string {
  try {
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

let cached: Record<string, unknown> | undefined;

export function kernelInfo(): Record<string, unknown> {
  cached ??= build();
  return cached;
}

function build(): Record<string, unknown> {
  const root = pathToFileURL(`${packageRoot()}/`);
  const version = packageVersion(new URL("package.json", root));
  const typescriptVersion = packageVersion(new URL("node_modules/typescript/package.json", root));
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "paramlab",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: typescriptVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: { name: "javascript", typescript: true },
      nbconvert_exporter: "script",
    },
    banner: `paramlab ${version}: TypeScript ${typescriptVersion} on Node.js ${process.version}, with the paramlab core preloaded as pl`,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/docs/latest-v20.x/api/" },
    ],
    debugger: false,
    supported_features: [],
  };
}
