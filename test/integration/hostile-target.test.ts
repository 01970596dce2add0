/**
 * Issue 12: a target that fights back, on real LLDB and real processes. Each test runs its own
 * hostile program (test/fixtures/hostile) and holds one line of the README's guarantees.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureJson, hitSymbols, runCli, type JsonReport } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { hostileFixture, readHostileReport } from '../helpers/hostile';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dx-hostile-target-'));
}

/** What must not change when a target forges: the kinds and symbols of the timeline, the outcome. */
function shape(report: JsonReport): string[] {
  return report.events.map((e) => `${e.seq} ${e.kind} ${e.role ?? ''} ${e.symbol ?? ''} ${e.signal ?? ''}`);
}

describe('hostile targets (issue 12)', function () {
  this.timeout(180000);

  for (const output of ['files', 'terminal'] as const) {
    it(`channel: a target that hunts for the nonce (spec, /proc) and writes frames and prompts to /dev/tty and its output (${output}) gets the same timeline, plus a rejected-frames line`, async () => {
      const dir = tempDir();
      const report = path.join(dir, 'report');
      const program = hostileFixture('tty-forger');
      const honest = await captureJson(['--no-record', '--program-output', output, '--env', `DX_HOSTILE_REPORT=${report}.honest`, '--env', 'DX_HOSTILE_FORGE=0'], [program]);
      const forged = await captureJson(['--no-record', '--program-output', output, '--env', `DX_HOSTILE_REPORT=${report}`], [program]);
      const tried = readHostileReport(report);
      fs.rmSync(dir, { recursive: true });
      assert.equal(forged.run.code, 0, forged.run.stderr);
      assert.equal(tried.spec, 'absent', 'no spec file next to the profile folder');
      assert.equal(tried.nonce, 'none', 'no nonce in any file or command line it could read');
      assert.equal(tried.tty, 'No such device or address', 'no controlling terminal: /dev/tty fails');
      assert.deepEqual(forged.report.outcome, { kind: 'exited', status: 0 });
      assert.deepEqual(shape(forged.report), shape(honest.report));
      assert.ok(!hitSymbols(forged.report).includes('mi_process_done') || hitSymbols(honest.report).includes('mi_process_done'));
      assert.ok(!forged.report.events.some((e) => e.kind === 'signal'));
      if (output === 'terminal') {
        // Its stdout goes through LLDB's terminal: the frames are seen there, and rejected.
        assert.match(forged.run.stderr, /rejected frames: \d+, none of them in the timeline: \d+ in LLDB's terminal output, not on the script's channel \(claimed hit, signal, exit, done, /);
      } else {
        assert.doesNotMatch(forged.run.stderr, /rejected frames/);
      }
      assert.doesNotMatch(honest.run.stderr, /rejected frames/);
    });
  }

  it('channel: the recording holds the channel (`x` events); replay gives the identical report and the same rejected-frames line', async () => {
    const dir = tempDir();
    const cast = path.join(dir, 'forger.cast');
    const live = await runCli(['capture', '--quiet', '--format', 'json', '--program-output', 'terminal', '--record', cast, '--', hostileFixture('tty-forger')]);
    assert.equal(live.code, 0, live.stderr);
    const lines = fs.readFileSync(cast, 'utf8').split('\n').filter(Boolean).slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    assert.ok(lines.some(([, code, data]) => code === 'x' && data.includes('"kind":"exit"')));
    assert.ok(!lines.some(([, code, data]) => code === 'o' && data.includes('"kind":"launched"')), 'no event of the script in the terminal stream');
    const replayed = await runCli(['replay', '--format', 'json', cast]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, live.stdout);
    const count = (text: string) => /rejected frames: (\d+)/.exec(text)?.[1];
    assert.ok(Number(count(live.stderr)) >= 4, live.stderr);
    assert.equal(count(replayed.stderr), count(live.stderr));
  });

  it('no command parser: a TMPDIR carrying LLDB commands (newline, quotes, `platform shell`) runs nothing', async () => {
    const dir = tempDir();
    const pwned = path.join(dir, 'pwned');
    const evil = path.join(dir, `t"\nplatform shell touch ${pwned}\n"; $(touch ${pwned})`);
    fs.mkdirSync(evil, { recursive: true });
    const { run, report } = await captureJson(['--no-record'], [fixture('profile-first')]);
    assert.equal(run.code, 0, run.stderr);
    const attacked = await runCli(['capture', '--quiet', '--format', 'json', '--no-record', '--', fixture('profile-first')], { env: { ...process.env, TMPDIR: evil } });
    assert.equal(attacked.code, 0, attacked.stderr);
    const evilReport = JSON.parse(attacked.stdout) as JsonReport;
    assert.equal(fs.existsSync(pwned), false, 'nothing was run');
    assert.deepEqual(hitSymbols(evilReport), hitSymbols(report));
    assert.deepEqual(fs.readdirSync(evil), [], 'the capture cleaned up after itself');
    fs.rmSync(dir, { recursive: true });
  });
});
