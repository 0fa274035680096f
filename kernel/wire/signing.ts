import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Computes and checks HMAC-SHA256 signatures over the four JSON frames of a message
 * (header, parent_header, metadata, content). An empty key disables signing, as in Jupyter.
 */
export class Signer {
  constructor(private readonly key: string) {}

  sign(frames: Buffer[]): string {
    if (this.key === "") return "";
    const hmac = createHmac("sha256", this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  verify(signature: string, frames: Buffer[]): boolean {
    if (this.key === "") return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const actual = Buffer.from(signature, "utf8");
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
