// `paramlab lab [FOLDER]`: serves a notebooks folder in the web app until Ctrl+C.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { DEFAULT_PORT, startLab, type Lab } from "./lab.js";
import { createLogger, type LogLevel } from "./log.js";

const USAGE = `usage: paramlab lab [FOLDER] [options]

Serves the notebooks in FOLDER (default: the current folder) on http://127.0.0.1.

options:
  --port N          the first port to try (default ${DEFAULT_PORT}; the next free one is used)
  --no-browser      do not open a browser
  --state-dir DIR   where the lab remembers the notebooks it saved (trusted notebooks)
                    (default: $XDG_DATA_HOME/paramlab or ~/.local/share/paramlab)
  --log-level L     debug, info, warn, error or silent (default info)
  -h, --help        show this help
`;

interface CliOptions {
  root: string;
  port: number;
  browser: boolean;
  stateDir: string;
  logLevel: LogLevel;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: CliOptions;
  try {
    options = parseArgs(args);
  } catch (error) {
    process.stderr.write(`paramlab lab: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const log = createLogger(options.logLevel);
  let lab: Lab;
  try {
    lab = await startLab({ root: options.root, port: options.port, stateDir: options.stateDir, log });
  } catch (error) {
    process.stderr.write(`paramlab lab: ${(error as Error).message}\n`);
    return 1;
  }
  // A failure in one request or kernel connection must not stop the lab and its other kernels.
  process.on("unhandledRejection", (reason) => log.error(`unhandled error: ${reason instanceof Error ? reason.stack : String(reason)}`));
  process.stdout.write(`\nparamlab lab is serving ${options.root}\nOpen this URL in a browser:\n\n    ${lab.url}\n\nPress Ctrl+C to stop the lab and its kernels.\n`);
  if (options.browser) openBrowser(lab.url, log);
  return waitForStop(lab);
}

function parseArgs(args: string[]): CliOptions {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  const options: CliOptions = { root: process.cwd(), port: DEFAULT_PORT, browser: true, stateDir: join(dataHome, "paramlab"), logLevel: "info" };
  const value = (index: number, flag: string): string => {
    const next = args[index + 1];
    if (next === undefined) throw new Error(`${flag} needs a value`);
    return next;
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--no-browser") options.browser = false;
    else if (arg === "--port") {
      const port = Number(value(index++, arg));
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${args[index]} is invalid: use an integer from 0 to 65535`);
      options.port = port;
    } else if (arg === "--state-dir") options.stateDir = resolve(value(index++, arg));
    else if (arg === "--log-level") {
      const level = value(index++, arg);
      if (!["debug", "info", "warn", "error", "silent"].includes(level)) throw new Error(`--log-level ${level} is invalid: use debug, info, warn, error or silent`);
      options.logLevel = level as LogLevel;
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else options.root = resolve(arg);
  }
  if (!existsSync(options.root) || !statSync(options.root).isDirectory()) {
    throw new Error(`folder ${options.root} does not exist; create it or pass an existing folder`);
  }
  return options;
}

/** Resolves with exit code 0 after SIGINT or SIGTERM, once the kernels are shut down. */
function waitForStop(lab: Lab): Promise<number> {
  return new Promise((resolvePromise) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        lab.kernels.killAll();
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`\nparamlab lab: ${signal} received, shutting down the kernels\n`);
      lab.close().then(
        () => resolvePromise(0),
        () => resolvePromise(1),
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("exit", () => lab.kernels.killAll());
  });
}

/** Opens the URL with the desktop's opener when one is on PATH and a display is available. */
function openBrowser(url: string, log: ReturnType<typeof createLogger>): void {
  const openers: Partial<Record<NodeJS.Platform, string>> = { darwin: "open", linux: "xdg-open", freebsd: "xdg-open" };
  const opener = openers[process.platform];
  const hasDisplay = process.platform !== "linux" || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (opener === undefined || !hasDisplay || !onPath(opener)) {
    log.debug("no browser opener or display found; open the URL by hand");
    return;
  }
  const child = spawn(opener, [url], { stdio: "ignore", detached: true });
  child.on("error", (error) => log.warn(`could not open a browser with ${opener}: ${error.message}`));
  child.unref();
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, command)));
}
