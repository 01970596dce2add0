/**
 * ELF (32/64-bit, either byte order): the header, the section headers and their names, and a
 * scan of the symbol table for the few symbols inspect asks about. Only the header and section
 * table are read up front; section bytes are read when asked for.
 *
 *   e_ident: 7f 'E' 'L' 'F' class(1=32, 2=64) data(1=LE, 2=BE) ...
 *   Elf64_Shdr: name u32, type u32, flags u64, addr u64, offset u64, size u64, link u32, ...
 *   Elf64_Sym:  name u32, info u8, other u8, shndx u16, value u64, size u64
 */
import { Cursor, InspectReadError, tableString, type ByteSource } from './bytes';
import type { ImageFile, ImageKind, ImageSymbol, Section } from './image';

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const SHT_RELA = 4;
/** Absolute relocations of debug sections, by machine: type -> bytes written. */
const ABS_RELOCS: Record<number, Record<number, number>> = {
  62: { 1: 8, 10: 4, 11: 4 },
  183: { 257: 8, 258: 4 },
  243: { 1: 4, 2: 8 },
  40: { 2: 4 },
  3: { 1: 4 },
};
const SHF_COMPRESSED = 0x800;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const MACHINES: Record<number, string> = {
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  40: 'arm',
  62: 'x86_64',
  183: 'arm64',
  243: 'riscv',
};
const KINDS: Record<number, ImageKind> = { 1: 'relocatable', 2: 'executable', 3: 'shared' };

interface RawSection extends Section {
  type: number;
  link: number;
  info: number;
  entsize: number;
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(ELF_MAGIC);
}

export function readElf(source: ByteSource): ImageFile {
  const ident = source.read(0, 16, 'the ELF identification');
  if (!isElf(ident)) throw new InspectReadError('not an ELF file (bad magic)');
  const wide = ident[4] === 2;
  if (ident[4] !== 1 && !wide) throw new InspectReadError(`bad ELF class ${ident[4]} (expected 1 or 2)`);
  if (ident[5] !== 1 && ident[5] !== 2)
    throw new InspectReadError(`bad ELF data encoding ${ident[5]} (expected 1 or 2)`);
  const little = ident[5] === 1;
  const header = new Cursor(source.read(0, wide ? 64 : 52, 'the ELF header'), little, 16, 'ELF header');
  const type = header.u16();
  const machine = header.u16();
  header.skip(4 + (wide ? 8 : 4) * 2); // version, entry, phoff
  const shoff = header.addr(wide ? 8 : 4);
  header.skip(4 + 2 + 2 + 2); // flags, ehsize, phentsize, phnum
  const shentsize = header.u16();
  let shnum = header.u16();
  let shstrndx = header.u16();
  const pointerSize = wide ? 8 : 4;
  if (shoff === 0) return image(source, type, machine, little, pointerSize, []);
  if (shentsize < (wide ? 64 : 40)) throw new InspectReadError(`bad ELF section header size ${shentsize}`);
  const first = readSectionHeader(source, shoff, little, wide);
  if (shnum === 0) shnum = first.size; // more than 0xff00 sections: the count is in section 0
  if (shstrndx === SHN_XINDEX) shstrndx = first.link;
  const table = source.read(shoff, shnum * shentsize, 'the ELF section headers');
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++)
    raw.push(parseSectionHeader(new Cursor(table, little, i * shentsize, 'ELF section header'), wide));
  const names = shstrndx < raw.length ? bytesOf(source, raw[shstrndx]) : Buffer.alloc(0);
  for (const section of raw) section.name = tableString(names, Number(section.name)) ?? '';
  return image(source, type, machine, little, pointerSize, raw);
}

function readSectionHeader(source: ByteSource, at: number, little: boolean, wide: boolean): RawSection {
  return parseSectionHeader(
    new Cursor(source.read(at, wide ? 64 : 40, 'the first ELF section header'), little, 0, 'ELF section header'),
    wide,
  );
}

function parseSectionHeader(c: Cursor, wide: boolean): RawSection {
  const word = () => c.addr(wide ? 8 : 4);
  const nameOffset = c.u32();
  const type = c.u32();
  const flags = word();
  const address = word();
  const offset = word();
  const size = word();
  const link = c.u32();
  const info = c.u32();
  word(); // addralign
  const entsize = word();
  return {
    name: String(nameOffset),
    segment: null,
    address,
    size,
    fileOffset: type === SHT_NOBITS || type === 0 ? null : offset,
    compressed: (flags & SHF_COMPRESSED) !== 0,
    type,
    link,
    info,
    entsize,
  };
}

function bytesOf(source: ByteSource, section: RawSection): Buffer {
  return section.fileOffset === null
    ? Buffer.alloc(0)
    : source.read(section.fileOffset, section.size, `ELF section ${section.name}`);
}

function image(
  source: ByteSource,
  type: number,
  machine: number,
  little: boolean,
  pointerSize: 4 | 8,
  raw: RawSection[],
): ImageFile {
  return {
    format: 'elf',
    kind: KINDS[type] ?? 'other',
    arch: MACHINES[machine] ?? `machine-${machine}`,
    little,
    pointerSize,
    sections: raw.map(({ name, segment, address, size, fileOffset, compressed }) => ({
      name,
      segment,
      address,
      size,
      fileOffset,
      compressed,
    })),
    findSymbols: (wanted) => findSymbols(source, raw, little, pointerSize === 8, wanted),
    debugMap: [],
    source,
    relocate:
      type === 1
        ? (section, bytes) => relocate(source, raw, little, pointerSize === 8, machine, section, bytes)
        : undefined,
  };
}

/** Applies the RELA relocations aimed at `section` (symbol value + addend), for the types of ABS_RELOCS. */
function relocate(
  source: ByteSource,
  raw: RawSection[],
  little: boolean,
  wide: boolean,
  machine: number,
  section: Section,
  bytes: Buffer,
): Buffer {
  const index = raw.findIndex((s) => s.fileOffset === section.fileOffset && s.name === section.name);
  const rela = raw.find((s) => s.type === SHT_RELA && s.info === index);
  const sizes = ABS_RELOCS[machine];
  if (index < 0 || rela === undefined || sizes === undefined || rela.link >= raw.length) return bytes;
  const symbols = bytesOf(source, raw[rela.link]);
  const symSize = wide ? 24 : 16;
  const out = Buffer.from(bytes);
  const entries = bytesOf(source, rela);
  const entry = wide ? 24 : 12;
  for (let at = 0; at + entry <= entries.length; at += entry) {
    const c = new Cursor(entries, little, at, 'ELF relocation');
    const offset = c.addr(wide ? 8 : 4);
    const info = wide ? c.u64big() : BigInt(c.u32());
    const addend = wide
      ? Number(little ? entries.readBigInt64LE(at + 16) : entries.readBigInt64BE(at + 16))
      : little
        ? entries.readInt32LE(at + 8)
        : entries.readInt32BE(at + 8);
    const symbol = Number(wide ? info >> 32n : info >> 8n);
    const type = Number(wide ? info & 0xffffffffn : info & 0xffn);
    const size = sizes[type];
    if (size === undefined || offset + size > out.length) continue;
    const symAt = symbol * symSize + (wide ? 8 : 4);
    const symValue =
      symAt + (wide ? 8 : 4) > symbols.length
        ? 0
        : wide
          ? Number(little ? symbols.readBigUInt64LE(symAt) : symbols.readBigUInt64BE(symAt))
          : little
            ? symbols.readUInt32LE(symAt)
            : symbols.readUInt32BE(symAt);
    const value = symValue + addend;
    if (size === 8)
      little
        ? out.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)), offset)
        : out.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value)), offset);
    else little ? out.writeUInt32LE(value >>> 0, offset) : out.writeUInt32BE(value >>> 0, offset);
  }
  return out;
}

/** One pass over .symtab (or .dynsym when stripped) keeping only the wanted names. */
function findSymbols(
  source: ByteSource,
  raw: RawSection[],
  little: boolean,
  wide: boolean,
  wanted: readonly string[],
): Map<string, ImageSymbol> {
  const found = new Map<string, ImageSymbol>();
  const table = raw.find((s) => s.type === SHT_SYMTAB) ?? raw.find((s) => s.type === SHT_DYNSYM);
  if (table === undefined || table.link >= raw.length || wanted.length === 0) return found;
  const strings = bytesOf(source, raw[table.link]);
  const want = new Set(wanted.map((w) => Buffer.from(`${w}\0`).toString('latin1')));
  const entry = table.entsize || (wide ? 24 : 16);
  const bytes = bytesOf(source, table);
  for (let at = 0; at + entry <= bytes.length; at += entry) {
    const c = new Cursor(bytes, little, at, 'ELF symbol');
    const nameOffset = c.u32();
    let value: number;
    let shndx: number;
    if (wide) {
      c.skip(2);
      shndx = c.u16();
      value = c.u64();
    } else {
      value = c.u32();
      c.skip(4 + 2);
      shndx = c.u16();
    }
    if (shndx === SHN_UNDEF || nameOffset >= strings.length) continue;
    const end = strings.indexOf(0, nameOffset);
    const key = strings.toString('latin1', nameOffset, end < 0 ? strings.length : end + 1);
    if (!want.has(key)) continue;
    const name = key.slice(0, -1);
    if (!found.has(name))
      found.set(name, {
        name,
        value,
        section: shndx < SHN_LORESERVE && shndx < raw.length ? shndx : null,
        defined: true,
      });
  }
  return found;
}
