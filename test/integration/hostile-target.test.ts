/**
 * Issue 12: a target that fights back, on real LLDB and real processes. Each test runs its own
 * hostile program (test/fixtures/hostile) and holds one line of the README's guarantees.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, captureJson, hitSymbols, runCli, type JsonReport } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { hostileFixture, readHostileReport } from '../helpers/hostile';
import { survivors } from '../helpers/processes';

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
      const honest = await captureJson(
        [
          '--no-record',
          '--program-output',
          output,
          '--env',
          `DX_HOSTILE_REPORT=${report}.honest`,
          '--env',
          'DX_HOSTILE_FORGE=0',
        ],
        [program],
      );
      const forged = await captureJson(
        ['--no-record', '--program-output', output, '--env', `DX_HOSTILE_REPORT=${report}`],
        [program],
      );
      const tried = readHostileReport(report);
      fs.rmSync(dir, { recursive: true });
      assert.equal(forged.run.code, 0, forged.run.stderr);
      assert.equal(tried.spec, 'absent', 'no spec file next to the profile folder');
      assert.equal(tried.nonce, 'none', 'no nonce in any file or command line it could read');
      assert.equal(tried.tty, 'No such device or address', 'no controlling terminal: /dev/tty fails');
      assert.deepEqual(forged.report.outcome, { kind: 'exited', status: 0 });
      assert.deepEqual(shape(forged.report), shape(honest.report));
      assert.ok(
        !hitSymbols(forged.report).includes('mi_process_done') || hitSymbols(honest.report).includes('mi_process_done'),
      );
      assert.ok(!forged.report.events.some((e) => e.kind === 'signal'));
      if (output === 'terminal') {
        // Its stdout goes through LLDB's terminal: the frames are seen there, and rejected.
        assert.match(
          forged.run.stderr,
          /rejected frames: \d+, none of them in the timeline: \d+ in LLDB's terminal output, not on the script's channel \(claimed hit, signal, exit, done, /,
        );
      } else {
        assert.doesNotMatch(forged.run.stderr, /rejected frames/);
      }
      assert.doesNotMatch(honest.run.stderr, /rejected frames/);
    });
  }

  it('channel: the recording holds the channel (`x` events); replay gives the identical report and the same rejected-frames line', async () => {
    const dir = tempDir();
    const cast = path.join(dir, 'forger.cast');
    const live = await runCli([
      'capture',
      '--quiet',
      '--format',
      'json',
      '--program-output',
      'terminal',
      '--record',
      cast,
      '--',
      hostileFixture('tty-forger'),
    ]);
    assert.equal(live.code, 0, live.stderr);
    const lines = fs
      .readFileSync(cast, 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(1)
      .map((l) => JSON.parse(l) as [number, string, string]);
    assert.ok(lines.some(([, code, data]) => code === 'x' && data.includes('"kind":"exit"')));
    assert.ok(
      !lines.some(([, code, data]) => code === 'o' && data.includes('"kind":"launched"')),
      'no event of the script in the terminal stream',
    );
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
    const attacked = await runCli(
      ['capture', '--quiet', '--format', 'json', '--no-record', '--', fixture('profile-first')],
      { env: { ...process.env, TMPDIR: evil } },
    );
    assert.equal(attacked.code, 0, attacked.stderr);
    const evilReport = JSON.parse(attacked.stdout) as JsonReport;
    assert.equal(fs.existsSync(pwned), false, 'nothing was run');
    assert.deepEqual(hitSymbols(evilReport), hitSymbols(report));
    assert.deepEqual(fs.readdirSync(evil), [], 'the capture cleaned up after itself');
    fs.rmSync(dir, { recursive: true });
  });
});

/** The pid the script reported launching, read from a recording's channel as it is written. */
function launchedPid(cast: string): number | undefined {
  if (!fs.existsSync(cast)) return undefined;
  const m = /\\"kind\\":\\"launched\\",\\"pid\\":(\d+)/.exec(fs.readFileSync(cast, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

async function pollUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** LLDB processes whose parent is `pid` (debug-exit's LLDB), or that still run in `session`. */
function lldbOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && /lldb/.test(cmdline)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

describe('hostile targets (issue 12): nothing left running', function () {
  this.timeout(180000);

  for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
    it(`${signal} to debug-exit mid-capture leaves no target, no LLDB and no temp file`, async () => {
      const tmp = tempDir();
      const castDir = tempDir();
      const cast = path.join(castDir, 'killed.cast');
      const marker = fixture('loop-forever');
      const child = spawn(BIN, ['capture', '--quiet', '--format', 'json', '--record', cast, '--', marker], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const pid = await pollUntil(() => launchedPid(cast), 30000, 'the launch');
      const lldb = await pollUntil(() => lldbOf(child.pid!)[0], 5000, 'LLDB');
      assert.ok(fs.readdirSync(tmp).length > 0, 'the capture has its temp folder');
      child.kill(signal);
      const code = await closed;
      if (signal === 'SIGHUP') {
        assert.equal(code, 1, stderr);
        assert.match(stderr, /capture stopped before the program finished/);
      }
      await pollUntil(
        () => (alive(pid) || alive(lldb) || fs.readdirSync(tmp).length > 0 ? undefined : true),
        10000,
        `the target ${pid}, LLDB ${lldb} and ${tmp} to go`,
      );
      assert.deepEqual(await survivors(marker), []);
      fs.rmSync(tmp, { recursive: true });
      fs.rmSync(castDir, { recursive: true });
    });
  }

  it('a grandchild that ignores SIGTERM is killed at the end, and reported', async () => {
    const dir = tempDir();
    const report = path.join(dir, 'grandchild');
    const { run } = await captureJson(
      ['--no-record', '--env', `DX_HOSTILE_REPORT=${report}`],
      [hostileFixture('leaves-grandchild')],
    );
    const grandchild = Number(fs.readFileSync(report, 'utf8').trim());
    fs.rmSync(dir, { recursive: true });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(grandchild > 0);
    assert.match(run.stderr, new RegExp(`the program left 1 process running \\(pid ${grandchild}\\); it was killed`));
    await pollUntil(() => (alive(grandchild) ? undefined : true), 5000, `pid ${grandchild} to go`);
  });
});
