// `paramlab kernel ...`: install or uninstall the kernelspec, or run the kernel.
import { parseArgs } from "node:util";
import { installKernelSpec, uninstallKernelSpec, type SpecLocation } from "./install.js";
import { parseLogLevel } from "./log.js";
import { readConnectionFile } from "./wire/connection.js";

const USAGE = `usage:
  paramlab kernel --connection-file FILE [--log-level LEVEL] [--type-check]
      run the kernel with the ports and key in FILE (Jupyter passes {connection_file})
  paramlab kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--type-check]
      write the kernelspec where "jupyter kernelspec list" finds it (default: --user)
  paramlab kernel uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
      remove that kernelspec

  --log-level   debug, info, warn, error or silent (default info), written to stderr
  --type-check  report type errors as a cell error before the cell runs
`;

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === "install" || command === "uninstall") return specCommand(command, rest);
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    return await runCommand(args);
  } catch (error) {
    process.stderr.write(`paramlab kernel: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

function specCommand(command: "install" | "uninstall", args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: "boolean" },
      "sys-prefix": { type: "boolean" },
      prefix: { type: "string" },
      name: { type: "string" },
      "type-check": { type: "boolean" },
    },
  });
  const chosen = [values.user, values["sys-prefix"], values.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new Error("choose at most one of --user, --sys-prefix and --prefix DIR");
  const location: SpecLocation =
    values.prefix !== undefined ? { prefix: values.prefix } : values["sys-prefix"] ? "sys-prefix" : "user";
  const name = values.name ?? "paramlab";
  if (command === "install") {
    const dir = installKernelSpec({ location, name, typeChecking: values["type-check"] === true });
    process.stdout.write(`installed the kernelspec "${name}" in ${dir}\n`);
  } else {
    const dir = uninstallKernelSpec({ location, name });
    process.stdout.write(`removed the kernelspec "${name}" from ${dir}\n`);
  }
  return 0;
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "connection-file": { type: "string", short: "f" },
      "log-level": { type: "string" },
      "type-check": { type: "boolean" },
    },
  });
  const file = values["connection-file"];
  if (file === undefined) throw new Error("missing --connection-file FILE");
  const connection = readConnectionFile(file);
  const logLevel = parseLogLevel(values["log-level"]);
  const { startSocketWorker } = await import("./session/start-worker.js");
  const worker = startSocketWorker(connection, logLevel);
  // Notebooks get the fused multiply-add kernels on Node 20 too, where relaxed SIMD needs a flag.
  // The kernels load on first use, so this only has to come before the first cell.
  const { enableRelaxedSimd } = await import("../core/backend/wasm/runtime.js");
  enableRelaxedSimd();
  const { runKernel } = await import("./main.js");
  return runKernel({
    worker,
    connection,
    notebookDir: process.cwd(),
    logLevel,
    typeChecking: values["type-check"] === true,
  });
}
