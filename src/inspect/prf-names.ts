/**
 * __llvm_prf_names: the names of the instrumented functions, and the NameRef each record holds.
 *
 * Layout (LLVM's readAndDecodeStrings, InstrProf.cpp): a sequence of blobs, one per object,
 *   ULEB128 uncompressed size, ULEB128 compressed size (0: not compressed), then the bytes
 *   (zlib when compressed); the names are separated by "\x01" (INSTR_PROF_NAME_SEP); zero bytes
 *   of padding may follow a blob.
 * NameRef = IndexedInstrProf::ComputeHash(name) = MD5Hash(name) = MD5Result::low(): the first 8
 * bytes of the MD5 digest read as a little-endian u64, whatever the target's byte order (the
 * record field itself is stored in the target's order).
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { Cursor, InspectReadError } from './bytes';

const NAME_SEPARATOR = '\x01';
/** A blob claiming more than this is garbage, not names. */
const MAX_BLOB = 256 << 20;

export interface ProfileNames {
  names: string[];
  compressed: boolean;
  /** NameRef -> name. */
  byRef: Map<bigint, string>;
}

export function nameRef(name: string): bigint {
  return createHash('md5').update(name, 'utf8').digest().readBigUInt64LE(0);
}

export function parseProfileNames(bytes: Buffer): ProfileNames {
  const names: string[] = [];
  let compressed = false;
  const c = new Cursor(bytes, true, 0, '__llvm_prf_names');
  while (c.remaining > 0) {
    const plainSize = c.uleb();
    const packedSize = c.uleb();
    const size = packedSize === 0 ? plainSize : packedSize;
    if (size > c.remaining || plainSize > MAX_BLOB) {
      throw new InspectReadError(
        `truncated __llvm_prf_names: a blob of ${size} bytes at offset ${c.offset} but ${c.remaining} bytes left`,
      );
    }
    const blob = bytes.subarray(c.offset, c.offset + size);
    c.skip(size);
    let text: Buffer;
    if (packedSize === 0) {
      text = blob;
    } else {
      compressed = true;
      try {
        text = inflateSync(blob, { maxOutputLength: MAX_BLOB });
      } catch (error) {
        throw new InspectReadError(
          `__llvm_prf_names: a zlib-compressed blob does not inflate (${(error as Error).message})`,
        );
      }
    }
    if (text.length > 0) names.push(...text.toString('utf8').split(NAME_SEPARATOR));
    while (c.remaining > 0 && bytes[c.offset] === 0) c.skip(1);
  }
  const byRef = new Map<bigint, string>();
  for (const name of names) byRef.set(nameRef(name), name);
  return { names, compressed, byRef };
}

/**
 * The function a PGO name is about, and the file its static (local) function came from:
 * "file.c;fn" (LLVM 18+) or "file.c:fn" (before). Mangled C++/Rust names have no ':' or ';'.
 */
export function splitPgoName(pgoName: string): { fn: string; file: string | null } {
  const semi = pgoName.lastIndexOf(';');
  if (semi > 0) return { fn: pgoName.slice(semi + 1), file: pgoName.slice(0, semi) };
  const colon = pgoName.lastIndexOf(':');
  if (colon > 0 && !pgoName.includes('::')) return { fn: pgoName.slice(colon + 1), file: pgoName.slice(0, colon) };
  return { fn: pgoName, file: null };
}
