/**
 * Bad input and failing environments: each gets a clear message and the documented exit code
 * (0 capture complete, 1 tool or environment error, 2 usage error, 3 verdict differs from --expect).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, captureJson, runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { survivors } from '../helpers/processes';
// This clone's LLDBs: their command line imports this clone's script (other clones run tests too).
import { SCRIPT_PATH } from '../../src/session/capture';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dx-errors-'));
}

describe('errors and exit codes', function () {
  this.timeout(120000);

  it('LLDB not found: exit 1, naming --lldb and the setup command', async () => {
    const run = await runCli(['capture', '--lldb', '/nonexistent/lldb-99', '--', fixture('profile-first')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /LLDB not found: \/nonexistent\/lldb-99/);
    assert.match(run.stderr, /--lldb PATH/);
    assert.match(run.stderr, /npm run setup/);
    assert.equal(run.stdout, '');
  });

  it('LLDB not in PATH at all: exit 1 with the same advice', async () => {
    // A PATH with node and nothing else.
    const dir = tempDir();
    fs.symlinkSync(process.execPath, path.join(dir, 'node'));
    const run = await runCli(['capture', '--', fixture('profile-first')], { env: { ...process.env, PATH: dir } });
    fs.rmSync(dir, { recursive: true });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /LLDB not found: lldb-19 or lldb/);
  });

  it('program missing: exit 2, checked before LLDB starts', async () => {
    // A missing LLDB as well: the program is checked first, so LLDB is never looked for.
    const run = await runCli(['capture', '--lldb', '/nonexistent/lldb', '--', '/no/such/program']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /program not found: \/no\/such\/program/);
    assert.doesNotMatch(run.stderr, /LLDB/);
  });

  it('program not executable: exit 2 with what to do', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-program.txt');
    fs.writeFileSync(file, 'hello\n');
    const run = await runCli(['capture', '--', file]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not an executable file/);
    assert.match(run.stderr, /chmod \+x/);
  });

  it('usage errors: exit 2', async () => {
    for (const args of [
      ['capture'],
      ['capture', '--format', 'xml', '--', 'x'],
      ['capture', '--timeout', '-1', '--', 'x'],
      ['frobnicate'],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /debug-exit: error: /);
    }
  });

  it('a program that never exits is killed at --timeout: partial timeline kept, verdict inconclusive', async () => {
    const marker = fixture('loop-forever');
    const { run, report } = await captureJson(['--timeout', '2'], [marker]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.outcome.kind, 'timeout');
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'inconclusive');
    assert.match(report.verdicts.allocator_cleanup_first.reason, /timeout/);
    assert.ok(
      report.events.some((e) => e.kind === 'hit' && e.symbol === 'main'),
      'the hits before the timeout are kept',
    );
    assert.deepEqual(await survivors(marker), []);
  });

  it('--expect: exit 3 when the verdict differs, 0 when it matches', async () => {
    const differs = await runCli(['capture', '--quiet', '--expect', 'confirmed', '--', fixture('profile-first')]);
    assert.equal(differs.code, 3, differs.stderr);
    assert.match(differs.stderr, /expected allocator-cleanup-first confirmed, got refuted/);
    const matches = await runCli(['capture', '--quiet', '--expect', 'refuted', '--', fixture('profile-first')]);
    assert.equal(matches.code, 0, matches.stderr);
  });

  it('LLDB dying mid-session: exit 1, its last output shown, nothing left running, the recording replays', async () => {
    const dir = tempDir();
    const wrapper = path.join(dir, 'dying-lldb');
    const cast = path.join(dir, 'dying.cast');
    // Starts the real LLDB, then kills it 4 s later, after saying so on LLDB's own terminal. The
    // killer ignores SIGHUP: LLDB's TIOCNOTTY at start-up sends one to its process group.
    fs.writeFileSync(
      wrapper,
      '#!/bin/bash\n(trap "" HUP; sleep 4; echo "lldb wrapper: killing LLDB now"; kill -9 $$) &\nexec lldb-19 "$@"\n',
      { mode: 0o755 },
    );
    const marker = fixture('loop-forever');
    const run = await runCli([
      'capture',
      '--quiet',
      '--format',
      'json',
      '--record',
      cast,
      '--lldb',
      wrapper,
      '--timeout',
      '60',
      '--',
      marker,
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /LLDB exited during the session/);
    assert.match(run.stderr, /LLDB's last output:[\s\S]*lldb wrapper: killing LLDB now/);
    const live = JSON.parse(run.stdout) as { outcome: { kind: string } };
    assert.equal(live.outcome.kind, 'lldb-died', 'the partial report is still printed');
    assert.deepEqual(await survivors(marker), []);
    const replayed = await runCli(['replay', '--format', 'json', cast]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, run.stdout);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to debug-exit mid-capture: partial report, nothing left running, the recording replays`, async () => {
      const dir = tempDir();
      const cast = path.join(dir, 'stopped.cast');
      const marker = fixture('loop-forever');
      const child = spawn(BIN, ['capture', '--quiet', '--format', 'json', '--record', cast, '--', marker], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Wait until the program is running under LLDB (its main probe hit is in the recording).
      await pollUntil(
        () => fs.existsSync(cast) && fs.readFileSync(cast, 'utf8').includes('\\"symbol\\":\\"main\\"'),
        20000,
      );
      child.kill(signal);
      const code = await closed;
      assert.equal(code, 1, stderr);
      assert.match(stderr, /capture stopped before the program finished/);
      const report = JSON.parse(stdout) as {
        outcome: { kind: string };
        verdicts: { allocator_cleanup_first: { result: string; reason: string } };
      };
      assert.equal(report.outcome.kind, 'interrupted');
      assert.equal(report.verdicts.allocator_cleanup_first.result, 'inconclusive');
      assert.match(report.verdicts.allocator_cleanup_first.reason, /stopped by the user/);
      assert.deepEqual(await survivors(marker), []);
      assert.deepEqual(await survivors(SCRIPT_PATH), []);
      const replayed = await runCli(['replay', '--format', 'json', cast]);
      fs.rmSync(dir, { recursive: true });
      assert.equal(replayed.code, 0, replayed.stderr);
      const fromRecording = JSON.parse(replayed.stdout) as { outcome: { kind: string }; events: unknown[] };
      assert.equal(fromRecording.outcome.kind, 'cut');
      assert.ok(fromRecording.events.length > 0);
    });
  }
});

async function pollUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
