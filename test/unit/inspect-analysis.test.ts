/** inspect's judgement, pure: facts of hand-made images -> groups, result, foreign code, verdict and fix. */
import assert from 'node:assert/strict';
import { analyse, analyseImage, analyseInput } from '../../src/inspect/analysis';
import type { CompileUnit } from '../../src/inspect/dwarf';
import type { ImageFacts } from '../../src/inspect/facts';
import { nameRef, parseProfileNames } from '../../src/inspect/prf-names';
import type { LayoutRun, ProfRecord, RawVersion } from '../../src/inspect/prf-records';

function record(name: string): ProfRecord {
  return {
    offset: 0,
    nameRef: nameRef(name),
    funcHash: 0n,
    counterPtr: 0,
    numCounters: 1,
    numValueSites: [0, 0, 0],
    bitmapPtr: 0,
    numBitmapBytes: 0,
  };
}

function run(version: RawVersion, candidates: RawVersion[], names: string[]): LayoutRun {
  const size = version === 8 ? 48 : 64;
  return { version, candidates, offset: 0, recordSize: size, records: names.map(record), bytes: size * names.length };
}

function unit(name: string, producer: string, functions: string[]): CompileUnit {
  return { offset: 0, producer, name, compDir: '/src', functions: new Set(functions) };
}

function facts(runs: LayoutRun[], units: CompileUnit[], runtime: RawVersion | null, symbol: number | null): ImageFacts {
  const names = runs.flatMap((r) => r.records.map(() => '')).length === 0 ? [] : ['main', 'helper', 'old', 'old2'];
  const text = Buffer.from(names.join('\x01'));
  return {
    path: 'app',
    member: null,
    format: 'elf',
    kind: 'executable',
    arch: 'x86_64',
    dataSize: runs.reduce((n, r) => n + r.bytes, 0),
    runs,
    names: parseProfileNames(Buffer.concat([Buffer.from([text.length, 0]), text])),
    problems: [],
    rawVersionSymbol: symbol === null ? null : { value: BigInt(symbol) | (1n << 56n), section: '.rodata' },
    runtime: runtime === null ? null : { version: runtime, source: 'runtime symbols' },
    units,
    debugInfo: 'DWARF in the file',
    debugMap: [],
  };
}

function judge(image: ImageFacts) {
  return analyse([analyseInput('app', 'program', [analyseImage(image, false)], [])]);
}

const NEW = unit('main.c', 'Debian clang version 19.1.7', ['main', 'helper']);
const OLD14 = unit('old.c', 'Debian clang version 14.0.6', ['old', 'old2']);
const OLD18 = unit('old.c', 'Ubuntu clang version 18.1.3', ['old', 'old2']);

describe('inspect analysis', () => {
  it('a v8 run after v10 records: mixed, the v8 group foreign, naming its source and compiler', () => {
    const report = judge(facts([run(10, [10, 9], ['main', 'helper']), run(8, [8], ['old'])], [NEW, OLD14], 10, 10));
    assert.equal(report.result, 'mixed');
    assert.deepEqual(
      report.groups.map((g) => [g.raw_version, g.records, g.foreign, g.sources]),
      [
        [10, 2, false, ['main.c']],
        [8, 1, true, ['old.c']],
      ],
    );
    assert.deepEqual(report.groups[1].compilers, ['clang 14']);
    assert.match(
      report.verdict,
      /this source was built by clang 14 \(raw version 8\): old\.c, but the profile runtime writes raw version 10/,
    );
    assert.match(report.fix ?? '', /-fno-profile-generate.*LLVM 19 or newer/);
  });

  it('9 and 10 have one record size: the producer (clang 18) settles which, and that is mixed', () => {
    const report = judge(facts([run(10, [10, 9], ['main', 'helper', 'old', 'old2'])], [NEW, OLD18], 10, 10));
    assert.equal(report.result, 'mixed');
    assert.deepEqual(
      report.groups.map((g) => [g.raw_version, g.functions]),
      [
        [10, ['main', 'helper']],
        [9, ['old', 'old2']],
      ],
    );
  });

  it('all records of the runtime version, but the variable says 8: mixed, the version check will refuse to write', () => {
    const report = judge(facts([run(10, [10, 9], ['main', 'helper'])], [NEW], 10, 8));
    assert.equal(report.result, 'mixed');
    assert.deepEqual([report.runtime_raw_version, report.raw_version_symbol], [10, 8]);
    assert.match(report.verdict, /__llvm_profile_raw_version is 8 .*won symbol resolution.*empty profile/);
  });

  it('one version everywhere: consistent, no fix', () => {
    const report = judge(facts([run(10, [10, 9], ['main', 'helper'])], [NEW], 10, 10));
    assert.deepEqual([report.result, report.fix, report.groups.length], ['consistent', null, 1]);
  });

  it('no runtime linked in (a Mach-O program here): the newest version is the reference', () => {
    const report = judge(facts([run(8, [8], ['old']), run(10, [10, 9], ['main'])], [NEW, OLD14], null, 8));
    assert.equal(report.reference_raw_version, 8, 'the program variable comes before the newest seen');
    const objects = judge({ ...facts([run(8, [8], ['old']), run(10, [10, 9], ['main'])], [NEW, OLD14], null, null) });
    assert.equal(objects.reference_raw_version, 10);
    assert.deepEqual(
      objects.groups.filter((g) => g.foreign).map((g) => g.raw_version),
      [8],
    );
  });

  it('bytes no layout explains: unknown; no profile sections at all: not-instrumented', () => {
    const odd: LayoutRun = { version: null, candidates: [], offset: 0, recordSize: 40, records: [], bytes: 40 };
    assert.equal(judge(facts([odd], [], 10, 10)).result, 'unknown');
    const none = { ...facts([], [], null, null), dataSize: null, names: null };
    assert.equal(judge(none).result, 'not-instrumented');
  });
});
