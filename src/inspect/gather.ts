/**
 * inspect's I/O: open each file, tell what it is (ELF, Mach-O, universal, ar archive), and read
 * from every image in it the facts analysis.ts judges. Only the headers, the symbol table and the
 * profile and debug sections are read, never the whole file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { FileSource, InspectReadError, SliceSource, isInspectReadError, type ByteSource } from './bytes';
import { readArchive, isArchive } from './archive';
import { readCompileUnits, type CompileUnit } from './dwarf';
import { isElf, readElf } from './elf';
import { VERSION_MASK, type ImageFacts, type RawVersionSymbol, type RuntimeFacts } from './facts';
import { sectionBytes, type ImageFile, type Section } from './image';
import { isFat, isMachO, readFatSlices, readMachO, readSlice } from './macho';
import { parseProfileNames, type ProfileNames } from './prf-names';
import { splitRecords, type RawVersion, type Range, type RecordContext } from './prf-records';

export const RAW_VERSION_VAR = '__llvm_profile_raw_version';
/** What the runtime's own symbols say about the version it was built for (lldb-scripts/dx/integrity.py VERSION_SYMBOLS). */
const RUNTIME_SYMBOLS: ReadonlyArray<[string, number, number | null]> = [
  ['__llvm_profile_begin_vtables', 10, null],
  ['__llvm_profile_begin_bitmap', 9, 9],
  ['__llvm_profile_begin_data', 0, 8],
];
const PROFILE_SEGMENTS = new Set(['__DATA', '__DATA_CONST', '__DATA_DIRTY']);
const BYTE_COVERAGE_BIT = 1n << 60n;
const ELF_CHDR_ZLIB = 1;
const ELF_CHDR_ZSTD = 2;
/** Object files of a Mach-O debug map read for their DWARF, at most. */
const MAX_DEBUG_MAP_OBJECTS = 4096;

export interface InputFile {
  path: string;
  /** One entry per image: a program, each slice of a universal binary, each archive member. */
  images: ImageFacts[];
  /** Archive members that are not object files (lib.rmeta, bitcode), by name. */
  skipped: string[];
}

/** The architectures of a universal binary, or null when `file` is not one (usage checks). */
export function fatArchs(file: string): string[] | null {
  const source = FileSource.open(file);
  try {
    const head = source.read(0, Math.min(8, source.size), 'the file header');
    return isFat(head) ? readFatSlices(source).map((s) => s.arch) : null;
  } finally {
    source.close();
  }
}

export function inspectFile(file: string, arch: string | null): InputFile {
  const source = FileSource.open(file);
  try {
    const head = source.read(0, Math.min(8, source.size), 'the file header');
    if (isArchive(head)) return readArchiveFile(file, source);
    if (isFat(head)) {
      const slices = readFatSlices(source).filter((s) => arch === null || s.arch === arch);
      return { path: file, images: slices.map((s) => imageFacts(file, null, readSlice(source, s))), skipped: [] };
    }
    return { path: file, images: [imageFacts(file, null, readImage(source, head, file))], skipped: [] };
  } finally {
    source.close();
  }
}

function readImage(source: ByteSource, head: Buffer, what: string): ImageFile {
  if (isElf(head)) return readElf(source);
  if (isMachO(head)) return readMachO(source);
  throw new InspectReadError(
    `${what} is not an ELF or Mach-O file, a universal binary or an ar archive (bad magic ${head.subarray(0, 4).toString('hex')})`,
  );
}

function readArchiveFile(file: string, source: ByteSource): InputFile {
  const images: ImageFacts[] = [];
  const skipped: string[] = [];
  for (const member of readArchive(source)) {
    const slice = new SliceSource(source, member.offset, member.size);
    const head = slice.read(0, Math.min(8, slice.size), `member ${member.name}`);
    if (!isElf(head) && !isMachO(head)) {
      skipped.push(member.name);
      continue;
    }
    images.push(imageFacts(file, member.name, readImage(slice, head, member.name)));
  }
  return { path: file, images, skipped };
}

function findProfileSection(image: ImageFile, name: string): Section[] {
  return image.sections.filter(
    (s) => s.name === name && (image.format === 'elf' || PROFILE_SEGMENTS.has(s.segment ?? '')),
  );
}

function concatSections(image: ImageFile, sections: Section[]): Buffer {
  return sections.length === 1
    ? sectionBytes(image, sections[0])
    : Buffer.concat(sections.map((s) => sectionBytes(image, s)));
}

function rangeOf(sections: Section[]): Range | null {
  return sections.length === 0
    ? null
    : { address: sections[0].address, size: sections.reduce((n, s) => n + s.size, 0) };
}

export function imageFacts(file: string, member: string | null, image: ImageFile): ImageFacts {
  const problems: string[] = [];
  const symbols = image.findSymbols([RAW_VERSION_VAR, ...RUNTIME_SYMBOLS.map(([name]) => name)]);
  const rawVersionSymbol = readRawVersion(image, symbols.get(RAW_VERSION_VAR), problems);
  const runtime = runtimeFacts(rawVersionSymbol, (name) => symbols.has(name));
  const dataSections = findProfileSection(image, '__llvm_prf_data');
  const names = readNames(image, problems);
  const base = {
    path: file,
    member,
    format: image.format,
    kind: image.kind,
    arch: image.arch,
    names,
    problems,
    rawVersionSymbol,
    runtime,
    debugMap: image.debugMap,
  };
  const { units, debugInfo } = readDebugInfo(file, image, problems);
  if (dataSections.length === 0) return { ...base, dataSize: null, runs: [], units, debugInfo };
  const bytes = concatSections(image, dataSections);
  const symbolVersion = rawVersionSymbol === null ? null : Number(rawVersionSymbol.value & VERSION_MASK);
  const ctx: RecordContext = {
    data: { address: dataSections[0].address, bytes },
    linked: image.kind !== 'relocatable',
    counters: rangeOf(findProfileSection(image, '__llvm_prf_cnts')),
    values: rangeOf(findProfileSection(image, '__llvm_prf_vals')),
    bitmap: rangeOf(findProfileSection(image, '__llvm_prf_bits')),
    nameRefs: names === null ? null : new Set(names.byRef.keys()),
    pointerSize: image.pointerSize,
    little: image.little,
    counterSize: rawVersionSymbol !== null && (rawVersionSymbol.value & BYTE_COVERAGE_BIT) !== 0n ? 1 : 8,
  };
  const preferred = [runtime?.version, symbolVersion].filter((v): v is RawVersion => v === 8 || v === 9 || v === 10);
  return { ...base, dataSize: bytes.length, runs: splitRecords(ctx, preferred), units, debugInfo };
}

function readRawVersion(
  image: ImageFile,
  symbol: { value: number; section: number | null } | undefined,
  problems: string[],
): RawVersionSymbol | null {
  if (symbol === undefined || symbol.section === null) return null;
  const section = image.sections[symbol.section];
  if (section === undefined) return null;
  const offset = symbol.value - section.address;
  if (offset < 0 || offset + 8 > section.size) {
    problems.push(`${RAW_VERSION_VAR} lies outside its section ${section.name}`);
    return null;
  }
  const bytes =
    section.fileOffset === null ? Buffer.alloc(8) : image.source.read(section.fileOffset + offset, 8, RAW_VERSION_VAR);
  return {
    value: image.little ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0),
    section: section.segment === null ? section.name : `${section.segment},${section.name}`,
  };
}

/** As dx/integrity.py decides it at run time: the runtime's symbols bound it, the variable picks within. */
export function runtimeFacts(symbol: RawVersionSymbol | null, has: (name: string) => boolean): RuntimeFacts | null {
  const found = RUNTIME_SYMBOLS.find(([name]) => has(name));
  if (found === undefined) return null;
  const [name, low, high] = found;
  const variable = symbol === null ? null : Number(symbol.value & VERSION_MASK);
  let version = variable === null ? (high ?? low) : Math.max(low, high === null ? variable : Math.min(high, variable));
  if (high === 8 && version < 8) version = 8;
  const range = high === null ? `${low}+` : low === 0 ? `<= ${high}` : String(low);
  const source = `runtime symbols (${name}: raw version ${range})${symbol === null ? '' : `, ${RAW_VERSION_VAR} = 0x${symbol.value.toString(16)} in the file`}`;
  return { version: version === 8 || version === 9 || version === 10 ? version : null, source };
}

function readNames(image: ImageFile, problems: string[]): ProfileNames | null {
  const sections = findProfileSection(image, '__llvm_prf_names');
  if (sections.length === 0) return null;
  try {
    return parseProfileNames(concatSections(image, sections));
  } catch (error) {
    if (!isInspectReadError(error)) throw error;
    problems.push(error.message);
    return null;
  }
}

const DWARF_NAMES = {
  info: ['.debug_info', '__debug_info'],
  abbrev: ['.debug_abbrev', '__debug_abbrev'],
  str: ['.debug_str', '__debug_str'],
  lineStr: ['.debug_line_str', '__debug_line_str'],
  strOffsets: ['.debug_str_offsets', '__debug_str_offs'],
} as const;

function readDebugInfo(
  file: string,
  image: ImageFile,
  problems: string[],
): { units: CompileUnit[]; debugInfo: string } {
  try {
    const own = dwarfOf(image);
    if (own !== null) return { units: own, debugInfo: 'DWARF in the file' };
  } catch (error) {
    if (!isInspectReadError(error)) throw error;
    problems.push(`debug info not read: ${error.message}`);
    return { units: [], debugInfo: 'unreadable' };
  }
  if (image.format !== 'macho' || image.kind === 'relocatable')
    return { units: [], debugInfo: 'none (no .debug_info)' };
  return debugMapUnits(file, image, problems);
}

function dwarfOf(image: ImageFile): CompileUnit[] | null {
  const pick = (names: readonly string[]) => image.sections.find((s) => names.includes(s.name));
  const info = pick(DWARF_NAMES.info);
  const abbrev = pick(DWARF_NAMES.abbrev);
  if (info === undefined || abbrev === undefined) return null;
  const read = (s: Section | undefined) => (s === undefined ? null : debugBytes(image, s));
  return readCompileUnits({
    info: debugBytes(image, info),
    abbrev: debugBytes(image, abbrev),
    str: read(pick(DWARF_NAMES.str)),
    lineStr: read(pick(DWARF_NAMES.lineStr)),
    strOffsets: read(pick(DWARF_NAMES.strOffsets)),
    little: image.little,
  });
}

/** A debug section's bytes, inflated when the ELF section is SHF_COMPRESSED (zlib). */
function debugBytes(image: ImageFile, section: Section): Buffer {
  const bytes = inflated(image, section);
  return image.relocate === undefined ? bytes : image.relocate(section, bytes);
}

function inflated(image: ImageFile, section: Section): Buffer {
  const bytes = sectionBytes(image, section);
  if (!section.compressed) return bytes;
  const wide = image.pointerSize === 8;
  const type = image.little ? bytes.readUInt32LE(0) : bytes.readUInt32BE(0);
  if (type === ELF_CHDR_ZSTD)
    throw new InspectReadError(`${section.name} is compressed with zstd, which this node cannot inflate`);
  if (type !== ELF_CHDR_ZLIB)
    throw new InspectReadError(`${section.name} is compressed with an unknown method (${type})`);
  return inflateSync(bytes.subarray(wide ? 24 : 12));
}

/**
 * A linked Mach-O program keeps no DWARF: it is in the object files its debug map names (N_OSO),
 * or in a dSYM bundle next to the program. Read whichever still exists.
 */
function debugMapUnits(
  file: string,
  image: ImageFile,
  problems: string[],
): { units: CompileUnit[]; debugInfo: string } {
  const dsym = path.join(`${file}.dSYM`, 'Contents', 'Resources', 'DWARF', path.basename(file));
  if (fs.existsSync(dsym)) {
    const units = objectUnits(dsym, image.arch, problems);
    if (units.length > 0) return { units, debugInfo: `DWARF in ${dsym}` };
  }
  const objects = [...new Set(image.debugMap.map((e) => e.object).filter((o): o is string => o !== null))].slice(
    0,
    MAX_DEBUG_MAP_OBJECTS,
  );
  const units: CompileUnit[] = [];
  let read = 0;
  for (const object of objects) {
    if (/\)$/.test(object) || !fs.existsSync(object)) continue; // lib.a(member.o): not followed
    const found = objectUnits(object, image.arch, problems);
    if (found.length > 0) read++;
    units.push(...found);
  }
  if (objects.length === 0) return { units, debugInfo: 'none (no DWARF, no debug map)' };
  return { units, debugInfo: `the debug map: DWARF of ${read} of ${objects.length} object file(s) it names` };
}

function objectUnits(file: string, arch: string, problems: string[]): CompileUnit[] {
  try {
    const source = FileSource.open(file);
    try {
      const head = source.read(0, Math.min(8, source.size), 'the file header');
      const image = isFat(head)
        ? readFatSlices(source)
            .filter((s) => s.arch === arch)
            .map((s) => readSlice(source, s))[0]
        : isMachO(head)
          ? readMachO(source)
          : undefined;
      return image === undefined ? [] : (dwarfOf(image) ?? []);
    } finally {
      source.close();
    }
  } catch (error) {
    if (!isInspectReadError(error) && !(error instanceof Error && 'code' in error)) throw error;
    problems.push(`debug map object ${file} not read: ${(error as Error).message}`);
    return [];
  }
}
