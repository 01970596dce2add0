import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectProfileFolder, type ProfileFileFacts, type ProfileOutputCheck } from '../../src/profile/output';
import { parseProfrawHeader, runtimeMessages } from '../../src/profile/profraw';
import { llvmProfdataOnPath } from '../../src/profile/llvm-profdata';
import { appendProfileCheck, PROFILE_OUTPUT_MARKER, profileCheckOfMarker } from '../../src/profile/recorded';
import { buildReport } from '../../src/timeline/report';
import { NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';
import { judgeProfileOutput } from '../../src/timeline/verdict-profile-output';

const PID = 4242;
const MISMATCH = 'LLVM Profile Error: Runtime and instrumentation version mismatch : expected 10, but get 8';

/** The first 16 bytes of a raw profile: magic, then the version word (variant flags above bit 32). */
function header(magic: bigint, version: bigint, littleEndian = true): Buffer {
  const buffer = Buffer.alloc(16);
  if (littleEndian) {
    buffer.writeBigUInt64LE(magic, 0);
    buffer.writeBigUInt64LE(version, 8);
  } else {
    buffer.writeBigUInt64BE(magic, 0);
    buffer.writeBigUInt64BE(version, 8);
  }
  return buffer;
}

function file(name: string, facts: Partial<ProfileFileFacts> = {}): ProfileFileFacts {
  return {
    path: `/p/${name}`,
    size: 100,
    magic: 'raw-64',
    rawVersion: 10,
    accepted: true,
    toolMessage: 'accepted',
    ...facts,
  };
}

function check(files: ProfileFileFacts[], extra: Partial<ProfileOutputCheck> = {}): ProfileOutputCheck {
  return {
    folder: '/p',
    kept: false,
    files,
    runtimeMessages: [],
    messagesFrom: 'program-output-files',
    llvmProfdata: '/usr/bin/llvm-profdata-19',
    notChecked: null,
    ...extra,
  };
}

/** A run that launched, reached main and exited with `status` (or crashed in the writer). */
function timeline(status: number | 'crash') {
  const s = new Scenario(PID);
  s.resolveRoles(NO_ALLOCATOR_ROLES);
  s.launched(PID);
  s.hit('main', 'main');
  if (status === 'crash') {
    s.hit('profile-write', 'writeFileWithoutReturn', { callers: ['__run_exit_handlers', 'exit'] });
    s.signal('SIGSEGV', ['initializeValueProfRuntimeRecord', 'writeOneValueProfData', '__llvm_profile_write_file']);
    return s.build({ kind: 'signaled', signal: 'SIGSEGV' });
  }
  s.hit('process-exit', 'exit');
  s.exit(status);
  return s.build();
}

describe('profraw header', () => {
  it('reads the 64-bit magic and the raw version under its variant flags', () => {
    const parsed = parseProfrawHeader(header(0xff6c70726f667281n, (1n << 56n) | 10n));
    assert.deepEqual(parsed, { magic: 'raw-64', rawVersion: 10 });
  });

  it('reads the 32-bit magic, and a big-endian writer', () => {
    assert.deepEqual(parseProfrawHeader(header(0xff6c70726f665281n, 8n)), { magic: 'raw-32', rawVersion: 8 });
    assert.deepEqual(parseProfrawHeader(header(0xff6c70726f667281n, 9n, false)), {
      magic: 'raw-64-swapped',
      rawVersion: 9,
    });
  });

  it('says unknown for anything else, and no version for a short file', () => {
    assert.deepEqual(parseProfrawHeader(Buffer.from('not a profile at all')), { magic: 'unknown', rawVersion: null });
    assert.deepEqual(parseProfrawHeader(header(0xff6c70726f667281n, 10n).subarray(0, 12)), {
      magic: 'raw-64',
      rawVersion: null,
    });
    assert.deepEqual(parseProfrawHeader(Buffer.alloc(3)), { magic: 'unknown', rawVersion: null });
  });
});

describe('the profile runtime messages quoted from the program output', () => {
  it('keeps the "LLVM Profile Error" lines only, from where the mark starts', () => {
    const out = `hello\n${MISMATCH}\nprefix: LLVM Profile Error: Failed to write file "x": No space\nbye`;
    assert.deepEqual(runtimeMessages([out]), [MISMATCH, 'LLVM Profile Error: Failed to write file "x": No space']);
  });

  it('removes escapes and control bytes a hostile program adds, and bounds length and count', () => {
    const hostile = `\x1b[2J\x1b]0;title\x07LLVM Profile Error: \x1b[31mred\x1b[0m\x07\x08 done`;
    assert.deepEqual(runtimeMessages([hostile]), ['LLVM Profile Error: red done']);
    const long = runtimeMessages([`LLVM Profile Error: ${'x'.repeat(1000)}`])[0];
    assert.ok(long.length <= 303 && long.endsWith('...'));
    assert.equal(runtimeMessages([`${'LLVM Profile Error: again\n'.repeat(100)}`]).length, 20);
  });
});

describe('profile_output verdict', () => {
  it('is not-checked in a replay (no facts)', () => {
    assert.equal(judgeProfileOutput(timeline(0), undefined).result, 'not-checked');
  });

  it("is not-written when no file carries the run's pid (another run's file does not count)", () => {
    const v = judgeProfileOutput(timeline(0), check([file('capture-999.profraw')]));
    assert.equal(v.result, 'not-written');
    assert.deepEqual(v.files, []);
    assert.equal(v.exitStatus, 0);
  });

  it('is empty for a 0-byte file, and quotes the runtime', () => {
    const v = judgeProfileOutput(
      timeline(0),
      check([file(`capture-${PID}.profraw`, { size: 0, magic: null, rawVersion: null, accepted: null })], {
        runtimeMessages: [MISMATCH],
      }),
    );
    assert.equal(v.result, 'empty');
    assert.ok(v.reason.includes(JSON.stringify(MISMATCH)), v.reason);
  });

  it('is invalid without the raw magic, or when llvm-profdata rejects the file', () => {
    const noMagic = judgeProfileOutput(
      timeline(0),
      check([file(`capture-${PID}.profraw`, { magic: 'unknown', rawVersion: null })]),
    );
    assert.equal(noMagic.result, 'invalid');
    const rejected = judgeProfileOutput(
      timeline(0),
      check([
        file(`capture-${PID}.profraw`, { accepted: false, toolMessage: 'malformed instrumentation profile data' }),
      ]),
    );
    assert.equal(rejected.result, 'invalid');
    assert.match(rejected.reason, /llvm-profdata-19 rejects it \(.*malformed/);
  });

  it('is valid when llvm-profdata accepts it, and says where the kept file is', () => {
    const v = judgeProfileOutput(timeline(0), check([file(`capture-${PID}.profraw`)], { kept: true, folder: '/keep' }));
    assert.equal(v.result, 'valid');
    assert.match(v.reason, /in \/keep \(kept\)/);
  });

  it('is not-checked when the header looks right but no llvm-profdata was found', () => {
    const v = judgeProfileOutput(
      timeline(0),
      check([file(`capture-${PID}.profraw`, { accepted: null, toolMessage: null })], { llvmProfdata: null }),
    );
    assert.equal(v.result, 'not-checked');
    assert.match(v.reason, /--llvm-profdata PATH/);
  });
});

describe('diagnosis: a failed training run', () => {
  it('exit 0 with an empty profile and the version mismatch: said, with the CFLAGS fix', () => {
    const facts = check([file(`capture-${PID}.profraw`, { size: 0, magic: null, rawVersion: null, accepted: null })], {
      runtimeMessages: [MISMATCH],
    });
    const report = buildReport(timeline(0), { profileOutput: facts });
    assert.equal(report.diagnosis.conclusion, 'no-crash');
    assert.match(report.diagnosis.summary, /exited with status 0, but the profile is empty .*a failed training run/);
    assert.match(report.diagnosis.nextStep, /-fno-profile-generate/);
  });

  it('exit 0 with no profile and no message: how to make the program write one', () => {
    const report = buildReport(timeline(0), { profileOutput: check([]) });
    assert.match(report.diagnosis.summary, /no profile was written: a failed training run/);
    assert.match(report.diagnosis.nextStep, /_exit/);
  });

  it('a valid profile changes nothing; nor does a crash (the crash is the story)', () => {
    const valid = buildReport(timeline(0), { profileOutput: check([file(`capture-${PID}.profraw`)]) });
    assert.doesNotMatch(valid.diagnosis.summary, /training run/);
    const crashed = buildReport(timeline('crash'), { profileOutput: check([]) });
    assert.doesNotMatch(crashed.diagnosis.summary, /training run/);
  });
});

describe('profile folder inspection (files on disk, no tool)', () => {
  it('lists every .profraw with size, magic and version; ignores other files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-unit-prof-'));
    try {
      fs.writeFileSync(path.join(dir, 'capture-1.profraw'), header(0xff6c70726f667281n, 10n));
      fs.writeFileSync(path.join(dir, 'capture-2.profraw'), '');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
      const out = path.join(dir, 'stderr');
      fs.writeFileSync(out, `${MISMATCH}\n`);
      const found = inspectProfileFolder({ folder: dir, kept: false, outputFiles: [out, null], llvmProfdata: null });
      assert.deepEqual(
        found.files.map((f) => [path.basename(f.path), f.size, f.magic, f.rawVersion, f.accepted]),
        [
          ['capture-1.profraw', 16, 'raw-64', 10, null],
          ['capture-2.profraw', 0, null, null, null],
        ],
      );
      assert.deepEqual(found.runtimeMessages, [MISMATCH]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds llvm-profdata-NN on PATH, highest version first', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-unit-tools-'));
    try {
      for (const name of ['llvm-profdata', 'llvm-profdata-14', 'llvm-profdata-19', 'llvm-profdata-x']) {
        fs.writeFileSync(path.join(dir, name), '#!/bin/sh\n', { mode: 0o755 });
      }
      assert.deepEqual(
        llvmProfdataOnPath(dir).map((f) => path.basename(f)),
        ['llvm-profdata-19', 'llvm-profdata-14', 'llvm-profdata'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a crash inside the profile runtime mid-run, with the check made at main', () => {
  it('is attributed to the corrupt profile data, with the CFLAGS fix (no experiment)', () => {
    const s = new Scenario(PID);
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    s.launched(PID);
    s.hit('main', 'main');
    const check = s.integrity('corrupt', 'record 5 of raw version 8 in a raw-version-10 runtime');
    const crash = s.signal('SIGSEGV', [
      'instrumentTargetValueImpl',
      '__llvm_profile_instrument_target',
      'dx_c_alloc',
      'main',
    ]);
    const report = buildReport(s.build({ kind: 'signaled', signal: 'SIGSEGV' }));
    assert.equal(report.verdicts.crash.result, 'attributed-to-corrupt-profile-data');
    assert.equal(report.verdicts.crash.writerFrame?.symbol, 'instrumentTargetValueImpl');
    assert.deepEqual(report.verdicts.crash.evidence, [check, crash]);
    assert.equal(report.diagnosis.conclusion, 'corrupt-profile-data');
    assert.match(report.diagnosis.nextStep, /-fno-profile-generate/);
    assert.doesNotMatch(report.diagnosis.nextStep, /--experiment/);
  });
});

describe('the profile check recorded as an asciicast marker', () => {
  it('round-trips, and a marker of the wrong shape is ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-unit-marker-'));
    try {
      const cast = path.join(dir, 'x.cast');
      fs.writeFileSync(
        cast,
        '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi"]\n[1.25, "m", "lldb-exit 0"]\n',
      );
      const facts = check([file(`capture-${PID}.profraw`)], { runtimeMessages: [MISMATCH] });
      appendProfileCheck(cast, facts);
      const last = JSON.parse(fs.readFileSync(cast, 'utf8').trim().split('\n').pop()!) as [number, string, string];
      assert.equal(last[0], 1.25);
      assert.equal(last[1], 'm');
      assert.deepEqual(profileCheckOfMarker(last[2]), facts);
      assert.equal(profileCheckOfMarker(`${PROFILE_OUTPUT_MARKER}{"folder": 3}`), null);
      assert.equal(profileCheckOfMarker(`${PROFILE_OUTPUT_MARKER}not json`), null);
      assert.equal(profileCheckOfMarker('lldb-exit 0'), null);
      const cut = path.join(dir, 'cut.cast');
      fs.writeFileSync(cut, '{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "partial');
      appendProfileCheck(cut, facts);
      assert.equal(fs.readFileSync(cut, 'utf8').endsWith('"partial'), true, 'a cut recording is left as it is');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
