// Defines the globals that cells see: the core as `pl`, its common names, `display` and friends.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../paths.js";
import type { CommManager } from "./comms.js";
import { IMPORT_FUNCTION } from "./compile.js";
import type { Display } from "./display.js";
import type { Output } from "./output.js";
import { resolveSpecifier } from "./resolve.js";
import { createTslabShim } from "./tslab.js";
import type { Logger } from "../log.js";

/** Names of the core namespace that also become globals when the core exports them. */
const CORE_GLOBALS = [
  "tensor",
  "nn",
  "optim",
  "autograd",
  "data",
  "train",
  "analysis",
  "noGrad",
  "manualSeed",
] as const;

export interface PreloadOptions {
  output: Output;
  display: Display;
  comms: CommManager;
  notebookDir: string;
  requestInput(prompt: string, password: boolean): Promise<string>;
  setTypeChecking(enabled: boolean): void;
  log: Logger;
}

/** Loads the core from the built package next to the kernel. Returns undefined when it is not built. */
export async function loadCore(log: Logger): Promise<Record<string, unknown> | undefined> {
  const url = pathToFileURL(join(packageRoot(), "dist", "core", "index.js"));
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    log.warn(`the core library at ${url.pathname} could not be loaded, so "pl" is undefined in cells:`, (error as Error).message);
    return undefined;
  }
}

export function installGlobals(core: Record<string, unknown> | undefined, options: PreloadOptions): void {
  const globals = globalThis as Record<string, unknown>;
  const tslab = createTslabShim(options.display);

  if (core !== undefined) {
    globals.pl = core;
    for (const name of CORE_GLOBALS) if (core[name] !== undefined) globals[name] = core[name];
    const functional = (core.nn as { functional?: unknown } | undefined)?.functional;
    if (functional !== undefined) globals.F = functional;
  }
  globals.display = options.display;
  globals.clearOutput = (clearOptions: { wait?: boolean } = {}) => options.output.publish("clear_output", { wait: clearOptions.wait === true });
  globals.input = (prompt = "", inputOptions: { password?: boolean } = {}) =>
    options.requestInput(String(prompt), inputOptions.password === true);
  globals.kernel = {
    comms: options.comms,
    notebookDir: options.notebookDir,
    setTypeChecking: options.setTypeChecking,
  };
  globals[IMPORT_FUNCTION] = async (specifier: string): Promise<unknown> => {
    if (specifier === "paramlab") {
      if (core === undefined) throw new Error('the "paramlab" core is not built; run "npm run build" and restart the kernel');
      return core;
    }
    if (specifier === "tslab") return tslab;
    const url = resolveSpecifier(specifier, options.notebookDir);
    // Node imports JSON only with an import attribute that names the type.
    return url.endsWith(".json") ? import(url, { with: { type: "json" } }) : import(url);
  };
}
