// Unit tests of the wire layer: signing, framing and connection files.
import { describe, expect, it } from "vitest";
import { endpoint, validateConnectionInfo } from "../../kernel/wire/connection.js";
import { decodeMessage, encodeMessage, InvalidMessageError, makeHeader } from "../../kernel/wire/frames.js";
import { Signer } from "../../kernel/wire/signing.js";
import { createHmac } from "node:crypto";

const signer = new Signer("secret-key");

function sampleMessage() {
  return {
    identities: [Buffer.from("client-1")],
    header: makeHeader("execute_request", "session-1"),
    parent_header: {},
    metadata: { m: 1 },
    content: { code: "1 + 1" },
    buffers: [Buffer.from([1, 2, 3])],
  };
}

describe("message framing", () => {
  it("round-trips a signed message", () => {
    const message = sampleMessage();
    const decoded = decodeMessage(encodeMessage(message, signer), signer);

    expect(decoded.identities).toEqual(message.identities);
    expect(decoded.header).toEqual(message.header);
    expect(decoded.content).toEqual(message.content);
    expect(decoded.buffers).toEqual(message.buffers);
  });

  it("signs with HMAC-SHA256 over the four JSON frames", () => {
    const frames = encodeMessage(sampleMessage(), signer);
    const expected = createHmac("sha256", "secret-key");
    for (const frame of frames.slice(3, 7)) expected.update(frame);

    expect(frames[2].toString()).toBe(expected.digest("hex"));
  });

  it("rejects a wrong signature", () => {
    const frames = encodeMessage(sampleMessage(), signer);
    frames[2] = Buffer.from("f".repeat(64));

    expect(() => decodeMessage(frames, signer)).toThrow(InvalidMessageError);
  });

  it("rejects a message signed with another key", () => {
    const frames = encodeMessage(sampleMessage(), new Signer("other-key"));

    expect(() => decodeMessage(frames, signer)).toThrow("signature is invalid");
  });

  it("rejects frames without a delimiter", () => {
    expect(() => decodeMessage([Buffer.from("x")], signer)).toThrow("delimiter");
  });

  it("rejects invalid JSON", () => {
    const unsigned = new Signer("");
    const frames = encodeMessage(sampleMessage(), unsigned);
    frames[6] = Buffer.from("{oops");

    expect(() => decodeMessage(frames, unsigned)).toThrow("not valid JSON");
  });

  it("accepts unsigned messages when the key is empty", () => {
    const unsigned = new Signer("");
    const frames = encodeMessage(sampleMessage(), unsigned);

    expect(frames[2].toString()).toBe("");
    expect(decodeMessage(frames, unsigned).header.msg_type).toBe("execute_request");
  });
});

describe("connection info", () => {
  const valid = { transport: "tcp", ip: "127.0.0.1", shell_port: 1, control_port: 2, iopub_port: 3, stdin_port: 4, hb_port: 5, key: "k" };

  it("builds tcp and ipc endpoints", () => {
    expect(endpoint(validateConnectionInfo(valid), "shell")).toBe("tcp://127.0.0.1:1");
    expect(endpoint(validateConnectionInfo({ ...valid, transport: "ipc", ip: "/tmp/k" }), "hb")).toBe("ipc:///tmp/k-5");
  });

  it("names an invalid port", () => {
    expect(() => validateConnectionInfo({ ...valid, hb_port: "x" })).toThrow('hb_port is "x"');
  });

  it("rejects an unsupported signature scheme", () => {
    expect(() => validateConnectionInfo({ ...valid, signature_scheme: "hmac-md5" })).toThrow("hmac-sha256");
  });

  it("rejects an unknown transport", () => {
    expect(() => validateConnectionInfo({ ...valid, transport: "udp" })).toThrow('transport is "udp"');
  });
});
