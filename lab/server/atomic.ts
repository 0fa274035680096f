// Atomic file writes: the bytes go to a temporary file in the same folder, then a rename puts
// them in place, so a crash mid-save leaves either the old file or the new one.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Bytes written per call, so that a large save is many writes rather than one. */
const CHUNK_BYTES = 64 * 1024;

/** The prefix of temporary save files; the contents listing hides them with other dotfiles. */
export const TEMP_PREFIX = ".~paramlab-";

export async function writeFileAtomic(path: string, data: Buffer | string, mode = 0o644): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const temp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      await handle.write(bytes, offset, Math.min(CHUNK_BYTES, bytes.length - offset));
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
