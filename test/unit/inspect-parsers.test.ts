/**
 * inspect's parsers on bytes: record layouts and where they change, __llvm_prf_names (plain and
 * zlib), NameRef, ar (GNU and BSD names), ELF/Mach-O/universal headers (bad magic, truncation),
 * DWARF 4 and 5 compile units, producers -> raw versions, and escaping of names for terminals.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { BufferSource, InspectReadError } from '../../src/inspect/bytes';
import { readArchive } from '../../src/inspect/archive';
import { readCompileUnits } from '../../src/inspect/dwarf';
import { readElf } from '../../src/inspect/elf';
import { readFatSlices, readMachO } from '../../src/inspect/macho';
import { nameRef, parseProfileNames, splitPgoName } from '../../src/inspect/prf-names';
import { layoutFor, splitRecords, type RawVersion, type RecordContext } from '../../src/inspect/prf-records';
import { compilerOf } from '../../src/inspect/producers';
import { escapeText } from '../../src/inspect/render';

const DATA_ADDRESS = 0x10000;
const COUNTERS_ADDRESS = 0x20000;

/** Records as a linker lays them out: each with counters inside __llvm_prf_cnts, NameRefs of `names`. */
function section(versions: RawVersion[], names: string[]): { ctx: RecordContext; sizes: number[] } {
  const layouts = versions.map((v) => layoutFor(v, 8));
  const bytes = Buffer.alloc(layouts.reduce((n, l) => n + l.size, 0));
  let at = 0;
  let counter = 0;
  layouts.forEach((layout, i) => {
    const f = layout.fields;
    bytes.writeBigUInt64LE(nameRef(names[i]), at + f.NameRef.offset);
    bytes.writeBigUInt64LE(0x1234n + BigInt(i), at + f.FuncHash.offset);
    bytes.writeBigInt64LE(BigInt(COUNTERS_ADDRESS + counter * 8 - (DATA_ADDRESS + at)), at + f.CounterPtr.offset);
    bytes.writeUInt32LE(2, at + f.NumCounters.offset);
    counter += 2;
    at += layout.size;
  });
  const ctx: RecordContext = {
    data: { address: DATA_ADDRESS, bytes },
    linked: true,
    counters: { address: COUNTERS_ADDRESS, size: counter * 8 },
    values: null,
    bitmap: null,
    nameRefs: new Set(names.map(nameRef)),
    pointerSize: 8,
    little: true,
    counterSize: 8,
  };
  return { ctx, sizes: layouts.map((l) => l.size) };
}

describe('inspect: __llvm_prf_data layouts', () => {
  it('has the record sizes of InstrProfData.inc: v8 48 bytes, v9 and v10 64 bytes (64-bit)', () => {
    assert.deepEqual(
      [8, 9, 10].map((v) => layoutFor(v as RawVersion, 8).size),
      [48, 64, 64],
    );
    assert.equal(layoutFor(10, 8).fields.NumBitmapBytes.offset, 60);
    assert.equal(layoutFor(9, 8).fields.NumBitmapBytes.offset, 56);
    assert.equal(layoutFor(8, 8).fields.NumCounters.offset, 40);
  });

  it('finds where the layout changes: five v10 records, then one v8 record', () => {
    const names = ['main', 'a', 'b', 'c', 'd', 'old_lib_work'];
    const { ctx } = section([10, 10, 10, 10, 10, 8], names);
    const runs = splitRecords(ctx, [10]);
    assert.deepEqual(
      runs.map((r) => [r.version, r.offset, r.records.length]),
      [
        [10, 0, 5],
        [8, 320, 1],
      ],
    );
    assert.equal(runs[1].records[0].nameRef, nameRef('old_lib_work'));
  });

  it('finds v8 records first and v10 after (the old object linked first)', () => {
    const { ctx } = section([8, 8, 10], ['x', 'y', 'z']);
    assert.deepEqual(
      splitRecords(ctx, [10]).map((r) => [r.version, r.records.length]),
      [
        [8, 2],
        [10, 1],
      ],
    );
  });

  it('says where bytes fit no layout (a truncated tail)', () => {
    const { ctx } = section([10, 10], ['p', 'q']);
    const cut = { ...ctx, data: { ...ctx.data, bytes: ctx.data.bytes.subarray(0, 64 + 40) } };
    const runs = splitRecords(cut, [10]);
    assert.deepEqual(
      runs.map((r) => [r.version, r.bytes]),
      [
        [10, 64],
        [null, 40],
      ],
    );
  });

  it('keeps 9 and 10 as candidates of one run when both fit (same size)', () => {
    const { ctx } = section([10, 10], ['p', 'q']);
    const [run] = splitRecords(ctx, [10]);
    assert.deepEqual(run.candidates.sort(), [10, 9].sort());
  });
});

describe('inspect: __llvm_prf_names and NameRef', () => {
  it('NameRef is the MD5 of the name, its first 8 bytes read little-endian', () => {
    // md5("main") = fad58de7366495db4650cfefac2fcd61
    assert.equal(nameRef('main'), 0xdb956436e78dd5fan);
  });

  function blob(names: string[], compress: boolean): Buffer {
    const text = Buffer.from(names.join('\x01'));
    const packed = compress ? deflateSync(text) : text;
    return Buffer.concat([Buffer.from([text.length, compress ? packed.length : 0]), packed]);
  }

  it('reads plain and zlib blobs one after the other, with padding', () => {
    const bytes = Buffer.concat([blob(['main', 'f.c;helper'], true), Buffer.from([0, 0]), blob(['old'], false)]);
    const names = parseProfileNames(bytes);
    assert.deepEqual(names.names, ['main', 'f.c;helper', 'old']);
    assert.equal(names.compressed, true);
    assert.equal(names.byRef.get(nameRef('old')), 'old');
  });

  it('a truncated blob is a read error, not a crash', () => {
    const bytes = blob(['main', 'other'], true);
    assert.throws(() => parseProfileNames(bytes.subarray(0, bytes.length - 3)), InspectReadError);
  });

  it('splits local names: "file;fn" (LLVM 18+) and "file:fn"', () => {
    assert.deepEqual(splitPgoName('/src/a.c;op_double'), { fn: 'op_double', file: '/src/a.c' });
    assert.deepEqual(splitPgoName('a.c:twice'), { fn: 'twice', file: 'a.c' });
    assert.deepEqual(splitPgoName('_ZN3lib3add17hE'), { fn: '_ZN3lib3add17hE', file: null });
  });
});

function arHeader(name: string, size: number): Buffer {
  const field = (text: string, width: number) => text.padEnd(width, ' ');
  return Buffer.from(
    field(name, 16) +
      field('0', 12) +
      field('0', 6) +
      field('0', 6) +
      field('644', 8) +
      field(String(size), 10) +
      '`\n',
    'latin1',
  );
}

function member(name: string, data: Buffer): Buffer {
  const padded = data.length % 2 ? Buffer.concat([data, Buffer.from('\n')]) : data;
  return Buffer.concat([arHeader(name, data.length), padded]);
}

describe('inspect: ar archives', () => {
  it('GNU: the symbol table skipped, short names and /N long names', () => {
    const long = 'a-member-with-a-long-name.o/\n';
    const bytes = Buffer.concat([
      Buffer.from('!<arch>\n'),
      member('/', Buffer.alloc(8)),
      member('//', Buffer.from(long)),
      member('short.o/', Buffer.from('abc')),
      member('/0', Buffer.from('wxyz')),
    ]);
    const members = readArchive(new BufferSource(bytes));
    assert.deepEqual(
      members.map((m) => [m.name, m.size]),
      [
        ['short.o', 3],
        ['a-member-with-a-long-name.o', 4],
      ],
    );
    assert.equal(bytes.toString('latin1', members[1].offset, members[1].offset + 4), 'wxyz');
  });

  it('BSD: #1/N names at the start of the data, __.SYMDEF skipped', () => {
    const name = 'a-bsd-member-with-a-long-name.o';
    const bytes = Buffer.concat([
      Buffer.from('!<arch>\n'),
      member('__.SYMDEF', Buffer.alloc(4)),
      member(`#1/${name.length}`, Buffer.concat([Buffer.from(name), Buffer.from('DATA')])),
    ]);
    const [only] = readArchive(new BufferSource(bytes));
    assert.equal(only.name, name);
    assert.equal(only.size, 4);
    assert.equal(bytes.toString('latin1', only.offset, only.offset + 4), 'DATA');
  });

  it('a member running past the end, and a bad magic, are read errors', () => {
    const whole = Buffer.concat([Buffer.from('!<arch>\n'), member('x.o/', Buffer.alloc(100))]);
    assert.throws(() => readArchive(new BufferSource(whole.subarray(0, 90))), /truncated archive/);
    assert.throws(() => readArchive(new BufferSource(Buffer.from('!<arhc>\nxxxxxxxx'))), /not an ar archive/);
  });
});

describe('inspect: ELF and Mach-O headers', () => {
  it('bad magic and truncation are read errors with a message', () => {
    assert.throws(() => readElf(new BufferSource(Buffer.from('not an elf file at all'))), /not an ELF file/);
    const header = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]).copy(header);
    header.writeBigUInt64LE(10000n, 40); // e_shoff past the end
    header.writeUInt16LE(64, 58);
    header.writeUInt16LE(3, 60);
    assert.throws(() => readElf(new BufferSource(header)), /truncated file/);
    assert.throws(() => readElf(new BufferSource(header.subarray(0, 20))), /truncated file/);
    assert.throws(() => readMachO(new BufferSource(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0]))), /truncated file/);
    assert.throws(() => readMachO(new BufferSource(Buffer.from('\x7fELF........'))), /not a Mach-O file/);
  });

  it('a Mach-O with load commands past the end is a read error', () => {
    const header = Buffer.alloc(32);
    header.writeUInt32LE(0xfeedfacf, 0);
    header.writeUInt32LE(0x0100000c, 4);
    header.writeUInt32LE(2, 12);
    header.writeUInt32LE(1, 16);
    header.writeUInt32LE(4096, 20);
    assert.throws(() => readMachO(new BufferSource(header)), /load commands/);
  });

  it('universal: slices by architecture; a slice past the end is a read error', () => {
    const fat = Buffer.alloc(8 + 40);
    fat.writeUInt32BE(0xcafebabe, 0);
    fat.writeUInt32BE(2, 4);
    fat.writeUInt32BE(0x01000007, 8);
    fat.writeUInt32BE(3, 12);
    fat.writeUInt32BE(48, 16);
    fat.writeUInt32BE(0, 20);
    fat.writeUInt32BE(0x0100000c, 28);
    fat.writeUInt32BE(0, 32);
    fat.writeUInt32BE(48, 36);
    fat.writeUInt32BE(0, 40);
    assert.deepEqual(
      readFatSlices(new BufferSource(fat)).map((s) => s.arch),
      ['x86_64', 'arm64'],
    );
    fat.writeUInt32BE(4096, 40);
    assert.throws(() => readFatSlices(new BufferSource(fat)), /truncated universal binary: the arm64 slice/);
  });
});

/** A compile unit with a producer, a name and one subprogram, in DWARF 4 (inline strings) or 5 (strx1). */
function dwarf(version: 4 | 5): Parameters<typeof readCompileUnits>[0] {
  const uleb = (n: number) => Buffer.from([n]);
  const strx = version === 5;
  const form = strx ? 0x25 : 0x08;
  const abbrev = Buffer.concat([
    uleb(1),
    uleb(0x11),
    Buffer.from([1]),
    uleb(0x25),
    uleb(form),
    uleb(0x03),
    uleb(form),
    ...(strx ? [uleb(0x72), uleb(0x17)] : []),
    uleb(0),
    uleb(0),
    uleb(2),
    uleb(0x2e),
    Buffer.from([0]),
    uleb(0x03),
    uleb(form),
    uleb(0x3f),
    uleb(0x19),
    uleb(0),
    uleb(0),
    uleb(0),
  ]);
  const strings = ['clang version 14.0.6', 'lib.c', 'old_lib_work'];
  const str = Buffer.from(strings.map((s) => `${s}\0`).join(''));
  const strOffsets = Buffer.alloc(8 + 12);
  strOffsets.writeUInt32LE(16, 0);
  strOffsets.writeUInt16LE(5, 4);
  let at = 0;
  strings.forEach((s, i) => {
    strOffsets.writeUInt32LE(at, 8 + i * 4);
    at += s.length + 1;
  });
  const value = (i: number) => (strx ? Buffer.from([i]) : Buffer.from(`${strings[i]}\0`));
  const base = Buffer.alloc(4);
  base.writeUInt32LE(8, 0);
  const dies = Buffer.concat([uleb(1), value(0), value(1), ...(strx ? [base] : []), uleb(2), value(2), uleb(0)]);
  const header = version === 5 ? Buffer.from([5, 0, 1, 8, 0, 0, 0, 0]) : Buffer.from([4, 0, 0, 0, 0, 0, 8]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length + dies.length, 0);
  return {
    info: Buffer.concat([length, header, dies]),
    abbrev,
    str: strx ? str : null,
    lineStr: null,
    strOffsets: strx ? strOffsets : null,
    little: true,
  };
}

describe('inspect: DWARF compile units', () => {
  for (const version of [4, 5] as const) {
    it(`DWARF ${version}: producer, name and the functions a unit defines`, () => {
      const [unit] = readCompileUnits(dwarf(version));
      assert.equal(unit.producer, 'clang version 14.0.6');
      assert.equal(unit.name, 'lib.c');
      assert.deepEqual([...unit.functions], ['old_lib_work']);
    });
  }

  it('a unit longer than .debug_info is a read error', () => {
    const sections = dwarf(4);
    assert.throws(
      () => readCompileUnits({ ...sections, info: sections.info.subarray(0, sections.info.length - 5) }),
      /truncated .debug_info/,
    );
  });
});

describe('inspect: producers -> raw versions', () => {
  const cases: Array<[string, string, number | null]> = [
    ['Debian clang version 14.0.6', 'clang 14', 8],
    ['Debian clang version 19.1.7 (3~deb12u1)', 'clang 19', 10],
    ['Ubuntu clang version 18.1.3 (1ubuntu1)', 'clang 18', 9],
    ['clang version 17.0.6', 'clang 17', 8],
    ['Apple clang version 16.0.0 (clang-1600.0.26.6)', 'Apple clang 16.0', 8],
    ['Apple clang version 17.0.0 (clang-1700.0.13.3)', 'Apple clang 17.0', 10],
    ['clang LLVM (rustc version 1.95.0 (59807616e 2026-04-14))', 'rustc 1.95.0', 10],
    ['clang LLVM (rustc version 1.80.1 (3f5fd8dd4 2024-08-06))', 'rustc 1.80.1', 9],
    ['clang LLVM (rustc version 1.75.0 (82e1608df 2023-12-21))', 'rustc 1.75.0', 8],
    ['clang version 12.0.1', 'clang 12', null],
  ];
  for (const [producer, label, raw] of cases) {
    it(`${producer} -> ${label}, raw version ${raw}`, () =>
      assert.deepEqual(compilerOf(producer), { label, rawVersion: raw }));
  }
  it('GCC is not an LLVM compiler', () => assert.equal(compilerOf('GNU C17 12.2.0 -mtune=generic -O2'), null));
});

describe('inspect: names from the file are escaped for terminals', () => {
  it('control characters and bidi overrides become visible escapes', () => {
    assert.equal(escapeText('f\x1b[31mred\x07\u202e'), 'f\\x1b[31mred\\x07\\u{202e}');
    assert.equal(escapeText('plain_name.c;fn'), 'plain_name.c;fn');
  });
});
