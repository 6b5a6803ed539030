/**
 * Byte-level building blocks of the stored encodings: unsigned and zigzag varints (exact up to 2^53, what a
 * JavaScript number holds), 64-bit unsigned decimal ids as eight bytes, and length-prefixed UTF-8 JSON.
 * Numbers as varints take two to four bytes where their decimal text takes five to eight, and leave the
 * compressor only the text that really is text.
 */

/** Appends to a growing buffer. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  /** The bytes written so far. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A non-negative integer up to 2^53, seven bits a byte, low bits first. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`not a non-negative safe integer: ${value}`);
    }
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  /** Any safe integer: small magnitudes of either sign stay short (0, -1, 1, -2 … → 0, 1, 2, 3 …). */
  zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** A decimal id that {@link isU64Decimal} accepts, as eight bytes, little-endian. */
  u64Decimal(id: string): void {
    let value = BigInt(id);
    for (let index = 0; index < 8; index++) {
      this.byte(Number(value & 0xffn));
      value >>= 8n;
    }
  }

  /** A value as length-prefixed UTF-8 JSON. */
  json(value: unknown): void {
    const bytes = Buffer.from(JSON.stringify(value), 'utf8');
    this.varint(bytes.length);
    this.raw(bytes);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/** Reads what a {@link ByteWriter} wrote, in the same order; running past the end throws. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  byte(): number {
    if (this.offset >= this.buffer.length) throw new RangeError('encoded body ends early');
    return this.buffer[this.offset++] as number;
  }

  raw(length: number): Uint8Array {
    if (this.offset + length > this.buffer.length) throw new RangeError('encoded body ends early');
    const bytes = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const next = this.byte();
      value += (next & 0x7f) * scale;
      if (next < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('varint too long');
    }
    // The writer takes safe integers only: anything larger is a damaged body, not a count.
    if (value > Number.MAX_SAFE_INTEGER) throw new RangeError('varint beyond 2^53');
    return value;
  }

  /** `count` varints in a row (a column). */
  varints(count: number): number[] {
    const values = new Array<number>(count);
    for (let index = 0; index < count; index++) values[index] = this.varint();
    return values;
  }

  zigzag(): number {
    const value = this.varint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** `count` ids written by {@link ByteWriter.u64Decimal} in a row (a column), read in one view. */
  u64Decimals(count: number): string[] {
    const bytes = this.raw(8 * count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const ids = new Array<string>(count);
    for (let index = 0; index < count; index++) {
      ids[index] = view.getBigUint64(8 * index, true).toString();
    }
    return ids;
  }

  json(): unknown {
    const bytes = this.raw(this.varint());
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  }
}

/** A canonical decimal below 2^64 (no sign, no leading zero): what TikTok's video ids are. */
export function isU64Decimal(id: string): boolean {
  return /^(0|[1-9]\d{0,19})$/.test(id) && BigInt(id) < 2n ** 64n;
}
