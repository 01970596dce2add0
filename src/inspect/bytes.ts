/**
 * Reading binary files without loading them whole: a ByteSource reads ranges (a file through its
 * descriptor, a slice of one for an archive member, a Buffer in unit tests), and a Cursor decodes
 * little- or big-endian fields from a Buffer with bounds checks. Every out-of-range read becomes
 * an InspectReadError naming what was being read, never a RangeError.
 */
import * as fs from 'node:fs';

/** The file cannot be read as what it claims to be (truncated, bad magic, unsupported form). */
export class InspectReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InspectReadError';
  }
}

export function isInspectReadError(value: unknown): value is InspectReadError {
  return value instanceof InspectReadError;
}

/** A section bigger than this is not read (the answer would need more memory than is sane). */
export const MAX_READ = 512 << 20;

export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`, or an InspectReadError saying `what` was cut short. */
  read(offset: number, length: number, what: string): Buffer;
}

function checkRange(size: number, offset: number, length: number, what: string): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new InspectReadError(
      `truncated file: ${what} (${length} bytes at offset ${offset}) ends past the end of the file (${size} bytes)`,
    );
  }
  if (length > MAX_READ)
    throw new InspectReadError(`${what} is ${length} bytes: more than the ${MAX_READ >> 20} MB inspect reads at once`);
}

export class BufferSource implements ByteSource {
  constructor(private readonly bytes: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, length: number, what: string): Buffer {
    checkRange(this.bytes.length, offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A file read through one descriptor; close() when done. */
export class FileSource implements ByteSource {
  readonly size: number;
  private constructor(
    private readonly fd: number,
    size: number,
  ) {
    this.size = size;
  }
  static open(file: string): FileSource {
    const fd = fs.openSync(file, 'r');
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new InspectReadError(`${file} is not a regular file`);
      return new FileSource(fd, stat.size);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }
  read(offset: number, length: number, what: string): Buffer {
    checkRange(this.size, offset, length, what);
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new InspectReadError(`truncated file: ${what} could not be read whole (the file shrank?)`);
      done += n;
    }
    return out;
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

/** A range of another source: an archive member, a slice of a universal binary. */
export class SliceSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly start: number,
    readonly size: number,
  ) {
    checkRange(parent.size, start, size, 'the member');
  }
  read(offset: number, length: number, what: string): Buffer {
    checkRange(this.size, offset, length, what);
    return this.parent.read(this.start + offset, length, what);
  }
}

/** Sequential decoding of a Buffer; every read is bounds-checked. */
export class Cursor {
  offset: number;
  constructor(
    readonly bytes: Buffer,
    readonly little: boolean,
    offset = 0,
    private readonly what = 'data',
  ) {
    this.offset = offset;
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  private need(n: number): number {
    if (this.offset + n > this.bytes.length || this.offset < 0) {
      throw new InspectReadError(
        `truncated ${this.what}: needed ${n} bytes at offset ${this.offset} of ${this.bytes.length}`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
  skip(n: number): void {
    this.need(n);
  }
  u8(): number {
    return this.bytes[this.need(1)];
  }
  u16(): number {
    const at = this.need(2);
    return this.little ? this.bytes.readUInt16LE(at) : this.bytes.readUInt16BE(at);
  }
  u32(): number {
    const at = this.need(4);
    return this.little ? this.bytes.readUInt32LE(at) : this.bytes.readUInt32BE(at);
  }
  u64big(): bigint {
    const at = this.need(8);
    return this.little ? this.bytes.readBigUInt64LE(at) : this.bytes.readBigUInt64BE(at);
  }
  /** A u64 that must fit a JS number (offsets, sizes, addresses of real files). */
  u64(): number {
    return toSafe(this.u64big(), this.what);
  }
  /** A pointer-sized unsigned value. */
  addr(size: number): number {
    return size === 8 ? this.u64() : size === 4 ? this.u32() : size === 2 ? this.u16() : this.u8();
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new InspectReadError(`bad LEB128 number in ${this.what} at offset ${this.offset}`);
    }
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - scale : result;
      if (scale > 2 ** 63) throw new InspectReadError(`bad LEB128 number in ${this.what} at offset ${this.offset}`);
    }
  }
  /** A NUL-terminated string (UTF-8, invalid bytes replaced). */
  cstr(): string {
    const end = this.bytes.indexOf(0, this.offset);
    if (end < 0) throw new InspectReadError(`unterminated string in ${this.what} at offset ${this.offset}`);
    const text = this.bytes.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }
  /** A fixed-size, NUL-padded name (Mach-O segment and section names). */
  fixedName(size: number): string {
    const at = this.need(size);
    const raw = this.bytes.subarray(at, at + size);
    const end = raw.indexOf(0);
    return raw.toString('latin1', 0, end < 0 ? size : end);
  }
}

export function toSafe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InspectReadError(`value 0x${value.toString(16)} in ${what} is too large for a file offset or size`);
  return Number(value);
}

/** A NUL-terminated string at `offset` of a string table, or null when out of range. */
export function tableString(table: Buffer, offset: number): string | null {
  if (offset < 0 || offset >= table.length) return null;
  const end = table.indexOf(0, offset);
  return table.toString('utf8', offset, end < 0 ? table.length : end);
}
