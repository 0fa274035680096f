// Maps API paths to files inside the lab's root folder, so that ".." and symlinks cannot leave it.
import { lstatSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { HttpError } from "./http.js";

/** Resolves API paths ("a/b.ipynb", "/" separated, relative to the root) to confined file paths. */
export class RootFolder {
  /** The root's real path, with symlinks resolved. */
  readonly root: string;

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** Normalizes an API path: strips slashes, rejects "..", "." segments, backslashes and NUL. */
  normalize(apiPath: string): string {
    const trimmed = apiPath.replace(/^\/+|\/+$/g, "");
    if (trimmed === "") return "";
    if (trimmed.includes("\0") || trimmed.includes("\\")) {
      throw new HttpError(400, `path ${JSON.stringify(apiPath)} is invalid: it contains a NUL or backslash character`);
    }
    const segments = trimmed.split("/");
    for (const segment of segments) {
      if (segment === ".." || segment === "." || segment === "") {
        throw new HttpError(404, `path ${JSON.stringify(apiPath)} is outside the lab's root folder or malformed: use a path relative to the root without "." or ".." segments`);
      }
    }
    return segments.join("/");
  }

  /**
   * Returns the file path for an API path. The deepest existing ancestor (or the file itself)
   * must resolve, through symlinks, to a place inside the root.
   */
  resolve(apiPath: string): string {
    const normalized = this.normalize(apiPath);
    const target = normalized === "" ? this.root : join(this.root, ...normalized.split("/"));
    let existing = target;
    for (;;) {
      try {
        const real = realpathSync(existing);
        if (!this.contains(real)) {
          throw new HttpError(404, `path ${JSON.stringify(apiPath)} leads outside the lab's root folder through a symlink`);
        }
        return target;
      } catch (error) {
        if (error instanceof HttpError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
        if (existing === target && isSymlink(target)) {
          throw new HttpError(404, `path ${JSON.stringify(apiPath)} is a symlink whose target does not exist`);
        }
        const parent = dirname(existing);
        if (parent === existing) return target;
        existing = parent;
      }
    }
  }

  /** Returns the API path of a file path inside the root. */
  apiPath(filePath: string): string {
    return relative(this.root, filePath).split(sep).join("/");
  }

  private contains(real: string): boolean {
    const rel = relative(this.root, real);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
