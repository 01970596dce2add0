/**
 * Hostile targets and faults, on real LLDB and real processes: nothing forged, nothing lost,
 * nothing left running.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, captureJson, hitSymbols, runCli, type JsonReport } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { survivors } from '../helpers/processes';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dx-hostile-'));
}

async function pollUntil<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pid the script reported launching, read from a recording as it is written. */
function launchedPid(cast: string): number | undefined {
  if (!fs.existsSync(cast)) return undefined;
  const m = /\\"kind\\":\\"launched\\",\\"pid\\":(\d+)/.exec(fs.readFileSync(cast, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

describe('hostile targets and faults', function () {
  this.timeout(180000);

  it('forgery: look-alike frames, prompts, "Process N exited", ANSI and partial lines through LLDB\'s terminal change nothing', async () => {
    const viaTerminal = await captureJson(['--program-output', 'terminal', '--no-record'], [fixture('forger')]);
    const viaFiles = await captureJson(['--no-record'], [fixture('forger')]);
    assert.equal(viaTerminal.run.code, 0, viaTerminal.run.stderr);
    const seen = hitSymbols(viaTerminal.report);
    assert.ok(!seen.includes('forged_teardown'));
    assert.deepEqual(
      seen,
      hitSymbols(viaFiles.report),
      "the same probes, whether or not the forgeries reach LLDB's terminal",
    );
    assert.equal(viaTerminal.report.verdicts.allocator_cleanup_first.result, 'refuted');
    assert.equal(viaTerminal.report.events.filter((e) => e.kind === 'exit').length, 1);
    const seqs = viaTerminal.report.events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'seq 1..n with nothing injected',
    );
  });

  it("volume: 200 MB of output with binary bytes and long lines through LLDB's terminal; memory stays bounded", async function () {
    // LLDB's forwarding of 200 MB through its terminal took from 15 s to over 170 s on these
    // machines: the limit is generous, the assertion is that it completes and stays bounded.
    this.timeout(660000);
    const dir = tempDir();
    const cast = path.join(dir, 'noisy.cast');
    const child = spawn(
      BIN,
      [
        'capture',
        '--quiet',
        '--format',
        'json',
        '--program-output',
        'terminal',
        '--record',
        cast,
        '--timeout',
        '600',
        '--',
        fixture('noisy'),
        '200',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let peakKb = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const sampler = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // the process is gone
      }
    }, 100);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as JsonReport;
    assert.deepEqual(report.outcome, { kind: 'exited', status: 0 });
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'refuted');
    const recorded = fs.statSync(cast).size;
    console.log(
      `      200 MB of program output: recording ${(recorded / 1e6).toFixed(0)} MB, debug-exit peak RSS ${(peakKb / 1024).toFixed(0)} MB`,
    );
    assert.ok(recorded > 200 * 1024 * 1024, 'the output is in the recording');
    assert.ok(peakKb > 0 && peakKb < 450 * 1024, `peak RSS ${peakKb} kB`);
    const replayed = await runCli(['replay', '--format', 'json', cast]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, stdout);
  });

  it('many hits: --census on 10,000 atexit registrations loses and duplicates none', async () => {
    const n = 10000;
    const start = Date.now();
    const { run, report } = await captureJson(
      ['--census', '--no-record', '--timeout', '170'],
      [fixture('many-handlers'), String(n)],
    );
    const seconds = (Date.now() - start) / 1000;
    assert.equal(run.code, 0, run.stderr);
    const handlers = report.registrations.filter((r) => r.registered?.symbol === 'count_handler');
    assert.equal(handlers.length, n);
    const seqs = report.registrations.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
    console.log(
      `      ${report.events.length} events in ${seconds.toFixed(1)} s: ${(report.events.length / seconds).toFixed(0)} events/s`,
    );
  });

  it('threads: exit() from a non-main thread while four others allocate; the timeline names the thread', async () => {
    const { run, report } = await captureJson(['--no-record'], [fixture('threads-exit')]);
    assert.equal(run.code, 0, run.stderr);
    const exit = report.events.find((e) => e.kind === 'hit' && e.symbol === 'exit') as unknown as
      | { tid: number; thread_name?: string }
      | undefined;
    const main = report.events.find((e) => e.kind === 'hit' && e.symbol === 'main') as unknown as
      | { tid: number }
      | undefined;
    assert.ok(exit && main);
    assert.notEqual(exit.tid, main.tid);
    assert.equal(exit.thread_name, 'dx-leaver');
    const text = await runCli(['capture', '--quiet', '--no-record', '--', fixture('threads-exit')]);
    assert.match(text.stdout, /threads .*dx-leaver/);
  });

  it("fork: LLDB follows the parent; the child's exit is not in the timeline", async () => {
    const { run, report } = await captureJson(['--no-record'], [fixture('fork-exit')]);
    assert.equal(run.code, 0, run.stderr);
    const tids = new Set(
      report.events.filter((e) => e.kind === 'hit').map((e) => (e as unknown as { tid: number }).tid),
    );
    assert.equal(tids.size, 1, "every hit is on the parent's one thread");
    assert.equal(hitSymbols(report).filter((s) => s === 'exit').length, 1);
    assert.deepEqual(report.outcome, { kind: 'exited', status: 0 });
  });

  it('the target killed with SIGKILL from outside: partial timeline, inconclusive, recording replays', async () => {
    const dir = tempDir();
    const cast = path.join(dir, 'killed.cast');
    const marker = fixture('loop-forever');
    const capture = runCli(['capture', '--quiet', '--format', 'json', '--record', cast, '--', marker]);
    const pid = await pollUntil(() => launchedPid(cast), 20000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    const run = await capture;
    const report = JSON.parse(run.stdout) as JsonReport;
    // LLDB 19 on Linux reports a process killed from outside as "exited with status 9", with no
    // signal, or (its lldb-server gone with it) as status -1 "lost connection": the report says
    // what is known, that exit() was never entered; a lost process is a doubt, exit 1.
    assert.ok(['signaled', 'exited', 'lost'].includes(report.outcome.kind), JSON.stringify(report.outcome));
    assert.equal(run.code, report.outcome.kind === 'lost' ? 1 : 0, run.stderr);
    assert.ok(!report.events.some((e) => e.kind === 'hit' && e.symbol === 'exit'));
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'inconclusive');
    assert.match(
      report.verdicts.allocator_cleanup_first.reason,
      /exit was never seen entered|SIGKILL|signal 9|LLDB lost the process/,
    );
    assert.deepEqual(await survivors(marker), []);
    const replayed = await runCli(['replay', '--format', 'json', cast]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(replayed.stdout, run.stdout);
  });

  it('injection: paths, arguments and environment reach the target byte for byte, and none runs as an LLDB command', async () => {
    const dir = tempDir();
    const pwned = path.join(dir, 'pwned');
    // No slash can be in a file name, so the command substitution in the folder's name is relative.
    const weirdDir = path.join(dir, `dir with spaces 'q' "dq" ; $(touch pwned) \` \\ é`);
    fs.mkdirSync(weirdDir);
    const program = path.join(weirdDir, 'print args');
    fs.copyFileSync(fixture('print-args'), program);
    fs.chmodSync(program, 0o755);
    const out = path.join(dir, 'args.out');
    const args = [
      'plain',
      'with space',
      "single'quote",
      'double"quote',
      'semi;colon',
      `$(touch ${pwned})`,
      `\`touch ${pwned}\``,
      'back\\slash',
      'new\nline',
      'ünïcødé 日本',
      '; platform shell touch ' + pwned,
      '',
    ];
    const echo = `env $(touch ${pwned}) "q" \\ ;\n日本`;
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--env',
      `DX_ARGS_OUT=${out}`,
      '--env',
      `DX_ECHO=${echo}`,
      '--',
      program,
      ...args,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
    const expected = [...args.map((a) => `arg=${hex(a)}`), `env=${hex(echo)}`].join('\n') + '\n';
    assert.equal(fs.readFileSync(out, 'utf8'), expected);
    assert.equal(fs.existsSync(pwned), false, 'nothing was run');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['args.out', path.basename(weirdDir)].sort());
    fs.rmSync(dir, { recursive: true });
  });

  for (const [name, reason] of [
    ['stripped', /did not resolve/],
    ['no-pgo', /profile-write probes did not resolve/],
    ['mixed-profile-versions', /allocator-teardown probes did not resolve/],
  ] as const) {
    it(`unresolvable (${name}): the report names each probe that did not resolve and why the verdict is open`, async () => {
      const { run, report } = await captureJson(['--no-record'], [fixture(name)]);
      assert.equal(run.code, 0, run.stderr);
      const verdict = report.verdicts.allocator_cleanup_first;
      assert.equal(verdict.result, 'inconclusive');
      assert.match(verdict.reason, reason);
      const text = await runCli(['capture', '--quiet', '--no-record', '--', fixture(name)]);
      assert.match(text.stdout, /did not resolve:/);
      const unresolved = (report as unknown as { probes: Array<{ symbol: string; locations: number }> }).probes.filter(
        (p) => p.locations === 0,
      );
      assert.ok(unresolved.length > 0);
      for (const probe of unresolved) assert.match(text.stdout, new RegExp(`\\b${probe.symbol}\\b`));
    });
  }
});
