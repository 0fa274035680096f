// The kernel WebSocket formats: v1 binary frames, JSON text, legacy binary buffers, bad input.
import { describe, expect, it } from "vitest";
import { decodeWs, encodeWs, V1_PROTOCOL, WsFormatError, type RawMessage } from "../../lab/server/ws-format.js";

function sample(buffers: Buffer[] = []): RawMessage {
  const json = [{ msg_id: "m1", msg_type: "execute_request" }, {}, { tag: "é" }, { code: "1 + 1" }];
  return { channel: "shell", parts: json.map((part) => Buffer.from(JSON.stringify(part))) as RawMessage["parts"], buffers };
}

function decoded(message: RawMessage): unknown[] {
  return [message.channel, ...message.parts.map((part) => JSON.parse(part.toString("utf8")) as unknown), ...message.buffers.map((buffer) => buffer.toString("hex"))];
}

describe("kernel WebSocket formats", () => {
  it("round-trips v1 messages with buffers", () => {
    const message = sample([Buffer.from([1, 2, 3]), Buffer.alloc(0)]);
    const { data, binary } = encodeWs(message, V1_PROTOCOL);
    expect(binary).toBe(true);
    const buffer = data as Buffer;
    expect(Number(buffer.readBigUInt64LE(0))).toBe(8);
    expect(decoded(decodeWs(buffer, true, V1_PROTOCOL))).toEqual(decoded(message));
  });

  it("round-trips JSON text and legacy binary", () => {
    const plain = encodeWs(sample(), "");
    expect(plain.binary).toBe(false);
    expect(JSON.parse(plain.data as string)).toMatchObject({ channel: "shell", content: { code: "1 + 1" } });
    expect(decoded(decodeWs(Buffer.from(plain.data as string), false, ""))).toEqual(decoded(sample()));

    const withBuffers = sample([Buffer.from("ff00", "hex")]);
    const binary = encodeWs(withBuffers, "");
    expect(binary.binary).toBe(true);
    expect(decoded(decodeWs(binary.data as Buffer, true, ""))).toEqual(decoded(withBuffers));
  });

  it("rejects malformed messages with a reason", () => {
    const cases: Array<[Buffer, boolean, string, RegExp]> = [
      [Buffer.from("not json"), false, "", /not valid JSON/],
      [Buffer.from('{"header": {}}'), false, "", /string channel field/],
      [Buffer.from([1, 2, 3]), true, V1_PROTOCOL, /shorter than its 8-byte offset count/],
      [Buffer.alloc(16), true, V1_PROTOCOL, /invalid offset count 0/],
      [Buffer.from([0, 0, 0, 9]), true, "", /invalid count 9/],
    ];
    for (const [data, isBinary, protocol, pattern] of cases) {
      expect(() => decodeWs(data, isBinary, protocol), pattern.source).toThrow(WsFormatError);
      expect(() => decodeWs(data, isBinary, protocol), pattern.source).toThrow(pattern);
    }
    const truncated = (encodeWs(sample(), V1_PROTOCOL).data as Buffer).subarray(0, 80);
    expect(() => decodeWs(truncated, true, V1_PROTOCOL)).toThrow(/out of order or past the end/);
  });
});
