import { randomUUID } from "node:crypto";
import type { Signer } from "./signing.js";
import { PROTOCOL_VERSION, type Header, type Message } from "./types.js";

const DELIMITER = "<IDS|MSG>";

export class InvalidMessageError extends Error {
  override name = "InvalidMessageError";
}

/** Encodes a message as ZeroMQ frames: identities, delimiter, signature, four JSON frames, buffers. */
export function encodeMessage(message: Message<unknown>, signer: Signer): Buffer[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [...message.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(json)), ...json, ...message.buffers];
}

/**
 * Decodes received frames. Throws InvalidMessageError when the delimiter or a JSON frame is
 * missing or malformed, or when the signature does not match.
 */
export function decodeMessage(frames: Buffer[], signer: Signer): Message {
  const split = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString() === DELIMITER);
  if (split < 0) throw new InvalidMessageError("message has no <IDS|MSG> delimiter frame");
  if (frames.length < split + 6) {
    throw new InvalidMessageError(`message has ${frames.length - split - 1} frames after the delimiter, expected at least 5`);
  }
  const signature = frames[split + 1].toString();
  const json = frames.slice(split + 2, split + 6);
  if (!signer.verify(signature, json)) throw new InvalidMessageError("message signature is invalid");

  const [header, parent, metadata, content] = json.map((frame, index) => {
    try {
      return JSON.parse(frame.toString("utf8")) as unknown;
    } catch {
      throw new InvalidMessageError(`JSON frame ${index} of the message is not valid JSON`);
    }
  });
  if (!isObject(header) || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    throw new InvalidMessageError("message header lacks a string msg_type or msg_id");
  }
  return {
    identities: frames.slice(0, split),
    header: header as unknown as Header,
    parent_header: (isObject(parent) ? parent : {}) as Partial<Header>,
    metadata: isObject(metadata) ? metadata : {},
    content: isObject(content) ? content : {},
    buffers: frames.slice(split + 6),
  };
}

export function makeHeader(msgType: string, session: string, username = "paramlab"): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
