// Draws the kernelspec logos: a paramlab-blue tile with a white "TS" in a 5x7 pixel font.
import { deflateSync } from "node:zlib";

const GLYPHS: Record<string, string[]> = {
  T: ["11111", "00100", "00100", "00100", "00100", "00100", "00100"],
  S: ["01111", "10000", "10000", "01110", "00001", "00001", "11110"],
};
const BACKGROUND = [0x2f, 0x5d, 0xa8];
const FOREGROUND = [0xff, 0xff, 0xff];

/** Returns a PNG of `size` by `size` pixels. */
export function logoPng(size: number): Buffer {
  const scale = Math.max(1, Math.floor(size / 16));
  const textWidth = 11 * scale;
  const left = Math.floor((size - textWidth) / 2);
  const top = Math.floor((size - 7 * scale) / 2);
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const color = isText(x - left, y - top, scale) ? FOREGROUND : BACKGROUND;
      row.set(color, 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function logoSvg(): string {
  const [r, g, b] = BACKGROUND;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="8" fill="rgb(${r},${g},${b})"/><text x="32" y="42" font-family="sans-serif" font-size="28" font-weight="bold" fill="#fff" text-anchor="middle">TS</text></svg>\n`;
}

function isText(x: number, y: number, scale: number): boolean {
  if (x < 0 || y < 0) return false;
  const column = Math.floor(x / scale);
  const row = Math.floor(y / scale);
  if (row >= 7) return false;
  if (column < 5) return GLYPHS.T[row][column] === "1";
  if (column >= 6 && column < 11) return GLYPHS.S[row][column - 6] === "1";
  return false;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
