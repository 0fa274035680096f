#!/usr/bin/env node
// The paramlab command: dispatches a subcommand to its module in dist/ (built by `npm install`).
import { existsSync } from "node:fs";

const commands = {
  kernel: { module: "../dist/kernel/cli.js", help: "install, uninstall or run the Jupyter kernel" },
  lab: { module: "../dist/lab/server/cli.js", help: "serve notebooks in the local web app" },
  run: { module: "../dist/lab/runner/cli.js", help: "execute notebooks headlessly" },
};

function usage() {
  const lines = Object.entries(commands).map(([name, { help }]) => `  ${name.padEnd(8)}${help}`);
  return `usage: paramlab <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === "--help" || name === "-h") {
  process.stdout.write(usage());
  process.exit(name === undefined ? 2 : 0);
}
const command = commands[name];
if (command === undefined) {
  process.stderr.write(`paramlab: unknown command "${name}"\n\n${usage()}`);
  process.exit(2);
}
const url = new URL(command.module, import.meta.url);
if (!existsSync(url)) {
  process.stderr.write(`paramlab: ${url.pathname} is missing. Run "npm install" or "npm run build" first.\n`);
  process.exit(2);
}
const { main } = await import(url.href);
process.exitCode = await main(args);
