/**
 * A minimal PNG encoder for the digest's charts: 8-bit RGBA, no interlacing, compressed with zlib. Pure
 * TypeScript over `node:zlib` (a deterministic in-memory transform, not I/O), so the email needs no native
 * image library and the same pixels always give the same bytes.
 */
import { deflateSync } from 'node:zlib';

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** An RGBA image: `pixels` holds `width * height * 4` bytes, row by row from the top left. */
export interface RgbaImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Encodes an RGBA image as a PNG file. */
export function encodePng(image: RgbaImage): Uint8Array {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`bad image size ${width}×${height}`);
  }
  if (pixels.length !== width * height * 4) {
    throw new RangeError(`expected ${width * height * 4} bytes of RGBA, got ${pixels.length}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: truecolour with alpha
  // header[10..12]: deflate compression, adaptive filtering, no interlace (all zero).
  return concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filterRows(image), { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Prefixes every row with a filter byte. Charts are mostly flat colour, so the "Sub" filter (each byte minus
 * the byte one pixel to the left) turns rows into long runs of zeros that deflate to almost nothing.
 */
function filterRows({ width, height, pixels }: RgbaImage): Uint8Array {
  const stride = width * 4;
  const out = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const target = y * (stride + 1);
    out[target] = 1; // Sub
    for (let x = 0; x < stride; x++) {
      const left = x >= 4 ? (pixels[row + x - 4] as number) : 0;
      out[target + 1 + x] = ((pixels[row + x] as number) - left) & 0xff;
    }
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let index = 0; index < 4; index++) out[4 + index] = type.charCodeAt(index);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG (and zlib) define it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
