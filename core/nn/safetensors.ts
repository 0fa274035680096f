import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type DType, type TypedArray, allocate } from "../tensor/dtype.js";
import { InvalidArgumentError } from "../tensor/errors.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name
 * to { dtype, shape, data_offsets } (and an optional "__metadata__" of strings), then the raw
 * little-endian tensor bytes. PyTorch's float16/bfloat16 load as float32, int64 as int32.
 */

const WRITE_CODES: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Serializes named tensors (a state dict) to safetensors bytes. */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!(tensor instanceof Tensor)) throw new InvalidArgumentError(`serializeSafetensors: "${name}" is not a tensor.`);
    const data = tensor.dataSync();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: WRITE_CODES[tensor.dtype], shape: [...tensor.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}

/** Parses safetensors bytes into named tensors and the metadata. */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors data"): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`loadSafetensors: ${source} is not a valid safetensors file: ${reason}.`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`the header length ${headerLength} runs past the end of the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail(`the header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, Tensor> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = raw as HeaderEntry;
    if (!entry || !Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) fail(`the entry "${name}" lacks shape or data_offsets`);
    const [begin, end] = entry.data_offsets;
    if (!(begin >= 0 && end >= begin && dataStart + end <= bytes.length)) fail(`the data of "${name}" runs past the end of the file`);
    const count = entry.shape.reduce((p, d) => p * d, 1);
    tensors[name] = decode(name, entry.dtype, bytes.subarray(dataStart + begin, dataStart + end), entry.shape, count, fail);
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}

function decode(name: string, code: string, raw: Uint8Array, shape: number[], count: number, fail: (reason: string) => never): Tensor {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const sizes: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
  const size = sizes[code];
  if (size === undefined) fail(`"${name}" has dtype ${code}, which paramlab cannot load (supported: ${Object.keys(sizes).join(", ")})`);
  if (raw.length !== count * size) fail(`"${name}" has ${raw.length} bytes, but shape [${shape.join(", ")}] of ${code} needs ${count * size}`);
  let dtype: DType = "int32";
  if (code === "F64") dtype = "float64";
  else if (code === "BOOL") dtype = "bool";
  else if (code.startsWith("F") || code === "BF16") dtype = "float32";
  const out: TypedArray = allocate(dtype, count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (code) {
      case "F64": out[i] = view.getFloat64(at, true); break;
      case "F32": out[i] = view.getFloat32(at, true); break;
      case "F16": out[i] = halfToFloat(view.getUint16(at, true)); break;
      case "BF16": out[i] = new Float32Array(new Uint32Array([view.getUint16(at, true) << 16]).buffer)[0]; break;
      case "I64": {
        const value = view.getBigInt64(at, true);
        if (value > 2147483647n || value < -2147483648n) fail(`"${name}" holds the int64 value ${value}, outside the int32 range`);
        out[i] = Number(value);
        break;
      }
      case "I32": out[i] = view.getInt32(at, true); break;
      case "I16": out[i] = view.getInt16(at, true); break;
      case "I8": out[i] = view.getInt8(at); break;
      default: out[i] = view.getUint8(at);
    }
  }
  return new Tensor(new Storage(out), shape);
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Returns the Node.js error code ("ENOENT", ...) of a file-system error, or undefined. */
function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Writes named tensors to `path` atomically (a temporary file, then a rename). */
export async function saveSafetensors(tensors: Record<string, Tensor>, path: string, metadata: Record<string, string> = {}): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const bytes = serializeSafetensors(tensors, metadata);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    if (errorCode(error) === "ENOENT") {
      throw new InvalidArgumentError(`saveSafetensors: cannot write ${path} because the folder ${dirname(resolve(path))} does not exist. Create it first, for example with fs.mkdirSync(folder, { recursive: true }).`);
    }
    throw error;
  }
}

/** Reads named tensors from a safetensors file, ready for `module.loadStateDict`. */
export async function loadSafetensors(path: string): Promise<Record<string, Tensor>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") throw new InvalidArgumentError(`loadSafetensors: file not found: ${path} (resolved to ${resolve(path)}). Check the path and the working directory.`);
    if (errorCode(error) === "EISDIR") throw new InvalidArgumentError(`loadSafetensors: ${path} is a folder; expected a .safetensors file.`);
    throw error;
  }
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path).tensors;
}
