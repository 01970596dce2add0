/**
 * Mach-O (thin 32/64-bit, either byte order) and universal ("fat") files: the load commands
 * (LC_SEGMENT/LC_SEGMENT_64 with their sections, LC_SYMTAB), the symbol table scan, and the
 * debug map a linker leaves in the symbol table (N_SO source, N_OSO object file, N_FUN function):
 * on macOS the DWARF stays in the object files, so the debug map is what maps functions to sources.
 *
 *   mach_header_64: magic cputype cpusubtype filetype ncmds sizeofcmds flags reserved (8 x u32)
 *   section_64: sectname[16] segname[16] addr u64 size u64 offset u32 align reloff nreloc flags r1 r2 r3
 *   nlist_64: n_strx u32, n_type u8, n_sect u8, n_desc u16, n_value u64
 *   fat_header (big-endian): 0xcafebabe nfat_arch, then fat_arch {cputype cpusubtype offset size align}
 */
import { Cursor, InspectReadError, SliceSource, tableString, type ByteSource } from './bytes';
import type { DebugMapEntry, ImageFile, ImageKind, ImageSymbol, Section } from './image';

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
/** A Java class file also starts with 0xcafebabe; its "count" is a version, far above this. */
const MAX_FAT_ARCHS = 64;
const LC_SEGMENT = 0x1;
const LC_SYMTAB = 0x2;
const LC_SEGMENT_64 = 0x19;
const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_SECT = 0x0e;
const N_SO = 0x64;
const N_OSO = 0x66;
const N_FUN = 0x24;
const ZEROFILL_TYPES = new Set([0x01, 0x0c, 0x12]);
const KINDS: Record<number, ImageKind> = { 1: 'relocatable', 2: 'executable', 6: 'shared', 8: 'shared' };
const CPU_ARCH_ABI64 = 0x01000000;
const CPU_NAMES: Record<number, string> = {
  7: 'i386',
  [7 | CPU_ARCH_ABI64]: 'x86_64',
  12: 'arm',
  [12 | CPU_ARCH_ABI64]: 'arm64',
  [12 | 0x02000000]: 'arm64_32',
  18: 'ppc',
  [18 | CPU_ARCH_ABI64]: 'ppc64',
};
const CPU_SUBTYPE_ARM64E = 2;
/** The names --arch accepts (Apple's, as lipo and clang -arch spell them). */
export const MACHO_ARCHS = ['x86_64', 'x86_64h', 'arm64', 'arm64e', 'arm64_32', 'i386', 'arm', 'ppc', 'ppc64'] as const;

export interface FatSlice {
  arch: string;
  offset: number;
  size: number;
}

export function isMachO(head: Buffer): boolean {
  if (head.length < 4) return false;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  return le === MH_MAGIC || le === MH_MAGIC_64 || be === MH_MAGIC || be === MH_MAGIC_64;
}

export function isFat(head: Buffer): boolean {
  if (head.length < 8) return false;
  const magic = head.readUInt32BE(0);
  return (
    (magic === FAT_MAGIC || magic === FAT_MAGIC_64) && head.readUInt32BE(4) > 0 && head.readUInt32BE(4) <= MAX_FAT_ARCHS
  );
}

export function cpuName(cputype: number, subtype: number): string {
  const name = CPU_NAMES[cputype] ?? `cpu-${cputype}`;
  if (name === 'arm64' && (subtype & 0xff) === CPU_SUBTYPE_ARM64E) return 'arm64e';
  if (name === 'x86_64' && (subtype & 0xff) === 8) return 'x86_64h';
  return name;
}

export function readFatSlices(source: ByteSource): FatSlice[] {
  const head = source.read(0, 8, 'the universal binary header');
  if (!isFat(head)) throw new InspectReadError('not a universal (fat) Mach-O file (bad magic)');
  const wide = head.readUInt32BE(0) === FAT_MAGIC_64;
  const count = head.readUInt32BE(4);
  const entry = wide ? 32 : 20;
  const c = new Cursor(source.read(8, count * entry, 'the universal binary architectures'), false, 0, 'fat_arch table');
  const slices: FatSlice[] = [];
  for (let i = 0; i < count; i++) {
    const cputype = c.u32();
    const subtype = c.u32();
    const offset = wide ? c.u64() : c.u32();
    const size = wide ? c.u64() : c.u32();
    c.skip(wide ? 8 : 4);
    if (offset + size > source.size)
      throw new InspectReadError(
        `truncated universal binary: the ${cpuName(cputype, subtype)} slice (${size} bytes at ${offset}) ends past the end of the file`,
      );
    slices.push({ arch: cpuName(cputype, subtype), offset, size });
  }
  return slices;
}

export function readMachO(source: ByteSource): ImageFile {
  const head = source.read(0, 4, 'the Mach-O header');
  if (!isMachO(head)) throw new InspectReadError('not a Mach-O file (bad magic)');
  const little = head.readUInt32LE(0) === MH_MAGIC || head.readUInt32LE(0) === MH_MAGIC_64;
  const wide = (little ? head.readUInt32LE(0) : head.readUInt32BE(0)) === MH_MAGIC_64;
  const headerSize = wide ? 32 : 28;
  const h = new Cursor(source.read(0, headerSize, 'the Mach-O header'), little, 4, 'Mach-O header');
  const cputype = h.u32();
  const subtype = h.u32();
  const filetype = h.u32();
  const ncmds = h.u32();
  const sizeofcmds = h.u32();
  const commands = source.read(headerSize, sizeofcmds, 'the Mach-O load commands');
  const sections: Section[] = [];
  let symtab: { symoff: number; nsyms: number; stroff: number; strsize: number } | null = null;
  let at = 0;
  for (let i = 0; i < ncmds; i++) {
    const c = new Cursor(commands, little, at, 'Mach-O load command');
    const cmd = c.u32();
    const cmdsize = c.u32();
    if (cmdsize < 8 || at + cmdsize > commands.length)
      throw new InspectReadError(`bad Mach-O load command ${i}: size ${cmdsize}`);
    if (cmd === LC_SEGMENT_64 || cmd === LC_SEGMENT) sections.push(...readSegment(c, cmd === LC_SEGMENT_64));
    if (cmd === LC_SYMTAB) symtab = { symoff: c.u32(), nsyms: c.u32(), stroff: c.u32(), strsize: c.u32() };
    at += cmdsize;
  }
  const pointerSize = wide ? 8 : 4;
  const table = symtab === null ? null : { ...symtab, entry: wide ? 16 : 12 };
  const symbols = (wanted: readonly string[]) =>
    table === null ? new Map<string, ImageSymbol>() : scanSymbols(source, table, little, wide, wanted);
  return {
    format: 'macho',
    kind: KINDS[filetype] ?? 'other',
    arch: cpuName(cputype, subtype),
    little,
    pointerSize,
    sections,
    findSymbols: symbols,
    debugMap: table === null ? [] : readDebugMap(source, table, little, wide),
    source,
  };
}

/** The image of one slice of a universal binary. */
export function readSlice(source: ByteSource, slice: FatSlice): ImageFile {
  return readMachO(new SliceSource(source, slice.offset, slice.size));
}

function readSegment(c: Cursor, wide: boolean): Section[] {
  c.fixedName(16); // the segment's own name; each section repeats it
  c.skip(wide ? 8 * 4 : 4 * 4); // vmaddr vmsize fileoff filesize
  c.skip(8); // maxprot initprot
  const nsects = c.u32();
  c.skip(4); // flags
  const out: Section[] = [];
  for (let i = 0; i < nsects; i++) {
    const name = c.fixedName(16);
    const segment = c.fixedName(16);
    const address = c.addr(wide ? 8 : 4);
    const size = c.addr(wide ? 8 : 4);
    const offset = c.u32();
    c.skip(4 * 3); // align reloff nreloc
    const flags = c.u32();
    c.skip(wide ? 12 : 8);
    const zerofill = ZEROFILL_TYPES.has(flags & 0xff);
    out.push({ name, segment, address, size, fileOffset: zerofill ? null : offset, compressed: false });
  }
  return out;
}

interface SymtabCommand {
  symoff: number;
  nsyms: number;
  stroff: number;
  strsize: number;
  entry: number;
}

interface Nlist {
  strx: number;
  type: number;
  sect: number;
  value: number;
}

function forEachNlist(
  source: ByteSource,
  table: SymtabCommand,
  little: boolean,
  wide: boolean,
  visit: (n: Nlist, strings: Buffer) => void,
): void {
  const strings = source.read(table.stroff, table.strsize, 'the Mach-O string table');
  const bytes = source.read(table.symoff, table.nsyms * table.entry, 'the Mach-O symbol table');
  for (let at = 0; at + table.entry <= bytes.length; at += table.entry) {
    const c = new Cursor(bytes, little, at, 'nlist');
    const strx = c.u32();
    const type = c.u8();
    const sect = c.u8();
    c.skip(2);
    visit({ strx, type, sect, value: c.addr(wide ? 8 : 4) }, strings);
  }
}

function scanSymbols(
  source: ByteSource,
  table: SymtabCommand,
  little: boolean,
  wide: boolean,
  wanted: readonly string[],
): Map<string, ImageSymbol> {
  const found = new Map<string, ImageSymbol>();
  const want = new Set(wanted.map((w) => `_${w}`));
  forEachNlist(source, table, little, wide, (n, strings) => {
    if (n.type & N_STAB || (n.type & N_TYPE) !== N_SECT) return;
    const raw = tableString(strings, n.strx);
    if (raw === null || !want.has(raw)) return;
    const name = raw.slice(1);
    if (!found.has(name)) found.set(name, { name, value: n.value, section: n.sect - 1, defined: true });
  });
  return found;
}

/** N_SO dir, N_SO file, N_OSO object, N_FUN name ... N_SO "" (the end of that source). */
function readDebugMap(source: ByteSource, table: SymtabCommand, little: boolean, wide: boolean): DebugMapEntry[] {
  const entries: DebugMapEntry[] = [];
  let dir = '';
  let current: DebugMapEntry | null = null;
  forEachNlist(source, table, little, wide, (n, strings) => {
    if ((n.type & N_STAB) === 0) return;
    const text = tableString(strings, n.strx) ?? '';
    if (n.type === N_SO) {
      if (text === '') {
        current = null;
        dir = '';
      } else if (text.endsWith('/')) {
        dir = text;
      } else {
        current = { source: text.startsWith('/') ? text : dir + text, object: null, functions: [] };
        entries.push(current);
      }
    } else if (n.type === N_OSO && current !== null) {
      current.object = text;
    } else if (n.type === N_FUN && current !== null && text !== '') {
      current.functions.push(text.startsWith('_') ? text.slice(1) : text);
    }
  });
  return entries;
}
