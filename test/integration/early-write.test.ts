/**
 * --experiment early-write on real LLDB: at the first exit() call, before any exit handler ran,
 * __llvm_profile_write_file() is called inside the program; whether it crashes, and where, is
 * recorded, and the exit then goes on as it would have.
 */
import assert from 'node:assert/strict';
import { captureJson, hypothesisStatuses, runCli, seqOf, type JsonReport } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';

type Event = JsonReport['events'][number] & {
  fault_address?: string;
  return_value?: number;
  message?: string;
  at?: string;
};

function experimentOf(report: JsonReport): Event {
  const events = report.events.filter((e) => e.kind === 'experiment');
  assert.equal(events.length, 1, 'one experiment event per run');
  return events[0] as Event;
}

async function earlyWrite(name: string, args: string[] = []): Promise<JsonReport> {
  const { run, report } = await captureJson(['--no-record', '--experiment', 'early-write', ...args], [fixture(name)]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(report.experiment, 'early-write');
  return report;
}

/** Every teardown and profile-write hit comes after the experiment: it ran before any of them. */
function assertBeforeExitHandlers(report: JsonReport, experiment: Event): void {
  assert.ok(seqOf(report, 'exit') < experiment.seq, 'stopped at exit()');
  const exitHandlerHits = report.events.filter(
    (e) => e.kind === 'hit' && (e.role === 'allocator-teardown' || e.role === 'profile-write'),
  );
  assert.ok(exitHandlerHits.length > 0);
  for (const hit of exitHandlerHits)
    assert.ok(hit.seq > experiment.seq, `${hit.symbol} #${hit.seq} after the experiment #${experiment.seq}`);
}

describe('--experiment early-write on real LLDB', function () {
  this.timeout(120000);

  it('mixed-profile-versions: the early write crashes too, in initializeValueProfRuntimeRecord at 0x4, then the exit crashes again', async () => {
    const report = await earlyWrite('mixed-profile-versions');
    const experiment = experimentOf(report);
    assert.equal(experiment.status, 'crashed');
    assert.equal(experiment.signal, 'SIGSEGV');
    assert.equal(experiment.fault_address, '0x4');
    assert.equal(experiment.frames?.[0]?.symbol, 'initializeValueProfRuntimeRecord');
    assert.ok(experiment.frames?.some((f) => f.symbol === '__llvm_profile_write_file'));
    assertBeforeExitHandlers(report, experiment);
    // The experiment's crash is its own event; the exit-time write's crash follows as a signal.
    const signals = report.events.filter((e) => e.kind === 'signal');
    assert.equal(signals.length, 1);
    assert.ok(signals[0].seq > seqOf(report, 'writeFileWithoutReturn'));
    assert.equal(signals[0].frames?.[0]?.symbol, 'initializeValueProfRuntimeRecord');
    const verdict = report.verdicts.early_write;
    assert.equal(verdict.result, 'crashed');
    assert.equal(verdict.before_teardown, true);
    assert.equal(verdict.fault_address, '0x4');
    assert.equal(report.verdicts.profile_data_integrity.result, 'corrupt');
    assert.notEqual(report.verdicts.allocator_cleanup_first.result, 'confirmed');
    assert.equal(report.diagnosis.conclusion, 'corrupt-profile-data');
    assert.deepEqual(hypothesisStatuses(report), {
      'allocator-cleanup-first': 'ruled-out',
      'corrupt-profile-data': 'supported',
      'writer-fails-before-teardown': 'supported',
    });
    assert.equal(report.outcome.kind, 'signaled');
  });

  for (const name of ['profile-first', 'allocator-first']) {
    it(`${name}: the early write returns 0 before any teardown, and the exit goes on as without it`, async () => {
      const report = await earlyWrite(name);
      const experiment = experimentOf(report);
      assert.equal(experiment.status, 'returned');
      assert.equal(experiment.return_value, 0);
      assertBeforeExitHandlers(report, experiment);
      assert.equal(report.verdicts.early_write.result, 'wrote');
      assert.equal(report.verdicts.early_write.allocator, 'live');
      assert.equal(report.verdicts.profile_data_integrity.result, 'consistent');
      assert.equal(report.verdicts.allocator_cleanup_first.result, name === 'profile-first' ? 'refuted' : 'confirmed');
      assert.ok(seqOf(report, 'mi_process_done') > experiment.seq);
      assert.deepEqual(report.outcome, { kind: 'exited', status: 0 });
      assert.equal(hypothesisStatuses(report)['writer-fails-before-teardown'], 'ruled-out');
    });
  }

  it('allocator-first with MIMALLOC_DESTROY_ON_EXIT=1: clean early write, crash only after teardown -> allocator-cleanup-first', async () => {
    const report = await earlyWrite('allocator-first', ['--env', 'MIMALLOC_DESTROY_ON_EXIT=1']);
    assert.equal(report.verdicts.early_write.result, 'wrote');
    assert.equal(report.verdicts.crash_attribution.result, 'consistent-with-allocator-first');
    assert.equal(report.diagnosis.conclusion, 'allocator-cleanup-first');
    assert.deepEqual(hypothesisStatuses(report), {
      'allocator-cleanup-first': 'supported',
      'corrupt-profile-data': 'ruled-out',
      'writer-fails-before-teardown': 'ruled-out',
    });
  });

  it('no-pgo: the writer cannot be called; the report says so and the program exits normally', async () => {
    const report = await earlyWrite('no-pgo');
    const experiment = experimentOf(report);
    assert.equal(experiment.status, 'failed');
    assert.match(experiment.message ?? '', /__llvm_profile_write_file/);
    assert.equal(report.verdicts.early_write.result, 'could-not-run');
    assert.deepEqual(report.outcome, { kind: 'exited', status: 0 });
  });

  it('underscore-exit: exit() is never called, so the experiment is not reached', async () => {
    const report = await earlyWrite('underscore-exit');
    assert.equal(report.events.filter((e) => e.kind === 'experiment').length, 0);
    assert.equal(report.verdicts.early_write.result, 'not-reached');
  });

  it('--repeat 3 on mixed-profile-versions: the early write crashes in every run', async () => {
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--format',
      'json',
      '--repeat',
      '3',
      '--experiment',
      'early-write',
      '--',
      fixture('mixed-profile-versions'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as {
      distribution: { early_write: Record<string, number>; diagnosis: Record<string, number> };
    };
    assert.deepEqual(doc.distribution.early_write, { crashed: 3 });
    assert.deepEqual(doc.distribution.diagnosis, { 'corrupt-profile-data': 3 });
  });

  it('is a capture option: the interactive session refuses it with exit 2', async () => {
    const run = await runCli(['interactive', '--experiment', 'early-write', '--', fixture('profile-first')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--experiment: not for the interactive session/);
  });
});
