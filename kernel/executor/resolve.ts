// Resolves the specifiers of `import` statements in cells, relative to the notebook's folder.
//
// Node resolves `import()` relative to the module that calls it, which would be the kernel's own
// folder. Cells need the notebook's folder instead, so bare and relative specifiers are resolved
// here to a file URL and then imported. Package `exports` are read with the "import", "node" and
// "default" conditions, so ESM-only packages resolve; CommonJS packages resolve through `main`.
import { existsSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const CONDITIONS = ["import", "node", "default"];
const EXTENSIONS = ["", ".js", ".mjs", ".cjs", ".json", "/index.js", "/index.mjs", "/index.cjs"];

export class ModuleNotFoundError extends Error {
  override name = "ModuleNotFoundError";
}

/** Returns the URL to import for `specifier` from a cell whose notebook lives in `fromDir`. */
export function resolveSpecifier(specifier: string, fromDir: string): string {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return specifier;
  if (specifier.startsWith("file:") || specifier.startsWith("data:")) return specifier;
  if (specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier)) {
    return pathToFileURL(resolveFile(resolve(fromDir, specifier), specifier, fromDir)).href;
  }
  return pathToFileURL(resolvePackage(specifier, fromDir)).href;
}

function resolveFile(path: string, specifier: string, fromDir: string): string {
  for (const extension of EXTENSIONS) {
    const candidate = path + extension;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new ModuleNotFoundError(
    `cannot find module "${specifier}" from ${fromDir}: no file ${path} (tried the extensions ${EXTENSIONS.filter(Boolean).join(", ")})`,
  );
}

function resolvePackage(specifier: string, fromDir: string): string {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join("/")}` : ".";

  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const packageDir = join(dir, "node_modules", name);
    const manifestPath = join(packageDir, "package.json");
    if (existsSync(manifestPath)) return resolveInPackage(packageDir, manifestPath, subpath, specifier);
    if (dirname(dir) === dir) break;
  }
  throw new ModuleNotFoundError(
    `cannot find package "${name}" from ${fromDir}: no node_modules/${name} in that folder or its parents. Install it with "npm install ${name}" next to the notebook.`,
  );
}

function resolveInPackage(packageDir: string, manifestPath: string, subpath: string, specifier: string): string {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  if (manifest.exports !== undefined) {
    const target = matchExports(manifest.exports, subpath);
    if (target === undefined) {
      throw new ModuleNotFoundError(`package ${packageDir} does not export "${subpath}" for import (requested as "${specifier}")`);
    }
    return join(packageDir, target);
  }
  if (subpath !== ".") return resolveFile(join(packageDir, subpath), specifier, packageDir);
  const main = typeof manifest.module === "string" && manifest.type === "module" ? manifest.module : manifest.main;
  return resolveFile(join(packageDir, typeof main === "string" ? main : "index.js"), specifier, packageDir);
}

function matchExports(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === "string" || Array.isArray(exports)) return subpath === "." ? pickTarget(exports) : undefined;
  if (typeof exports !== "object" || exports === null) return undefined;
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  if (!keys.some((key) => key.startsWith("."))) return subpath === "." ? pickTarget(map) : undefined;

  if (subpath in map) return pickTarget(map[subpath]);
  for (const key of keys) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const match = subpath.slice(prefix.length, subpath.length - suffix.length);
      return pickTarget(map[key])?.replaceAll("*", match);
    }
  }
  return undefined;
}

function pickTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const entry of target) {
      const picked = pickTarget(entry);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  if (typeof target !== "object" || target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (CONDITIONS.includes(condition)) {
      const picked = pickTarget(value);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}
