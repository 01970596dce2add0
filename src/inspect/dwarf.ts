/**
 * Just enough DWARF (versions 2-5, 32- and 64-bit) to say which compiler built which functions:
 * every compile unit's DW_AT_producer, DW_AT_name and DW_AT_comp_dir, and the names (DW_AT_name,
 * DW_AT_linkage_name) of the functions it defines, following DW_AT_specification and
 * DW_AT_abstract_origin. Every form is decoded or skipped by its size rules; strings come from
 * DW_FORM_string, strp, line_strp and strx* (through DW_AT_str_offsets_base).
 *
 *   unit header v5: unit_length, version u16, unit_type u8, address_size u8, debug_abbrev_offset
 *   unit header v2-4: unit_length, version u16, debug_abbrev_offset, address_size u8
 */
import { Cursor, InspectReadError, tableString } from './bytes';

export interface DwarfSections {
  info: Buffer;
  abbrev: Buffer;
  str: Buffer | null;
  lineStr: Buffer | null;
  strOffsets: Buffer | null;
  little: boolean;
}

export interface CompileUnit {
  offset: number;
  producer: string | null;
  name: string | null;
  compDir: string | null;
  /** Names and linkage names of the functions it defines. */
  functions: Set<string>;
}

const TAG_COMPILE_UNIT = 0x11;
const TAG_PARTIAL_UNIT = 0x3c;
const TAG_SKELETON_UNIT = 0x4a;
const TAG_SUBPROGRAM = 0x2e;
const AT_NAME = 0x03;
const AT_COMP_DIR = 0x1b;
const AT_PRODUCER = 0x25;
const AT_ABSTRACT_ORIGIN = 0x31;
const AT_DECLARATION = 0x3c;
const AT_SPECIFICATION = 0x47;
const AT_LINKAGE_NAME = 0x6e;
const AT_MIPS_LINKAGE_NAME = 0x2007;
const AT_STR_OFFSETS_BASE = 0x72;
const UNIT_TYPES_READ = new Set([1, 3, 4]); // compile, partial, skeleton
const FORM_IMPLICIT_CONST = 0x21;
const FORM_INDIRECT = 0x16;
const STRING_FORMS = new Set([0x08, 0x0e, 0x1f, 0x1a, 0x25, 0x26, 0x27, 0x28]);
const REF_FORMS = new Set([0x10, 0x11, 0x12, 0x13, 0x14, 0x15]);
const NAME_ATTRS = new Set([AT_NAME, AT_LINKAGE_NAME, AT_MIPS_LINKAGE_NAME]);

interface AbbrevAttr {
  at: number;
  form: number;
  implicit: number;
}

interface Abbrev {
  tag: number;
  children: boolean;
  attrs: AbbrevAttr[];
}

interface Unit {
  offset: number;
  version: number;
  offsetSize: 4 | 8;
  addrSize: number;
  end: number;
}

/** A string attribute as read, resolved once the unit's str_offsets_base is known. */
type RawString = { form: number; value: number | string };

interface Subprogram {
  names: RawString[];
  refs: number[];
  declaration: boolean;
}

export function readCompileUnits(sections: DwarfSections): CompileUnit[] {
  const abbrevCache = new Map<number, Map<number, Abbrev>>();
  const namesByDie = new Map<number, string[]>();
  const pending: Array<{ unit: CompileUnit; refs: number[] }> = [];
  const units: CompileUnit[] = [];
  let at = 0;
  while (at < sections.info.length) {
    const header = readUnitHeader(sections.info, sections.little, at);
    if (header === null) break;
    const { unit, headerEnd, abbrevOffset, unitType } = header;
    if (UNIT_TYPES_READ.has(unitType)) {
      let abbrevs = abbrevCache.get(abbrevOffset);
      if (abbrevs === undefined) {
        abbrevs = readAbbrevs(sections.abbrev, abbrevOffset);
        abbrevCache.set(abbrevOffset, abbrevs);
      }
      const cu = readUnit(sections, unit, headerEnd, abbrevs, namesByDie, pending);
      if (cu !== null) units.push(cu);
    }
    at = unit.end;
  }
  for (const { unit, refs } of pending)
    for (const ref of refs) for (const name of namesByDie.get(ref) ?? []) unit.functions.add(name);
  return units;
}

function readUnitHeader(
  info: Buffer,
  little: boolean,
  at: number,
): { unit: Unit; headerEnd: number; abbrevOffset: number; unitType: number } | null {
  const c = new Cursor(info, little, at, '.debug_info unit header');
  let length = c.u32();
  let offsetSize: 4 | 8 = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  }
  if (length === 0) return null;
  const end = c.offset + length;
  if (end > info.length)
    throw new InspectReadError(
      `truncated .debug_info: the unit at offset ${at} says ${length} bytes, ${info.length - c.offset} are left`,
    );
  const version = c.u16();
  if (version < 2 || version > 5)
    throw new InspectReadError(`.debug_info unit at offset ${at} has DWARF version ${version} (2-5 are known)`);
  let unitType = 1;
  let addrSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = c.u8();
    addrSize = c.u8();
    abbrevOffset = c.addr(offsetSize);
    if (unitType === 4 || unitType === 5) c.skip(8); // dwo_id
    if (unitType === 2 || unitType === 6) c.skip(8 + offsetSize); // type_signature, type_offset
  } else {
    abbrevOffset = c.addr(offsetSize);
    addrSize = c.u8();
  }
  return { unit: { offset: at, version, offsetSize, addrSize, end }, headerEnd: c.offset, abbrevOffset, unitType };
}

function readAbbrevs(bytes: Buffer, offset: number): Map<number, Abbrev> {
  const table = new Map<number, Abbrev>();
  const c = new Cursor(bytes, true, offset, '.debug_abbrev');
  for (;;) {
    const code = c.uleb();
    if (code === 0) return table;
    const tag = c.uleb();
    const children = c.u8() !== 0;
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const at = c.uleb();
      const form = c.uleb();
      if (at === 0 && form === 0) break;
      attrs.push({ at, form, implicit: form === FORM_IMPLICIT_CONST ? c.sleb() : 0 });
    }
    table.set(code, { tag, children, attrs });
  }
}

function readUnit(
  sections: DwarfSections,
  unit: Unit,
  start: number,
  abbrevs: Map<number, Abbrev>,
  namesByDie: Map<number, string[]>,
  pending: Array<{ unit: CompileUnit; refs: number[] }>,
): CompileUnit | null {
  const c = new Cursor(sections.info.subarray(0, unit.end), sections.little, start, '.debug_info');
  const cuStrings = new Map<number, RawString>();
  let strOffsetsBase: number | null = null;
  const subprograms: Array<{ die: number; sub: Subprogram }> = [];
  let depth = 0;
  let first = true;
  let isCompileUnit = false;
  while (c.remaining > 0) {
    const die = c.offset;
    const code = c.uleb();
    if (code === 0) {
      depth--;
      if (depth <= 0) break;
      continue;
    }
    const abbrev = abbrevs.get(code);
    if (abbrev === undefined)
      throw new InspectReadError(
        `.debug_info DIE at offset ${die} uses abbreviation ${code}, which its table does not have`,
      );
    const sub: Subprogram | null = abbrev.tag === TAG_SUBPROGRAM ? { names: [], refs: [], declaration: false } : null;
    for (const attr of abbrev.attrs) {
      const form = attr.form;
      const value = readForm(c, unit, form, attr.implicit, first || sub !== null);
      if (value === null) continue;
      if (first) {
        if (attr.at === AT_STR_OFFSETS_BASE && typeof value === 'number') strOffsetsBase = value;
        else if (attr.at === AT_PRODUCER || attr.at === AT_NAME || attr.at === AT_COMP_DIR)
          cuStrings.set(attr.at, { form, value });
      } else if (sub !== null) {
        if (NAME_ATTRS.has(attr.at) && STRING_FORMS.has(form)) sub.names.push({ form, value });
        else if (
          (attr.at === AT_SPECIFICATION || attr.at === AT_ABSTRACT_ORIGIN) &&
          REF_FORMS.has(form) &&
          typeof value === 'number'
        )
          sub.refs.push(form === 0x10 ? value : unit.offset + value);
        else if (attr.at === AT_DECLARATION && value !== 0) sub.declaration = true;
      }
    }
    if (first) {
      isCompileUnit =
        abbrev.tag === TAG_COMPILE_UNIT || abbrev.tag === TAG_PARTIAL_UNIT || abbrev.tag === TAG_SKELETON_UNIT;
      if (!isCompileUnit) return null;
    }
    if (sub !== null) subprograms.push({ die, sub });
    first = false;
    if (abbrev.children) depth++;
    else if (depth === 0) break;
  }
  const text = (raw: RawString | undefined) =>
    raw === undefined ? null : resolveString(sections, unit, strOffsetsBase, raw);
  const cu: CompileUnit = {
    offset: unit.offset,
    producer: text(cuStrings.get(AT_PRODUCER)),
    name: text(cuStrings.get(AT_NAME)),
    compDir: text(cuStrings.get(AT_COMP_DIR)),
    functions: new Set(),
  };
  const refs: number[] = [];
  for (const { die, sub } of subprograms) {
    const names = sub.names
      .map((n) => resolveString(sections, unit, strOffsetsBase, n))
      .filter((n): n is string => n !== null);
    namesByDie.set(die, names);
    if (sub.declaration) continue;
    for (const name of names) cu.functions.add(name);
    refs.push(...sub.refs);
  }
  if (refs.length > 0) pending.push({ unit: cu, refs });
  return cu;
}

/**
 * The value of one attribute: a number (constants, offsets, references, indexes), a string
 * (DW_FORM_string, when `keep`), or null (skipped: blocks, expressions, 16-byte data, signatures).
 * No allocation per attribute: this runs for every attribute of every DIE.
 */
function readForm(c: Cursor, unit: Unit, form: number, implicit: number, keep: boolean): number | string | null {
  switch (form) {
    case 0x01:
      return c.addr(unit.addrSize);
    case 0x03:
      c.skip(c.u16());
      return null;
    case 0x04:
      c.skip(c.u32());
      return null;
    case 0x05:
      return c.u16();
    case 0x06:
      return c.u32();
    case 0x07:
      return Number(c.u64big() & 0x1fffffffffffffn);
    case 0x08: {
      if (keep) return c.cstr();
      const end = c.bytes.indexOf(0, c.offset);
      if (end < 0) throw new InspectReadError(`unterminated string in .debug_info at offset ${c.offset}`);
      c.offset = end + 1;
      return null;
    }
    case 0x09:
    case 0x18:
      c.skip(c.uleb());
      return null;
    case 0x0a:
      c.skip(c.u8());
      return null;
    case 0x0b:
    case 0x0c:
    case 0x11:
    case 0x25:
    case 0x29:
      return c.u8();
    case 0x0d:
      return c.sleb();
    case 0x0e:
    case 0x1f:
    case 0x17:
    case 0x1d:
    case 0x1f20:
    case 0x1f21:
      return c.addr(unit.offsetSize);
    case 0x0f:
    case 0x15:
    case 0x1a:
    case 0x1b:
    case 0x22:
    case 0x23:
    case 0x1f01:
    case 0x1f02:
      return c.uleb();
    case 0x10:
      return c.addr(unit.version <= 2 ? unit.addrSize : unit.offsetSize);
    case 0x12:
    case 0x26:
    case 0x2a:
      return c.u16();
    case 0x13:
    case 0x1c:
    case 0x28:
    case 0x2c:
      return c.u32();
    case 0x14:
      return c.u64();
    case FORM_INDIRECT:
      return readForm(c, unit, c.uleb(), implicit, keep);
    case 0x19:
      return 1;
    case 0x1e:
      c.skip(16);
      return null;
    case 0x20:
    case 0x24:
      c.skip(8);
      return null;
    case FORM_IMPLICIT_CONST:
      return implicit;
    case 0x27:
    case 0x2b:
      return c.u8() | (c.u8() << 8) | (c.u8() << 16);
    default:
      throw new InspectReadError(`.debug_info: unknown attribute form 0x${form.toString(16)} at offset ${c.offset}`);
  }
}

function resolveString(
  sections: DwarfSections,
  unit: Unit,
  strOffsetsBase: number | null,
  raw: RawString,
): string | null {
  if (typeof raw.value === 'string') return raw.value;
  switch (raw.form) {
    case 0x0e:
      return sections.str === null ? null : tableString(sections.str, raw.value);
    case 0x1f:
      return sections.lineStr === null ? null : tableString(sections.lineStr, raw.value);
    case 0x1a:
    case 0x25:
    case 0x26:
    case 0x27:
    case 0x28: {
      if (sections.strOffsets === null || sections.str === null) return null;
      // Without DW_AT_str_offsets_base: just past the first contribution's header (DWARF 5 7.26).
      const base = strOffsetsBase ?? (unit.offsetSize === 8 ? 16 : 8);
      const at = base + raw.value * unit.offsetSize;
      if (at + unit.offsetSize > sections.strOffsets.length) return null;
      const c = new Cursor(sections.strOffsets, sections.little, at, '.debug_str_offsets');
      return tableString(sections.str, c.addr(unit.offsetSize));
    }
    default:
      return null;
  }
}
