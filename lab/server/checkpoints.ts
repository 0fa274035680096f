// One checkpoint per file, kept as Jupyter keeps it: .ipynb_checkpoints/NAME-checkpoint.EXT
// next to the file.
import { copyFile, mkdir, readFile, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { HttpError } from "./http.js";
import type { RootFolder } from "./paths.js";

export interface CheckpointModel {
  id: string;
  last_modified: string;
}

const CHECKPOINT_ID = "checkpoint";

export class Checkpoints {
  constructor(private readonly folder: RootFolder) {}

  async list(apiPath: string): Promise<CheckpointModel[]> {
    const file = await this.sourceFile(apiPath);
    const stats = await stat(checkpointFile(file)).catch(() => undefined);
    return stats === undefined ? [] : [{ id: CHECKPOINT_ID, last_modified: stats.mtime.toISOString() }];
  }

  async create(apiPath: string): Promise<CheckpointModel> {
    const file = await this.sourceFile(apiPath);
    const target = checkpointFile(file);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
    const stats = await stat(target);
    return { id: CHECKPOINT_ID, last_modified: stats.mtime.toISOString() };
  }

  async restore(apiPath: string, id: string): Promise<void> {
    const file = await this.sourceFile(apiPath);
    const source = await this.existing(file, apiPath, id);
    await writeFileAtomic(file, await readFile(source));
  }

  async delete(apiPath: string, id: string): Promise<void> {
    const file = await this.sourceFile(apiPath);
    await rm(await this.existing(file, apiPath, id));
  }

  private async sourceFile(apiPath: string): Promise<string> {
    const file = this.folder.resolve(apiPath);
    const stats = await stat(file).catch(() => undefined);
    if (stats === undefined || !stats.isFile()) throw new HttpError(404, `${apiPath} was not found or is not a file`);
    return file;
  }

  private async existing(file: string, apiPath: string, id: string): Promise<string> {
    const checkpoint = checkpointFile(file);
    if (id !== CHECKPOINT_ID || (await stat(checkpoint).catch(() => undefined)) === undefined) {
      throw new HttpError(404, `checkpoint ${JSON.stringify(id)} of ${apiPath} was not found`);
    }
    return checkpoint;
  }
}

function checkpointFile(file: string): string {
  const ext = extname(file);
  return join(dirname(file), ".ipynb_checkpoints", `${basename(file, ext)}-checkpoint${ext}`);
}
