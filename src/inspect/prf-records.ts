/**
 * __llvm_prf_data records, read with every known layout, and where the layout changes.
 *
 * Layouts (INSTR_PROF_DATA in LLVM's InstrProfData.inc; the struct is alignas(8)), 64-bit:
 *   offset  v10 (LLVM 19+), 64 bytes       v9 (LLVM 18), 64 bytes         v8 (LLVM 14-17), 48 bytes
 *     0     NameRef u64                    NameRef u64                    NameRef u64
 *     8     FuncHash u64                   FuncHash u64                   FuncHash u64
 *    16     CounterPtr iptr (relative)     CounterPtr iptr                CounterPtr iptr
 *    24     BitmapPtr iptr                 BitmapPtr iptr                 FunctionPointer ptr
 *    32     FunctionPointer ptr            FunctionPointer ptr            Values ptr
 *    40     Values ptr                     Values ptr                     NumCounters u32, NumValueSites u16[2]
 *    48     NumCounters u32                NumCounters u32
 *    52     NumValueSites u16[3]           NumValueSites u16[2]
 *    56/60  NumBitmapBytes u32 @60         NumBitmapBytes u32 @56
 * The field lists are lldb-scripts/record_layouts.json, which lldb-scripts/dx/integrity.py reads too.
 *
 * A linker concatenates each object's records, so an object from another LLVM is a run of records
 * of another size. splitRecords finds the runs: a layout "fits" at an offset when its fields are
 * sane there (counters inside __llvm_prf_cnts in a linked file, a NameRef naming a function of
 * __llvm_prf_names, ...), and a run is only accepted when the rest of the section parses too
 * (a dynamic programme over offsets), so one lucky record cannot derail the split.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

export type RawVersion = 8 | 9 | 10;
export const RAW_VERSIONS: readonly RawVersion[] = [10, 9, 8];

type FieldKind = 'u64' | 'iptr' | 'ptr' | 'u32' | 'u16';
/** The field lists, shared with lldb-scripts/dx/integrity.py: one table for both. */
export const RECORD_LAYOUTS_PATH = path.resolve(__dirname, '../../../lldb-scripts/record_layouts.json');
const FIELDS: Record<RawVersion, ReadonlyArray<[string, FieldKind, number]>> = (
  JSON.parse(fs.readFileSync(RECORD_LAYOUTS_PATH, 'utf8')) as {
    versions: Record<RawVersion, Array<[string, FieldKind, number]>>;
  }
).versions;
const RECORD_ALIGN = 8;
/** Value sites a function can have before the count is garbage. */
const MAX_VALUE_SITES = 65535;
/** Counters a function can have before the count is garbage (relocatable files: no section to bound it). */
const MAX_COUNTERS = 1 << 24;

export interface Layout {
  version: RawVersion;
  size: number;
  pointerSize: number;
  fields: Record<string, { offset: number; size: number; count: number; signed: boolean }>;
}

export interface ProfRecord {
  /** Offset in __llvm_prf_data. */
  offset: number;
  nameRef: bigint;
  funcHash: bigint;
  counterPtr: number;
  numCounters: number;
  numValueSites: number[];
  bitmapPtr: number;
  numBitmapBytes: number;
}

export function layoutFor(version: RawVersion, pointerSize: number): Layout {
  const fields: Layout['fields'] = {};
  let offset = 0;
  for (const [name, kind, count] of FIELDS[version]) {
    const size = kind === 'ptr' || kind === 'iptr' ? pointerSize : kind === 'u64' ? 8 : kind === 'u32' ? 4 : 2;
    offset = roundUp(offset, size);
    fields[name] = { offset, size, count, signed: kind === 'iptr' };
    offset += size * count;
  }
  return { version, size: roundUp(offset, RECORD_ALIGN), pointerSize, fields };
}

function roundUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function readField(bytes: Buffer, at: number, size: number, signed: boolean, little: boolean): bigint {
  if (size === 8) {
    if (signed) return little ? bytes.readBigInt64LE(at) : bytes.readBigInt64BE(at);
    return little ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at);
  }
  if (size === 4)
    return BigInt(
      signed
        ? little
          ? bytes.readInt32LE(at)
          : bytes.readInt32BE(at)
        : little
          ? bytes.readUInt32LE(at)
          : bytes.readUInt32BE(at),
    );
  return BigInt(little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
}

/** The record at `offset` read with `layout` (the caller checks it fits in `bytes`). */
export function decodeRecord(bytes: Buffer, offset: number, layout: Layout, little: boolean): ProfRecord {
  const get = (name: string, i = 0): bigint => {
    const f = layout.fields[name];
    return f === undefined ? 0n : readField(bytes, offset + f.offset + i * f.size, f.size, f.signed, little);
  };
  const sites = layout.fields.NumValueSites;
  return {
    offset,
    nameRef: get('NameRef'),
    funcHash: get('FuncHash'),
    counterPtr: clampNumber(get('CounterPtr')),
    numCounters: Number(get('NumCounters')),
    numValueSites: Array.from({ length: sites.count }, (_, i) => Number(get('NumValueSites', i))),
    bitmapPtr: clampNumber(get('BitmapPtr')),
    numBitmapBytes: Number(get('NumBitmapBytes')),
  };
}

function clampNumber(value: bigint): number {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > limit ? limit : value < -limit ? -limit : value);
}

export interface Range {
  address: number;
  size: number;
}

export interface RecordContext {
  data: { address: number; bytes: Buffer };
  /** Linked file: CounterPtr/BitmapPtr are final distances and can be checked against these. */
  linked: boolean;
  counters: Range | null;
  values: Range | null;
  bitmap: Range | null;
  /** NameRefs of __llvm_prf_names, or null when it is missing or unreadable. */
  nameRefs: ReadonlySet<bigint> | null;
  pointerSize: number;
  little: boolean;
  /** 1 with VARIANT_MASK_BYTE_COVERAGE, else 8. */
  counterSize: number;
}

/**
 * Whether the record read with `layout` at `offset` is one the compiler could have written. Reads
 * only the fields it checks, without BigInt except for the NameRef (this runs for every layout at
 * every record).
 */
export function recordFits(ctx: RecordContext, layout: Layout, offset: number): boolean {
  const bytes = ctx.data.bytes;
  if (offset + layout.size > bytes.length) return false;
  const little = ctx.little;
  const f = layout.fields;
  if (ctx.nameRefs !== null && ctx.nameRefs.size > 0) {
    const ref = little ? bytes.readBigUInt64LE(offset) : bytes.readBigUInt64BE(offset);
    if (!ctx.nameRefs.has(ref)) return false;
  }
  const counters = little
    ? bytes.readUInt32LE(offset + f.NumCounters.offset)
    : bytes.readUInt32BE(offset + f.NumCounters.offset);
  let sites = 0;
  for (let i = 0; i < f.NumValueSites.count; i++) {
    const at = offset + f.NumValueSites.offset + 2 * i;
    sites += little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at);
  }
  if (counters === 0 || counters > MAX_COUNTERS || sites > MAX_VALUE_SITES) return false;
  if (!ctx.linked) return true;
  if (sites > 0 && (ctx.values === null || sites * ctx.pointerSize > ctx.values.size)) return false;
  const recordAddress = ctx.data.address + offset;
  const counterPtr = readSigned(bytes, offset + f.CounterPtr.offset, f.CounterPtr.size, little);
  if (ctx.counters === null || !inside(ctx.counters, recordAddress + counterPtr, counters * ctx.counterSize))
    return false;
  const bitmap = f.NumBitmapBytes;
  if (bitmap !== undefined) {
    const count = little ? bytes.readUInt32LE(offset + bitmap.offset) : bytes.readUInt32BE(offset + bitmap.offset);
    const bitmapPtr = readSigned(bytes, offset + f.BitmapPtr.offset, f.BitmapPtr.size, little);
    if (count > 0 && (ctx.bitmap === null || !inside(ctx.bitmap, recordAddress + bitmapPtr, count))) return false;
  }
  return true;
}

/** A signed 4- or 8-byte field as a number (8-byte: high word signed * 2^32 + low word). */
function readSigned(bytes: Buffer, at: number, size: number, little: boolean): number {
  if (size === 4) return little ? bytes.readInt32LE(at) : bytes.readInt32BE(at);
  return little
    ? bytes.readInt32LE(at + 4) * 2 ** 32 + bytes.readUInt32LE(at)
    : bytes.readInt32BE(at) * 2 ** 32 + bytes.readUInt32BE(at + 4);
}

function inside(range: Range, address: number, length: number): boolean {
  return address >= range.address && address + length <= range.address + range.size;
}

export interface LayoutRun {
  /** The layout chosen for this run, or null when no known layout explains these bytes. */
  version: RawVersion | null;
  /** Every layout that fits the whole run (9 and 10 often both do: same size). */
  candidates: RawVersion[];
  offset: number;
  recordSize: number;
  records: ProfRecord[];
  /** Bytes of the run (for a run no layout explains: the rest of the section). */
  bytes: number;
}

/**
 * The records of the section as runs of one layout each. `preferred` orders the choice when
 * several layouts explain the same bytes (the runtime's version first, then the newest).
 */
export function splitRecords(ctx: RecordContext, preferred: readonly RawVersion[]): LayoutRun[] {
  const size = ctx.data.bytes.length;
  const layouts = orderLayouts(preferred).map((v) => layoutFor(v, ctx.pointerSize));
  const { complete, local } = completions(ctx, layouts, size);
  const runs: LayoutRun[] = [];
  let offset = 0;
  while (offset < size) {
    // Where nothing parses to the end, the locally sane layout: the break shows where it really is.
    const whole = complete.get(offset) ?? [];
    const fitting = whole.length > 0 ? whole : (local.get(offset) ?? layouts.filter((l) => recordFits(ctx, l, offset)));
    if (fitting.length === 0) {
      runs.push({
        version: null,
        candidates: [],
        offset,
        recordSize: size - offset,
        records: [],
        bytes: size - offset,
      });
      break;
    }
    const layout = fitting[0];
    const sameSize = fitting.filter((l) => l.size === layout.size).map((l) => l.version);
    const record = decodeRecord(ctx.data.bytes, offset, layout, ctx.little);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.version === layout.version) {
      last.records.push(record);
      last.bytes += layout.size;
      last.candidates = last.candidates.filter((v) => sameSize.includes(v));
    } else {
      runs.push({
        version: layout.version,
        candidates: sameSize,
        offset,
        recordSize: layout.size,
        records: [record],
        bytes: layout.size,
      });
    }
    offset += layout.size;
  }
  return runs;
}

function orderLayouts(preferred: readonly RawVersion[]): RawVersion[] {
  const order = [...preferred.filter((v) => RAW_VERSIONS.includes(v))];
  for (const v of RAW_VERSIONS) if (!order.includes(v)) order.push(v);
  return order;
}

/**
 * offset -> the layouts (in preference order) that fit there AND after which the rest of the
 * section parses to its end. Offsets reachable from 0 only, so the work is about one decode per
 * layout per record.
 */
function completions(
  ctx: RecordContext,
  layouts: Layout[],
  size: number,
): { complete: Map<number, Layout[]>; local: Map<number, Layout[]> } {
  const steps = new Map<number, Layout[]>();
  const pending = [0];
  while (pending.length > 0) {
    const offset = pending.pop() as number;
    if (steps.has(offset) || offset >= size) continue;
    const fits = layouts.filter((l) => recordFits(ctx, l, offset));
    steps.set(offset, fits);
    for (const l of fits) pending.push(offset + l.size);
  }
  const done = new Map<number, boolean>([[size, true]]);
  const result = new Map<number, Layout[]>();
  for (const offset of [...steps.keys()].sort((a, b) => b - a)) {
    const ok = (steps.get(offset) ?? []).filter((l) => done.get(offset + l.size) === true);
    done.set(offset, ok.length > 0);
    result.set(offset, ok);
  }
  return { complete: result, local: steps };
}
