/**
 * Foreign instrumentation in every form it takes (scripts/build-fixtures-foreign.sh): a Rust
 * program whose C global allocator was instrumented by clang-14 (crash mid-run), the same with
 * value profiling off (crash at exit), clang-19 (consistent) and not instrumented (the fix); and
 * the version-symbol pair (the old object first: no profile; last: a profile llvm-profdata
 * rejects). Ground truth first, from plain lldb-19 --batch or from running the program; then what
 * debug-exit says about each on real LLDB.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchRun } from '../helpers/lldb-batch';
import { captureJson, runCli } from '../helpers/cli';
import { foreignFixture } from '../helpers/foreign-fixtures';

const PROFDATA = 'llvm-profdata-19';
const MISMATCH = /LLVM Profile Error: Runtime and instrumentation version mismatch/;

interface PlainRun {
  status: number | null;
  stderr: string;
  /** Each profile written, with what `llvm-profdata-19 show` made of it. */
  profiles: Array<{ size: number; show: { status: number | null; output: string } }>;
}

/** The program run on its own, with a fresh LLVM_PROFILE_FILE. */
function runPlain(program: string): PlainRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-foreign-'));
  try {
    const env = { ...process.env, LLVM_PROFILE_FILE: path.join(dir, 'p-%p.profraw') };
    const result = spawnSync(program, [], { env, encoding: 'utf8', timeout: 60000 });
    const profiles = fs.readdirSync(dir).map((name) => {
      const file = path.join(dir, name);
      return { size: fs.statSync(file).size, show: profdataShow(file) };
    });
    return { status: result.status, stderr: result.stderr, profiles };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function profdataShow(file: string): { status: number | null; output: string } {
  const result = spawnSync(PROFDATA, ['show', file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface ProfileOutputJson {
  result: string;
  reason: string;
  folder: string | null;
  kept: boolean;
  files: Array<{
    path: string;
    size: number;
    magic: string | null;
    raw_version: number | null;
    accepted: boolean | null;
    tool_message: string | null;
  }>;
  runtime_messages: string[];
  llvm_profdata: string | null;
}

function profileOutputOf(report: unknown): ProfileOutputJson {
  return (report as { verdicts: { profile_output: ProfileOutputJson } }).verdicts.profile_output;
}

describe('foreign instrumentation: ground truth (plain lldb --batch, plain runs)', function () {
  this.timeout(120000);

  it('rust-c14 segfaults mid-run in __llvm_profile_instrument_target, before any profile write', () => {
    const run = batchRun(foreignFixture('rust-c14'), []);
    assert.match(run.output, /stop reason = signal SIGSEGV/, run.output);
    const crash = run.output.slice(run.output.indexOf('SIGSEGV'));
    assert.match(crash, /frame #0: .*`__llvm_profile_instrument_target/);
    assert.match(crash, /dx_c_alloc/);
    assert.doesNotMatch(crash, /__llvm_profile_write_file|writeFileWithoutReturn/);
  });

  it('rust-c14-novp segfaults at exit in initializeValueProfRuntimeRecord, inside the exit-time write', () => {
    const run = batchRun(foreignFixture('rust-c14-novp'), []);
    assert.match(run.output, /stop reason = signal SIGSEGV/, run.output);
    const crash = run.output.slice(run.output.indexOf('SIGSEGV'));
    assert.match(crash, /frame #0: .*`initializeValueProfRuntimeRecord/);
    assert.match(crash, /__llvm_profile_write_file/);
  });

  for (const name of ['rust-c19', 'rust-fixed']) {
    it(`${name} exits 0 and writes a profile ${PROFDATA} accepts`, () => {
      const run = runPlain(foreignFixture(name));
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.profiles.length, 1);
      assert.ok(run.profiles[0].size > 0);
      assert.equal(run.profiles[0].show.status, 0, run.profiles[0].show.output);
    });
  }

  it('version-old-first exits 0, prints the version mismatch and leaves a 0-byte profile', () => {
    const run = runPlain(foreignFixture('version-old-first'));
    assert.equal(run.status, 0);
    assert.match(run.stderr, MISMATCH);
    assert.deepEqual(
      run.profiles.map((p) => p.size),
      [0],
    );
  });

  it(`version-old-last exits 0 and writes a profile ${PROFDATA} rejects`, () => {
    const run = runPlain(foreignFixture('version-old-last'));
    assert.equal(run.status, 0);
    assert.doesNotMatch(run.stderr, MISMATCH);
    assert.equal(run.profiles.length, 1);
    assert.ok(run.profiles[0].size > 0);
    const show = run.profiles[0].show;
    assert.notEqual(show.status, 0);
    assert.match(show.output, /malformed instrumentation profile data/);
  });
});

describe('foreign instrumentation: what debug-exit says (real LLDB)', function () {
  this.timeout(180000);

  it('rust-c14: corrupt-profile-data, the mid-run crash attributed with the check made at main', async () => {
    const { report } = await captureJson(['--no-record'], [foreignFixture('rust-c14')]);
    assert.equal(report.diagnosis.conclusion, 'corrupt-profile-data', report.diagnosis.summary);
    assert.equal(report.verdicts.crash_attribution.result, 'attributed-to-corrupt-profile-data');
    assert.equal(report.verdicts.profile_data_integrity.result, 'corrupt');
    assert.match(report.diagnosis.summary, /__llvm_profile_instrument_target|instrumentTargetValueImpl/);
    assert.match(report.diagnosis.next_step, /-fno-profile-generate/);
    assert.doesNotMatch(report.diagnosis.next_step, /--experiment/);
    const main = report.events.find((e) => e.kind === 'hit' && e.role === 'main');
    const check = report.events.find((e) => e.kind === 'integrity');
    const crash = report.events.find((e) => e.kind === 'signal');
    assert.ok(main && check && crash);
    assert.ok(main.seq < check.seq && check.seq < crash.seq, 'integrity checked at main, before the crash');
    assert.equal(
      report.events.some((e) => e.kind === 'hit' && e.role === 'profile-write'),
      false,
      'no profile write was reached',
    );
    assert.equal(profileOutputOf(report).result, 'empty');
  });

  it('rust-c14-novp: corrupt-profile-data, crashing in the exit-time write', async () => {
    const { report } = await captureJson(['--no-record'], [foreignFixture('rust-c14-novp')]);
    assert.equal(report.diagnosis.conclusion, 'corrupt-profile-data', report.diagnosis.summary);
    assert.equal(report.verdicts.crash_attribution.result, 'attributed-to-corrupt-profile-data');
    assert.match(report.diagnosis.summary, /initializeValueProfRuntimeRecord/);
    assert.match(report.diagnosis.next_step, /-fno-profile-generate/);
  });

  for (const name of ['rust-c19', 'rust-fixed']) {
    it(`${name}: no-crash, consistent data, a valid profile`, async () => {
      const { report } = await captureJson(['--no-record'], [foreignFixture(name)]);
      assert.equal(report.diagnosis.conclusion, 'no-crash', report.diagnosis.summary);
      assert.equal(report.verdicts.profile_data_integrity.result, 'consistent');
      const output = profileOutputOf(report);
      assert.equal(output.result, 'valid', output.reason);
      assert.equal(output.files.length, 1);
      assert.equal(output.files[0].raw_version, 10);
      assert.equal(output.files[0].accepted, true);
    });
  }

  it('version-old-first: no crash, an empty profile, the runtime message quoted, a failed training run', async () => {
    const { report } = await captureJson(['--no-record'], [foreignFixture('version-old-first')]);
    assert.equal(report.outcome.kind, 'exited');
    assert.equal(report.verdicts.crash_attribution.result, 'no-crash');
    const output = profileOutputOf(report);
    assert.ok(['empty', 'not-written'].includes(output.result), output.reason);
    assert.equal(output.runtime_messages.length, 1);
    assert.match(output.runtime_messages[0], MISMATCH);
    assert.match(output.reason, MISMATCH);
    assert.match(report.diagnosis.summary, /training run/);
    assert.match(report.diagnosis.next_step, /-fno-profile-generate/);
  });

  it('version-old-last: no crash, a profile llvm-profdata rejects (invalid)', async () => {
    const { report } = await captureJson(['--no-record'], [foreignFixture('version-old-last')]);
    assert.equal(report.verdicts.crash_attribution.result, 'no-crash');
    const output = profileOutputOf(report);
    assert.equal(output.result, 'invalid', output.reason);
    assert.equal(output.files[0].accepted, false);
    assert.match(output.files[0].tool_message ?? '', /malformed/);
    assert.deepEqual(output.runtime_messages, []);
    assert.match(report.diagnosis.summary, /training run/);
  });

  it('--profile-dir and --llvm-profdata are checked before LLDB starts: exit 2 with what to do', async () => {
    const notFolder = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--profile-dir',
      '/etc/passwd',
      '--',
      foreignFixture('rust-fixed'),
    ]);
    assert.equal(notFolder.code, 2);
    assert.match(notFolder.stderr, /--profile-dir \/etc\/passwd is not a folder/);
    const noTool = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--llvm-profdata',
      '/nonexistent/llvm-profdata',
      '--',
      foreignFixture('rust-fixed'),
    ]);
    assert.equal(noTool.code, 2);
    assert.match(noTool.stderr, /is not an executable file/);
  });

  it('--profile-dir keeps the profile where the user wants it, and llvm-profdata-19 merge accepts it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-profile-dir-'));
    try {
      const kept = path.join(dir, 'profiles');
      const { report } = await captureJson(['--no-record', '--profile-dir', kept], [foreignFixture('rust-fixed')]);
      const output = profileOutputOf(report);
      assert.equal(output.result, 'valid', output.reason);
      assert.equal(output.kept, true);
      assert.equal(output.folder, kept);
      assert.match(output.reason, new RegExp(`in ${kept} \\(kept\\)`));
      const file = output.files[0].path;
      assert.equal(path.dirname(file), kept);
      assert.ok(fs.statSync(file).size > 0);
      const merged = spawnSync(PROFDATA, ['merge', '-o', path.join(dir, 'out.profdata'), file], { encoding: 'utf8' });
      assert.equal(merged.status, 0, merged.stderr);
      assert.ok(fs.statSync(path.join(dir, 'out.profdata')).size > 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('foreign instrumentation: the profile check in the recording', function () {
  this.timeout(180000);

  it('a replay of version-old-first rebuilds the same profile_output, quoted message included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-foreign-rec-'));
    try {
      const cast = path.join(dir, 'old-first.cast');
      const live = await runCli([
        'capture',
        '--quiet',
        '--format',
        'json',
        '--record',
        cast,
        '--',
        foreignFixture('version-old-first'),
      ]);
      assert.equal(live.code, 0, live.stderr);
      const replayed = await runCli(['replay', '--format', 'json', cast]);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.equal(replayed.stdout, live.stdout);
      const output = profileOutputOf(JSON.parse(replayed.stdout));
      assert.equal(output.result, 'empty');
      assert.match(output.runtime_messages[0], MISMATCH);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
