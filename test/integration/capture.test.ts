/**
 * `debug-exit capture` on real LLDB, on every bundled fixture: the verdict and the captured order
 * of events, checked against how each fixture was built (see ground-truth.test.ts).
 */
import assert from 'node:assert/strict';
import { captureJson, hitSymbols, hypothesisStatuses, seqOf } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';

const EXIT_ORDER_ROLES = ['process-exit', 'allocator-teardown', 'profile-write'];

describe('capture on real LLDB', function () {
  this.timeout(120000);

  it('profile-first: refuted, the exit-time write begins before mi_process_done', async () => {
    const { run, report } = await captureJson([], [fixture('profile-first')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'refuted');
    assert.ok(seqOf(report, 'exit') < seqOf(report, 'writeFileWithoutReturn'));
    assert.ok(seqOf(report, 'writeFileWithoutReturn') < seqOf(report, 'mi_process_done'));
    assert.equal(report.verdicts.crash_attribution.result, 'no-crash');
    assert.deepEqual(report.outcome, { kind: 'exited', status: 0 });
  });

  it('allocator-first: confirmed, mi_process_done runs before the exit-time write', async () => {
    const { run, report } = await captureJson([], [fixture('allocator-first')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'confirmed');
    const order = hitSymbols(report, EXIT_ORDER_ROLES).filter((s) =>
      ['exit', 'mi_process_done', 'writeFileWithoutReturn'].includes(s),
    );
    assert.deepEqual(order, ['exit', 'mi_process_done', 'writeFileWithoutReturn']);
    const evidence = report.verdicts.allocator_cleanup_first.evidence;
    assert.ok(
      evidence.includes(seqOf(report, 'mi_process_done')) && evidence.includes(seqOf(report, 'writeFileWithoutReturn')),
    );
  });

  it('allocator-first with MIMALLOC_DESTROY_ON_EXIT=1: confirmed, crash in the writer after teardown', async () => {
    const { run, report } = await captureJson(['--env', 'MIMALLOC_DESTROY_ON_EXIT=1'], [fixture('allocator-first')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'confirmed');
    const crash = report.verdicts.crash_attribution;
    assert.equal(crash.result, 'consistent-with-allocator-first');
    assert.equal(crash.signal, 'SIGSEGV');
    assert.equal(crash.allocator, 'torn-down');
    const signal = report.events.find((e) => e.kind === 'signal');
    assert.ok(
      signal && signal.seq > seqOf(report, 'mi_process_done') && signal.seq > seqOf(report, 'writeFileWithoutReturn'),
    );
    assert.equal(report.outcome.kind, 'signaled');
    assert.equal(report.diagnosis.conclusion, 'allocator-cleanup-first');
    assert.deepEqual(hypothesisStatuses(report), {
      'allocator-cleanup-first': 'supported',
      'corrupt-profile-data': 'ruled-out',
      'writer-fails-before-teardown': 'not-tested',
    });
  });

  it('mixed-profile-versions: not confirmed, the writer crashes with no allocator at all', async () => {
    const { run, report } = await captureJson([], [fixture('mixed-profile-versions')]);
    assert.equal(run.code, 0, run.stderr);
    assert.notEqual(report.verdicts.allocator_cleanup_first.result, 'confirmed');
    assert.equal(report.verdicts.crash_attribution.result, 'attributed-to-corrupt-profile-data');
    assert.equal(report.verdicts.profile_data_integrity.result, 'corrupt');
    const signal = report.events.find((e) => e.kind === 'signal');
    assert.equal(signal?.signal, 'SIGSEGV');
    assert.equal(signal?.frames?.[0]?.symbol, 'initializeValueProfRuntimeRecord');
    assert.ok(!hitSymbols(report).includes('mi_process_done'));
    assert.ok(seqOf(report, 'writeFileWithoutReturn') < signal.seq);
    assert.equal(report.diagnosis.conclusion, 'corrupt-profile-data');
    assert.equal(hypothesisStatuses(report)['allocator-cleanup-first'], 'ruled-out');
    assert.match(report.diagnosis.next_step, /-fno-profile-generate/);
  });

  it('the trap: mixed versions with mimalloc torn down first; the crash is still put on the corrupt data', async () => {
    const { run, report } = await captureJson([], [fixture('mixed-allocator-first')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'confirmed', 'ordering alone says allocator first');
    assert.ok(seqOf(report, 'mi_process_done') < seqOf(report, 'writeFileWithoutReturn'));
    const signal = report.events.find((e) => e.kind === 'signal');
    assert.equal(signal?.frames?.[0]?.symbol, 'initializeValueProfRuntimeRecord');
    assert.equal(report.verdicts.profile_data_integrity.result, 'corrupt');
    const crash = report.verdicts.crash_attribution;
    assert.equal(crash.result, 'attributed-to-corrupt-profile-data');
    assert.equal(crash.allocator, 'torn-down');
    assert.match(crash.reason, /torn down first, and that does not explain it/);
    assert.equal(
      report.diagnosis.conclusion,
      'corrupt-profile-data',
      'the diagnosis puts it on the data, not the order',
    );
    assert.equal(hypothesisStatuses(report)['allocator-cleanup-first'], 'ruled-out');
    assert.equal(hypothesisStatuses(report)['corrupt-profile-data'], 'supported');
  });

  it('profile-first and allocator-first: the profile data is consistent', async () => {
    for (const name of ['profile-first', 'allocator-first']) {
      const { report } = await captureJson([], [fixture(name)]);
      assert.equal(report.verdicts.profile_data_integrity.result, 'consistent', name);
    }
  });

  it("early-write: the program's own write is reported apart from the exit-time write", async () => {
    const { run, report } = await captureJson([], [fixture('early-write')]);
    assert.equal(run.code, 0, run.stderr);
    const explicit = report.verdicts.explicit_writes;
    assert.equal(explicit.result, 'present');
    assert.equal(explicit.writes.length, 1);
    assert.equal(explicit.writes[0].caller?.symbol, 'main');
    assert.ok(explicit.writes[0].seq < seqOf(report, 'exit'));
    assert.ok(seqOf(report, 'exit') < seqOf(report, 'writeFileWithoutReturn'));
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'refuted');
    assert.ok(!report.verdicts.allocator_cleanup_first.evidence.includes(explicit.writes[0].seq));
  });

  it('underscore-exit: inconclusive, and the report says no exit handler ran', async () => {
    const { run, report } = await captureJson([], [fixture('underscore-exit')]);
    assert.equal(run.code, 0, run.stderr);
    const verdict = report.verdicts.allocator_cleanup_first;
    assert.equal(verdict.result, 'inconclusive');
    assert.match(verdict.reason, /_exit/);
    assert.ok(hitSymbols(report).includes('_exit'));
    assert.ok(!hitSymbols(report).includes('writeFileWithoutReturn'));
    assert.ok(!hitSymbols(report).includes('mi_process_done'));
  });

  it('--census: every atexit registration, in order, with the function it registered', async () => {
    const n = 25;
    const { run, report } = await captureJson(['--census'], [fixture('many-handlers'), String(n)]);
    assert.equal(run.code, 0, run.stderr);
    const registered = report.registrations.map((r) => r.registered?.symbol);
    const handlers = registered.filter((s) => s === 'count_handler');
    assert.equal(handlers.length, n, `registrations: ${registered.join(', ')}`);
    // Runtimes register in constructors, before main registers its handlers.
    const writer = registered.indexOf('writeFileWithoutReturn');
    const teardown = registered.indexOf('mi_process_done');
    const firstHandler = registered.indexOf('count_handler');
    assert.ok(writer >= 0 && teardown >= 0 && writer < firstHandler && teardown < firstHandler, registered.join(', '));
    const seqs = report.registrations.map((r) => r.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    // glibc's atexit tail-calls __cxa_atexit: one registration is one entry, not two.
    assert.equal(new Set(seqs).size, seqs.length);
  });
});

describe('capture outputs', function () {
  this.timeout(120000);

  it('--probe ROLE=SYMBOL: an extra probe counts for its role (here a handler taken as an allocator teardown)', async () => {
    const plain = await captureJson(['--no-record'], [fixture('many-handlers'), '3']);
    assert.equal(plain.report.verdicts.allocator_cleanup_first.result, 'refuted');
    const { run, report } = await captureJson(
      ['--no-record', '--probe', 'allocator-teardown=count_handler'],
      [fixture('many-handlers'), '3'],
    );
    assert.equal(run.code, 0, run.stderr);
    const handlerHits = report.events.filter((e) => e.kind === 'hit' && e.symbol === 'count_handler');
    assert.equal(handlerHits.length, 3, 'every hit of an extra probe is reported');
    assert.ok(handlerHits.every((e) => e.role === 'allocator-teardown'));
    assert.ok(handlerHits[2].seq < seqOf(report, 'writeFileWithoutReturn'));
    const verdict = report.verdicts.allocator_cleanup_first;
    assert.equal(verdict.result, 'confirmed');
    assert.match(
      verdict.reason,
      new RegExp(`allocator teardown count_handler \\(#${handlerHits[0].seq}\\) ran before`),
    );
  });

  it('--out writes each format to its file while --format goes to stdout', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { runCli } = await import('../helpers/cli');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-out-'));
    const json = path.join(dir, 'report.json');
    const md = path.join(dir, 'report.md');
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--out',
      `json=${json}`,
      '--out',
      `markdown=${md}`,
      '--',
      fixture('allocator-first'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /allocator-cleanup-first: CONFIRMED/);
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      schema: string;
      verdicts: { allocator_cleanup_first: { result: string } };
    };
    assert.equal(report.schema, 'debug-exit/report@1');
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'confirmed');
    assert.match(fs.readFileSync(md, 'utf8'), /^#/m);
    assert.doesNotMatch(run.stderr, /recording:/, '--no-record writes no recording');
    fs.rmSync(dir, { recursive: true });
  });
});
