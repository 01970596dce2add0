/**
 * What inspect needs from an object file, whatever its format: its sections (by name, with the
 * address they load at and where their bytes are), its symbols, and for Mach-O the debug map.
 * elf.ts and macho.ts build one; everything after them reads only this.
 */
import type { ByteSource } from './bytes';

export type ImageFormat = 'elf' | 'macho';
/** relocatable: a .o (or an archive member); its pointers are relocations, not values. */
export type ImageKind = 'executable' | 'shared' | 'relocatable' | 'other';

export interface Section {
  name: string;
  /** Mach-O segment (`__DATA`), or null on ELF. */
  segment: string | null;
  address: number;
  size: number;
  /** Offset of its bytes in the image's source, or null when it has none in the file (.bss). */
  fileOffset: number | null;
  /** ELF SHF_COMPRESSED: the bytes are an Elf_Chdr and a compressed stream. */
  compressed: boolean;
}

export interface ImageSymbol {
  /** As written in the file, without Mach-O's leading underscore. */
  name: string;
  value: number;
  /** Index into ImageFile.sections, or null (undefined, absolute, common). */
  section: number | null;
  defined: boolean;
}

/** Mach-O debug map: which source and object file each function came from (N_SO, N_OSO, N_FUN). */
export interface DebugMapEntry {
  source: string;
  object: string | null;
  functions: string[];
}

export interface ImageFile {
  format: ImageFormat;
  kind: ImageKind;
  arch: string;
  little: boolean;
  pointerSize: 4 | 8;
  sections: Section[];
  /** The defined symbols among `wanted` (one scan of the symbol table, nothing else kept). */
  findSymbols(wanted: readonly string[]): Map<string, ImageSymbol>;
  debugMap: DebugMapEntry[];
  source: ByteSource;
  /** Relocatable ELF: the section's bytes with its RELA relocations applied (DWARF offsets in .o files are relocations). */
  relocate?: (section: Section, bytes: Buffer) => Buffer;
}

export function findSections(image: ImageFile, name: string): Section[] {
  return image.sections.filter((s) => s.name === name);
}

/** The bytes of every section of this name, in file order (.o files may have several). */
export function sectionBytes(image: ImageFile, section: Section): Buffer {
  if (section.fileOffset === null) return Buffer.alloc(section.size);
  return image.source.read(section.fileOffset, section.size, `section ${section.name}`);
}
