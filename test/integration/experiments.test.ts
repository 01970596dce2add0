/** --repeat and --aslr on real LLDB. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';

interface RepeatJson {
  schema: string;
  runs: number;
  distribution: { allocator_cleanup_first: Record<string, number>; outcome: Record<string, number> };
  reports: Array<{ aslr: string; events: Array<{ kind: string; symbol?: string; pc?: string }> }>;
}

async function repeat(args: string[], program: string): Promise<RepeatJson> {
  const run = await runCli(['capture', '--quiet', '--no-record', '--format', 'json', ...args, '--', program]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as RepeatJson;
}

function mainPc(report: RepeatJson['reports'][number]): string {
  const hit = report.events.find((e) => e.kind === 'hit' && e.symbol === 'main');
  assert.ok(hit?.pc);
  return hit.pc;
}

describe('--repeat and --aslr', function () {
  this.timeout(180000);

  it('--repeat 10 on allocator-first: confirmed 10/10, each run its own timeline', async () => {
    const doc = await repeat(['--repeat', '10', '--expect', 'confirmed'], fixture('allocator-first'));
    assert.equal(doc.schema, 'debug-exit/repeat@1');
    assert.equal(doc.runs, 10);
    assert.deepEqual(doc.distribution.allocator_cleanup_first, { confirmed: 10 });
    assert.deepEqual(doc.distribution.outcome, { 'exited with status 0': 10 });
    for (const report of doc.reports) {
      assert.equal(report.events.filter((e) => e.kind === 'launched').length, 1);
      assert.equal(report.events.filter((e) => e.kind === 'hit' && e.symbol === 'mi_process_done').length, 1);
    }
  });

  it("--aslr off (LLDB's default) loads the program at the same address every run; --aslr on does not", async () => {
    const off = await repeat(['--repeat', '3', '--aslr', 'off'], fixture('profile-first'));
    const on = await repeat(['--repeat', '3', '--aslr', 'on'], fixture('profile-first'));
    assert.deepEqual(
      off.reports.map((r) => r.aslr),
      ['off', 'off', 'off'],
    );
    assert.deepEqual(
      on.reports.map((r) => r.aslr),
      ['on', 'on', 'on'],
    );
    assert.equal(new Set(off.reports.map(mainPc)).size, 1);
    assert.equal(new Set(on.reports.map(mainPc)).size, 3);
    assert.deepEqual(on.distribution.allocator_cleanup_first, { refuted: 3 });
  });

  it('--repeat is recorded as one session and replays to the same distribution, byte for byte', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-repeat-'));
    try {
      const cast = path.join(dir, 'repeat.cast');
      const live = await runCli([
        'capture',
        '--quiet',
        '--format',
        'json',
        '--repeat',
        '2',
        '--record',
        cast,
        '--',
        fixture('allocator-first'),
      ]);
      assert.equal(live.code, 0, live.stderr);
      const replayed = await runCli(['replay', '--format', 'json', cast]);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.equal(replayed.stdout, live.stdout);
      assert.equal((JSON.parse(replayed.stdout) as RepeatJson).runs, 2);
      const mermaid = await runCli(['replay', '--format', 'mermaid', cast]);
      assert.equal(mermaid.code, 2);
      assert.match(mermaid.stderr, /mermaid shows one run; this recording has 2/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--repeat with --expect: exit 3 when any run differs', async () => {
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--repeat',
      '2',
      '--expect',
      'refuted',
      '--',
      fixture('allocator-first'),
    ]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /2 of 2 differ/);
  });
});
