/**
 * The header of an LLVM raw profile (`.profraw`), as compiler-rt's InstrProfilingWriter.c writes
 * it: the magic (INSTR_PROF_RAW_MAGIC_64 / _32, in the writer's byte order) then the raw version,
 * whose low 32 bits are the version and upper bits variant flags (InstrProfData.inc). Pure.
 */
import { stripAnsi } from '../protocol/ansi';

export type ProfrawMagic = 'raw-64' | 'raw-32' | 'raw-64-swapped' | 'raw-32-swapped' | 'unknown';

export interface ProfrawHeader {
  magic: ProfrawMagic;
  /** The raw profile version (GET_VERSION), null when the magic is unknown or the file too short. */
  rawVersion: number | null;
}

/** 255 << 56 | 'l' << 48 | 'p' << 40 | 'r' << 32 | 'o' << 24 | 'f' << 16 | 'r' << 8 | 129 */
const MAGIC_64 = 0xff6c70726f667281n;
/** The same with 'R' for 32-bit writers. */
const MAGIC_32 = 0xff6c70726f665281n;
const VERSION_MASK = 0xffffffffn;
export const HEADER_BYTES = 16;

function swap64(value: bigint): bigint {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(value);
  return buffer.readBigUInt64BE();
}

export function parseProfrawHeader(bytes: Uint8Array): ProfrawHeader {
  if (bytes.length < 8) return { magic: 'unknown', rawVersion: null };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = buffer.readBigUInt64LE(0);
  const forms: Array<[bigint, ProfrawMagic, boolean]> = [
    [MAGIC_64, 'raw-64', true],
    [MAGIC_32, 'raw-32', true],
    [swap64(MAGIC_64), 'raw-64-swapped', false],
    [swap64(MAGIC_32), 'raw-32-swapped', false],
  ];
  const form = forms.find(([magic]) => magic === magicLe);
  if (form === undefined) return { magic: 'unknown', rawVersion: null };
  const [, magic, little] = form;
  if (bytes.length < HEADER_BYTES) return { magic, rawVersion: null };
  const version = little ? buffer.readBigUInt64LE(8) : buffer.readBigUInt64BE(8);
  return { magic, rawVersion: Number(version & VERSION_MASK) };
}

/** What the program printed is untrusted: the runtime's lines, escapes and control bytes removed, bounded. */
export const RUNTIME_MESSAGE_MARK = 'LLVM Profile Error';
const MAX_MESSAGES = 20;
const MAX_MESSAGE_CHARS = 300;

export function runtimeMessages(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const raw of text.split(/\r?\n|\r/)) {
      // C0 controls and DEL go; the text stays readable.
      const line = stripAnsi(raw)
        .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '')
        .trim();
      const at = line.indexOf(RUNTIME_MESSAGE_MARK);
      if (at === -1) continue;
      const message = line.slice(at);
      found.push(message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}...` : message);
      if (found.length === MAX_MESSAGES) return found;
    }
  }
  return found;
}
