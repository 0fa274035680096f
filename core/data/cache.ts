import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { InvalidArgumentError } from "../tensor/index.js";

/**
 * A checked binary cache file: an 8-byte ASCII magic, the payload length and the CRC-32 of the
 * payload (both uint32, little-endian), then the payload. A file that is missing, truncated, of
 * another format or with a wrong checksum reads as null, so the caller rebuilds it.
 */

const HEADER_BYTES = 16;

/** Reads the payload of the cache file at `path`, or null when it is missing or invalid. */
export async function readCache(path: string, magic: string): Promise<Uint8Array | null> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch {
    return null;
  }
  if (file.length < HEADER_BYTES || file.toString("latin1", 0, 8) !== magic) return null;
  const length = file.readUInt32LE(8);
  const checksum = file.readUInt32LE(12);
  if (file.length !== HEADER_BYTES + length) return null;
  const payload = file.subarray(HEADER_BYTES);
  if (crc32(payload) !== checksum) return null;
  return payload;
}

/**
 * Writes `payload` to the cache file at `path` atomically (a temporary file renamed over it), so a
 * reader never sees a half-written cache. Returns false, leaving no file, when the folder is not writable.
 */
export async function writeCache(path: string, magic: string, payload: Uint8Array): Promise<boolean> {
  if (magic.length !== 8) throw new InvalidArgumentError(`writeCache: magic must have 8 characters, got ${JSON.stringify(magic)}.`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(magic, 0, "latin1");
  header.writeUInt32LE(payload.length, 8);
  header.writeUInt32LE(crc32(payload), 12);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, Buffer.concat([header, payload]));
    await rename(temporary, path);
    return true;
  } catch {
    // The temporary file may not exist, or its folder may not be reachable at all.
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
}

const require = createRequire(import.meta.url);

/** Finds the folder of an installed npm package, resolved from this module as Node resolves imports. */
export function packageDirectory(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Reads the installed version of an npm package. */
export function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/**
 * The default cache folder: `.cache/paramlab` inside the node_modules folder that contains `packageName`,
 * the place build tools conventionally keep caches.
 */
export function defaultCacheDirectory(packageName: string): string {
  let folder = packageDirectory(packageName);
  while (!folder.endsWith("node_modules") && dirname(folder) !== folder) folder = dirname(folder);
  return join(folder, ".cache", "paramlab");
}
