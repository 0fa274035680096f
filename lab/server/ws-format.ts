// The two kernel WebSocket formats of Jupyter Server. The default one sends JSON text messages
// with a channel field, and binary ones in the legacy offset format when there are buffers. In
// v1.kernel.websocket.jupyter.org every message is binary: a count and a table of 64-bit
// little-endian offsets, then the channel name, the four JSON parts and the buffers.

export const V1_PROTOCOL = "v1.kernel.websocket.jupyter.org";

/** A message between the WebSocket and the kernel, with its JSON parts still as bytes. */
export interface RawMessage {
  channel: string;
  /** header, parent_header, metadata and content as UTF-8 JSON. */
  parts: [Buffer, Buffer, Buffer, Buffer];
  buffers: Buffer[];
}

export class WsFormatError extends Error {
  override name = "WsFormatError";
}

export function decodeWs(data: Buffer, isBinary: boolean, protocol: string): RawMessage {
  if (protocol === V1_PROTOCOL) return decodeV1(data);
  return isBinary ? decodeLegacyBinary(data) : decodeLegacyJson(data.toString("utf8"), []);
}

export function encodeWs(message: RawMessage, protocol: string): { data: Buffer | string; binary: boolean } {
  if (protocol === V1_PROTOCOL) return { data: encodeV1(message), binary: true };
  const json = legacyJson(message);
  if (message.buffers.length === 0) return { data: json, binary: false };
  return { data: encodeLegacyBinary(Buffer.from(json, "utf8"), message.buffers), binary: true };
}

function decodeV1(data: Buffer): RawMessage {
  if (data.length < 8) throw new WsFormatError(`v1 message of ${data.length} bytes is shorter than its 8-byte offset count`);
  const count = Number(data.readBigUInt64LE(0));
  if (count < 6 || 8 * (count + 1) > data.length) throw new WsFormatError(`v1 message has an invalid offset count ${count}`);
  const offsets = Array.from({ length: count }, (_, index) => Number(data.readBigUInt64LE(8 * (index + 1))));
  for (let index = 1; index < count; index++) {
    if (offsets[index] < offsets[index - 1] || offsets[index] > data.length) {
      throw new WsFormatError(`v1 message offset ${index} (${offsets[index]}) is out of order or past the end`);
    }
  }
  const slices = offsets.slice(0, -1).map((start, index) => data.subarray(start, offsets[index + 1]));
  const [channel, header, parent, metadata, content, ...buffers] = slices;
  return { channel: channel.toString("utf8"), parts: [header, parent, metadata, content], buffers };
}

function encodeV1(message: RawMessage): Buffer {
  const pieces = [Buffer.from(message.channel, "utf8"), ...message.parts, ...message.buffers];
  const count = pieces.length + 1;
  const table = Buffer.alloc(8 * (count + 1));
  table.writeBigUInt64LE(BigInt(count), 0);
  let offset = table.length;
  table.writeBigUInt64LE(BigInt(offset), 8);
  pieces.forEach((piece, index) => {
    offset += piece.length;
    table.writeBigUInt64LE(BigInt(offset), 8 * (index + 2));
  });
  return Buffer.concat([table, ...pieces]);
}

function decodeLegacyJson(text: string, buffers: Buffer[]): RawMessage {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new WsFormatError(`WebSocket message is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || typeof value.channel !== "string") {
    throw new WsFormatError("WebSocket message must be a JSON object with a string channel field");
  }
  const part = (key: string): Buffer => Buffer.from(JSON.stringify(value[key] ?? {}), "utf8");
  return { channel: value.channel, parts: [part("header"), part("parent_header"), part("metadata"), part("content")], buffers };
}

/** Legacy binary: a big-endian uint32 count n, n uint32 offsets, the JSON message, the buffers. */
function decodeLegacyBinary(data: Buffer): RawMessage {
  if (data.length < 4) throw new WsFormatError("binary WebSocket message is shorter than its 4-byte count");
  const count = data.readUInt32BE(0);
  if (count < 1 || 4 * (count + 1) > data.length) throw new WsFormatError(`binary WebSocket message has an invalid count ${count}`);
  const offsets = Array.from({ length: count }, (_, index) => data.readUInt32BE(4 * (index + 1)));
  const slices = offsets.map((start, index) => data.subarray(start, index + 1 < count ? offsets[index + 1] : data.length));
  return decodeLegacyJson(slices[0].toString("utf8"), slices.slice(1));
}

function encodeLegacyBinary(json: Buffer, buffers: Buffer[]): Buffer {
  const pieces = [json, ...buffers];
  const table = Buffer.alloc(4 * (pieces.length + 1));
  table.writeUInt32BE(pieces.length, 0);
  let offset = table.length;
  pieces.forEach((piece, index) => {
    table.writeUInt32BE(offset, 4 * (index + 1));
    offset += piece.length;
  });
  return Buffer.concat([table, ...pieces]);
}

function legacyJson(message: RawMessage): string {
  const [header, parent, metadata, content] = message.parts.map((part) => part.toString("utf8"));
  return `{"channel":${JSON.stringify(message.channel)},"header":${header},"parent_header":${parent},"metadata":${metadata},"content":${content},"buffers":[]}`;
}
