// Writes and removes the kernelspec that Jupyter clients launch the kernel from.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "./paths.js";
import { logoPng, logoSvg } from "./logo.js";

/** Kernelspec location: the user's data folder, Python's sys.prefix, or a given prefix. */
export type SpecLocation = "user" | "sys-prefix" | { prefix: string };

export interface InstallOptions {
  location: SpecLocation;
  name: string;
  typeChecking?: boolean;
}

const NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;

/** Returns the folder of the kernelspec `name` at `location`. */
export function kernelSpecDir(location: SpecLocation, name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`kernel name ${JSON.stringify(name)} is invalid: use only letters, digits, ".", "_" and "-"`);
  }
  return join(kernelsDir(location), name.toLowerCase());
}

function kernelsDir(location: SpecLocation): string {
  if (typeof location === "object") return join(location.prefix, "share", "jupyter", "kernels");
  if (location === "sys-prefix") return join(pythonPrefix(), "share", "jupyter", "kernels");
  return join(userDataDir(), "kernels");
}

/** Jupyter's per-user data folder, as jupyter_core computes it on Linux and macOS. */
function userDataDir(): string {
  const env = process.env;
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

function pythonPrefix(): string {
  const env = process.env;
  if (env.VIRTUAL_ENV) return env.VIRTUAL_ENV;
  if (env.CONDA_PREFIX) return env.CONDA_PREFIX;
  try {
    return execFileSync("python3", ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("--sys-prefix needs python3 on PATH or an active virtualenv or conda environment; use --prefix DIR instead");
  }
}

/** Returns the kernel.json content; argv runs this package's bin with node's absolute path. */
export function kernelJson(typeChecking: boolean): Record<string, unknown> {
  const bin = join(packageRoot(), "bin", "paramlab.js");
  const argv = [process.execPath, bin, "kernel", "--connection-file", "{connection_file}"];
  if (typeChecking) argv.push("--type-check");
  return {
    argv,
    display_name: "TypeScript (paramlab)",
    language: "typescript",
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos, replacing an earlier install. Returns the folder. */
export function installKernelSpec(options: InstallOptions): string {
  const dir = kernelSpecDir(options.location, options.name);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "kernel.json"), `${JSON.stringify(kernelJson(options.typeChecking === true), null, 2)}\n`);
  writeFileSync(join(staging, "logo-32x32.png"), logoPng(32));
  writeFileSync(join(staging, "logo-64x64.png"), logoPng(64));
  writeFileSync(join(staging, "logo-svg.svg"), logoSvg());
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

export function uninstallKernelSpec(options: Omit<InstallOptions, "typeChecking">): string {
  const dir = kernelSpecDir(options.location, options.name);
  if (!existsSync(dir)) throw new Error(`no kernelspec named "${options.name}" in ${dir}; nothing to remove`);
  rmSync(dir, { recursive: true });
  return dir;
}
