// The Jupyter Server contents API over the lab's root folder: models, saves, renames, deletes.
import type { Stats } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { HttpError } from "./http.js";
import { checkNotebookShape, detectStyle, emptyNotebook, formatJson, NBFORMAT_STYLE, parseNotebook } from "./notebook-format.js";
import type { RootFolder } from "./paths.js";
import type { TrustStore } from "./trust.js";

export type ContentType = "notebook" | "file" | "directory";

/** A contents model as Jupyter Server returns it, plus `trusted` for notebooks. */
export interface ContentsModel {
  name: string;
  path: string;
  type: ContentType;
  writable: boolean;
  created: string;
  last_modified: string;
  mimetype: string | null;
  content: unknown;
  format: "json" | "text" | "base64" | null;
  size: number | null;
  trusted?: boolean;
}

export interface GetOptions {
  content: boolean;
  type?: ContentType;
  format?: "text" | "base64";
}

const MIME_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".ts": "text/typescript",
  ".js": "text/javascript",
  ".csv": "text/csv",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".html": "text/html",
};

export class Contents {
  constructor(
    readonly folder: RootFolder,
    private readonly trust: TrustStore,
  ) {}

  async get(apiPath: string, options: GetOptions): Promise<ContentsModel> {
    const file = this.folder.resolve(apiPath);
    const stats = await statOrNotFound(file, apiPath);
    const path = this.folder.apiPath(file);
    if (stats.isDirectory()) {
      if (options.type !== undefined && options.type !== "directory") throw new HttpError(400, `${path} is a directory, not a ${options.type}`);
      const model = baseModel(path, "directory", stats);
      if (options.content) {
        model.content = await this.list(file);
        model.format = "json";
      }
      return model;
    }
    if (options.type === "directory") throw new HttpError(400, `${path} is a file, not a directory`);
    const asNotebook = options.type === "notebook" || (options.type === undefined && path.endsWith(".ipynb"));
    return asNotebook ? this.getNotebook(file, path, stats, options.content) : this.getFile(file, path, stats, options);
  }

  /**
   * Saves a model. With `last_modified` in the model, the save fails with 409 when the file
   * changed on disk after that time, so that the client can offer to reload or overwrite.
   */
  async save(apiPath: string, model: Record<string, unknown>): Promise<{ model: ContentsModel; created: boolean }> {
    const file = this.folder.resolve(apiPath);
    const path = this.folder.apiPath(file);
    if (path === "") throw new HttpError(400, "cannot save over the root folder");
    const type = model.type;
    if (type !== "notebook" && type !== "file" && type !== "directory") {
      throw new HttpError(400, `model type ${JSON.stringify(type)} is invalid: expected "notebook", "file" or "directory"`);
    }
    const existing = await stat(file).catch(() => undefined);
    if (type === "directory") {
      await mkdir(file, { recursive: true });
      return { model: await this.get(path, { content: false }), created: existing === undefined };
    }
    if (existing?.isDirectory()) throw new HttpError(400, `${path} is a directory; cannot save a ${type} over it`);
    checkConflict(existing, model.last_modified, path);
    await stat(dirname(file)).catch(() => {
      throw new HttpError(404, `folder of ${path} does not exist`);
    });

    const bytes = type === "notebook" ? await this.notebookBytes(file, path, model.content, existing !== undefined) : fileBytes(model, path);
    await writeFileAtomic(file, bytes);
    if (type === "notebook") await this.trust.trust(bytes);
    return { model: await this.get(path, { content: false, type }), created: existing === undefined };
  }

  /** Creates an untitled notebook, file or folder in `dirPath`, or a copy of `copyFrom`. */
  async create(dirPath: string, body: Record<string, unknown>): Promise<ContentsModel> {
    const dir = this.folder.resolve(dirPath);
    const dirStats = await statOrNotFound(dir, dirPath);
    if (!dirStats.isDirectory()) throw new HttpError(400, `${dirPath} is not a folder`);
    if (typeof body.copy_from === "string") {
      const source = this.folder.resolve(body.copy_from);
      await statOrNotFound(source, body.copy_from);
      const ext = extname(source);
      const target = await freeName(dir, `${basename(source, ext)}-Copy`, ext);
      await copyFile(source, target);
      return this.get(this.folder.apiPath(target), { content: false });
    }
    const type = body.type ?? "file";
    if (type === "directory") {
      const target = await freeName(dir, "Untitled Folder", "");
      await mkdir(target);
      return this.get(this.folder.apiPath(target), { content: false });
    }
    if (type === "notebook") {
      const target = await freeName(dir, "Untitled", ".ipynb");
      await writeFileAtomic(target, formatJson(emptyNotebook(), NBFORMAT_STYLE));
      return this.get(this.folder.apiPath(target), { content: false });
    }
    if (type !== "file") throw new HttpError(400, `type ${JSON.stringify(type)} is invalid: expected "notebook", "file" or "directory"`);
    const ext = typeof body.ext === "string" && /^\.[\w.-]*$/.test(body.ext) ? body.ext : ".txt";
    const target = await freeName(dir, "untitled", ext);
    await writeFileAtomic(target, "");
    return this.get(this.folder.apiPath(target), { content: false });
  }

  async rename(apiPath: string, newPath: unknown): Promise<ContentsModel> {
    if (typeof newPath !== "string") throw new HttpError(400, 'rename needs a JSON body { "path": "new/path" }');
    const source = this.folder.resolve(apiPath);
    const target = this.folder.resolve(newPath);
    await statOrNotFound(source, apiPath);
    if (this.folder.apiPath(source) === "") throw new HttpError(400, "cannot rename the root folder");
    if (await stat(target).catch(() => undefined)) throw new HttpError(409, `cannot rename ${apiPath} to ${newPath}: ${newPath} already exists`);
    await rename(source, target);
    return this.get(this.folder.apiPath(target), { content: false });
  }

  async delete(apiPath: string): Promise<void> {
    const file = this.folder.resolve(apiPath);
    await statOrNotFound(file, apiPath);
    if (this.folder.apiPath(file) === "") throw new HttpError(400, "cannot delete the root folder");
    await rm(file, { recursive: true });
  }

  private async list(dir: string): Promise<ContentsModel[]> {
    const models: ContentsModel[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const path = this.folder.apiPath(join(dir, entry.name));
      try {
        this.folder.resolve(path);
        models.push(await this.get(path, { content: false }));
      } catch {
        // Symlinks that lead outside the root and entries that vanished are left out.
      }
    }
    return models.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async getNotebook(file: string, path: string, stats: Stats, content: boolean): Promise<ContentsModel> {
    const model = baseModel(path, "notebook", stats);
    if (!content) return model;
    const bytes = await readFile(file);
    model.content = parseNotebook(bytes.toString("utf8"), path);
    model.format = "json";
    model.trusted = this.trust.isTrusted(bytes);
    return model;
  }

  private async getFile(file: string, path: string, stats: Stats, options: GetOptions): Promise<ContentsModel> {
    const model = baseModel(path, "file", stats);
    model.mimetype = MIME_TYPES[extname(path).toLowerCase()] ?? "text/plain";
    if (!options.content) return model;
    const bytes = await readFile(file);
    const text = options.format === "base64" ? undefined : decodeUtf8(bytes);
    if (options.format === "text" && text === undefined) throw new HttpError(400, `${path} is not UTF-8 text; request format=base64`);
    if (text === undefined) {
      model.content = bytes.toString("base64");
      model.format = "base64";
      model.mimetype = MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
    } else {
      model.content = text;
      model.format = "text";
    }
    return model;
  }

  /**
   * Serializes a notebook in the layout of the file it replaces. When the content equals the
   * file's, the file's own bytes are kept, so an unedited save changes nothing even where
   * JavaScript would write a number differently (Python writes 1.0, JavaScript 1).
   */
  private async notebookBytes(file: string, path: string, content: unknown, exists: boolean): Promise<Buffer> {
    checkNotebookShape(content, path);
    if (!exists) return Buffer.from(formatJson(content, NBFORMAT_STYLE), "utf8");
    const previous = await readFile(file, "utf8");
    if (sameJson(parseOrUndefined(previous), content)) return Buffer.from(previous, "utf8");
    return Buffer.from(formatJson(content, detectStyle(previous)), "utf8");
  }
}

function baseModel(path: string, type: ContentType, stats: Stats): ContentsModel {
  return {
    name: basename(path),
    path,
    type,
    writable: true,
    created: stats.birthtime.toISOString(),
    last_modified: stats.mtime.toISOString(),
    mimetype: null,
    content: null,
    format: null,
    size: type === "directory" ? null : stats.size,
  };
}

function checkConflict(existing: Stats | undefined, lastModified: unknown, path: string): void {
  if (existing === undefined || typeof lastModified !== "string") return;
  const expected = Date.parse(lastModified);
  if (Number.isNaN(expected)) throw new HttpError(400, `last_modified ${JSON.stringify(lastModified)} is not an ISO 8601 date`);
  if (Math.floor(existing.mtimeMs) > expected) {
    throw new HttpError(
      409,
      `${path} changed on disk at ${existing.mtime.toISOString()}, after this copy was loaded (${lastModified}). ` +
        "Reload it, or save again without last_modified to overwrite it.",
    );
  }
}

function fileBytes(model: Record<string, unknown>, path: string): Buffer {
  if (typeof model.content !== "string") throw new HttpError(400, `saving ${path} needs a string content`);
  if (model.format === "base64") return Buffer.from(model.content, "base64");
  if (model.format === undefined || model.format === "text") return Buffer.from(model.content, "utf8");
  throw new HttpError(400, `format ${JSON.stringify(model.format)} is invalid for a file: expected "text" or "base64"`);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Compares two JSON values structurally; object key order does not matter. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => key in right && sameJson(left[key], right[key]));
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

async function statOrNotFound(file: string, apiPath: string): Promise<Stats> {
  try {
    return await stat(file);
  } catch {
    throw new HttpError(404, `${apiPath || "/"} was not found in the lab's root folder`);
  }
}

async function freeName(dir: string, stem: string, ext: string): Promise<string> {
  for (let index = 0; ; index++) {
    const candidate = join(dir, `${stem}${index === 0 ? "" : index}${ext}`);
    if ((await stat(candidate).catch(() => undefined)) === undefined) return candidate;
  }
}
