import assert from 'node:assert/strict';
import type { ProbeRole } from '../../src/timeline/events';
import { HYPOTHESES, type Conclusion, type HypothesisId, type HypothesisStatus } from '../../src/timeline/diagnosis';
import { renderReport } from '../../src/timeline/render/renderer';
import { buildReport, type Report } from '../../src/timeline/report';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';
import type { EarlyWriteResult } from '../../src/timeline/verdict';

const AT_EXIT = ['__run_exit_handlers', 'exit'];
const WRITER_STACK = [
  'initializeValueProfRuntimeRecord',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  'lprofWriteData',
  'writeFile',
  '__llvm_profile_write_file',
  '__run_exit_handlers',
  '__GI_exit',
];
/** The early write's crash: the writer called from the expression LLDB set up at exit. */
const EARLY_CRASH = [
  'initializeValueProfRuntimeRecord',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  'lprofWriteData',
  'writeFile',
  '__llvm_profile_write_file',
  'exit',
];

type Integrity = 'consistent' | 'corrupt' | null;
type Early = 'returned' | 'crashed' | 'failed' | null;

interface Story {
  roles: readonly ProbeRole[];
  integrity: Integrity;
  early: Early;
  /** allocator-first: teardown before the exit-time write; profile-first: the write first. */
  order: 'allocator-first' | 'profile-first';
  crash: 'writer' | 'elsewhere' | null;
}

/** A whole run as the script reports it, experiment requested when `early` is set. */
function run(story: Story): Report {
  const s = new Scenario();
  s.resolveRoles(story.roles);
  s.hit('main', 'main');
  s.hit('process-exit', 'exit');
  if (story.early !== null) {
    if (story.integrity !== null) s.integrity(story.integrity, `profile data ${story.integrity}`);
    s.earlyWrite(story.early, { frames: story.early === 'crashed' ? EARLY_CRASH : undefined });
  }
  const hasAllocator = story.roles.includes('allocator-teardown');
  if (hasAllocator && story.order === 'allocator-first')
    s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  if (story.early === null && story.integrity !== null) s.integrity(story.integrity, `profile data ${story.integrity}`);
  // Profile first: a writer crash comes before the teardown could run.
  if (hasAllocator && story.order === 'profile-first' && story.crash === null)
    s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  if (story.crash === 'writer') s.signal('SIGSEGV', WRITER_STACK);
  if (story.crash === 'elsewhere') s.signal('SIGSEGV', ['my_handler', ...AT_EXIT]);
  if (story.crash === null) s.exit(0);
  else s.exit(-1, 11);
  return buildReport(s.build(undefined, { experiment: story.early === null ? null : 'early-write' }));
}

function statuses(report: Report): Record<HypothesisId, HypothesisStatus> {
  return Object.fromEntries(report.diagnosis.hypotheses.map((h) => [h.id, h.status])) as Record<
    HypothesisId,
    HypothesisStatus
  >;
}

interface Case {
  name: string;
  story: Story;
  conclusion: Conclusion;
  hypotheses: [HypothesisStatus, HypothesisStatus, HypothesisStatus];
  summary: RegExp;
  next: RegExp;
}

const base: Story = { roles: ALL_ROLES, integrity: 'consistent', early: null, order: 'allocator-first', crash: null };

const CASES: Case[] = [
  {
    name: 'teardown first, writer crash, consistent data -> allocator-cleanup-first',
    story: { ...base, crash: 'writer' },
    conclusion: 'allocator-cleanup-first',
    hypotheses: ['supported', 'ruled-out', 'not-tested'],
    summary: /allocator-cleanup-first explains the SIGSEGV in initializeValueProfRuntimeRecord/,
    next: /__llvm_profile_dump\(\).*libmimalloc/,
  },
  {
    name: '... and the early write wrote cleanly -> still allocator-cleanup-first, the early write ruled out',
    story: { ...base, crash: 'writer', early: 'returned' },
    conclusion: 'allocator-cleanup-first',
    hypotheses: ['supported', 'ruled-out', 'ruled-out'],
    summary: /allocator-cleanup-first explains/,
    next: /__llvm_profile_dump/,
  },
  {
    name: '... but the early write crashed before any teardown -> the order is not the cause',
    story: { ...base, crash: 'writer', early: 'crashed' },
    conclusion: 'writer-fails-before-teardown',
    hypotheses: ['ruled-out', 'ruled-out', 'supported'],
    summary: /crashes even before any teardown.*not the cause/,
    next: /one\s+LLVM release/,
  },
  {
    name: 'mixed versions, no mimalloc: corrupt data, writer crash, early write crashes too',
    story: { ...base, roles: NO_ALLOCATOR_ROLES, integrity: 'corrupt', early: 'crashed', crash: 'writer' },
    conclusion: 'corrupt-profile-data',
    hypotheses: ['ruled-out', 'supported', 'supported'],
    summary:
      /^Corrupt profile data explains the SIGSEGV in initializeValueProfRuntimeRecord, not the allocator teardown; the writer fails before any teardown too\.$/,
    next: /-fno-profile-generate, or with the same LLVM as the profile runtime/,
  },
  {
    name: 'the trap: corrupt data in a program whose allocator IS torn down first',
    story: { ...base, integrity: 'corrupt', crash: 'writer' },
    conclusion: 'corrupt-profile-data',
    hypotheses: ['ruled-out', 'supported', 'not-tested'],
    summary: /^Corrupt profile data explains the SIGSEGV .*, not the allocator teardown\.$/,
    next: /-fno-profile-generate/,
  },
  {
    name: 'corrupt data and no crash: the profile cannot be trusted',
    story: { ...base, order: 'profile-first', integrity: 'corrupt' },
    conclusion: 'corrupt-profile-data',
    hypotheses: ['ruled-out', 'supported', 'not-tested'],
    summary: /did not crash in this run, but what it wrote cannot be trusted/,
    next: /-fno-profile-generate/,
  },
  {
    name: 'profile written first, clean exit -> no crash, order sound',
    story: { ...base, order: 'profile-first', early: 'returned' },
    conclusion: 'no-crash',
    hypotheses: ['ruled-out', 'ruled-out', 'ruled-out'],
    summary: /exit order is sound/,
    next: /Nothing to fix/,
  },
  {
    name: 'teardown first, clean exit -> no crash, the order is a risk left open',
    story: base,
    conclusion: 'no-crash',
    hypotheses: ['open', 'ruled-out', 'not-tested'],
    summary: /order the hypothesis needs is there/,
    next: /MIMALLOC_DESTROY_ON_EXIT=1/,
  },
  {
    name: 'a crash outside the writer -> unexplained, debug it as a crash',
    story: { ...base, crash: 'elsewhere' },
    conclusion: 'unexplained-crash',
    hypotheses: ['ruled-out', 'ruled-out', 'not-tested'],
    summary: /^Neither hypothesis explains the SIGSEGV/,
    next: /debug-exit interactive/,
  },
  {
    name: 'a writer crash with the allocator live and consistent data -> unexplained, try the early write',
    story: { ...base, order: 'profile-first', crash: 'writer' },
    conclusion: 'unexplained-crash',
    hypotheses: ['ruled-out', 'ruled-out', 'not-tested'],
    summary: /^Neither hypothesis explains/,
    next: /--experiment early-write/,
  },
];

describe('diagnosis: the three hypotheses weighed together', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const report = run(testCase.story);
      const { diagnosis } = report;
      assert.equal(diagnosis.conclusion, testCase.conclusion, diagnosis.summary);
      assert.deepEqual(
        diagnosis.hypotheses.map((h) => h.id),
        HYPOTHESES,
      );
      const got = statuses(report);
      assert.deepEqual(
        HYPOTHESES.map((id) => got[id]),
        testCase.hypotheses,
        JSON.stringify(diagnosis.hypotheses, null, 1),
      );
      assert.match(diagnosis.summary, testCase.summary);
      assert.match(diagnosis.nextStep, testCase.next);
      for (const h of diagnosis.hypotheses) assert.ok(h.reason.length > 0, `${h.id} has a reason`);
      const seqs = new Set(report.timeline.events.map((e) => e.seq));
      for (const seq of diagnosis.evidence) assert.ok(seqs.has(seq), `evidence #${seq} is an event`);
    });
  }

  it('cites the raw profile version of the runtime in the mixed-version next step', () => {
    const s = new Scenario();
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    s.hit('process-exit', 'exit');
    s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
    const seq = s.integrity('corrupt', 'record 5 is not a version 10 record');
    const report = buildReport(s.build());
    const integrity = report.timeline.events.find((e) => e.seq === seq);
    assert.ok(integrity?.kind === 'integrity');
    integrity.runtime_version = 10;
    assert.match(buildReport(report.timeline).diagnosis.nextStep, /\(raw profile version 10\)/);
  });

  it('comes right after the header in the text report, and at the top of the markdown', () => {
    const report = run({ ...base, integrity: 'corrupt', crash: 'writer' });
    const text = renderReport('text', report);
    const diagnosisAt = text.indexOf('Diagnosis: CORRUPT-PROFILE-DATA');
    assert.ok(diagnosisAt > 0 && diagnosisAt < text.indexOf('Timeline ('), text);
    assert.match(
      text,
      /\n {2}ruled-out: allocator-cleanup-first: the writer's crash is explained by the corrupt profile data,\n {4}although the allocator was torn down first/,
    );
    assert.match(text, /\n {2}next step: Build the C dependencies with -fno-profile-generate/);
    for (const line of text.split('\n')) assert.ok(line.length <= 100, line);
    const markdown = renderReport('markdown', report);
    assert.ok(markdown.indexOf('## Diagnosis: corrupt-profile-data') < markdown.indexOf('## Verdicts'));
    const json = JSON.parse(renderReport('json', report));
    assert.equal(json.diagnosis.conclusion, 'corrupt-profile-data');
    assert.deepEqual(
      json.diagnosis.hypotheses.map((h: { status: string }) => h.status),
      ['ruled-out', 'supported', 'not-tested'],
    );
  });
});

describe('verdict: early-write', () => {
  const early = (story: Partial<Story>): Report => run({ ...base, ...story });
  const cases: Array<{
    name: string;
    story: Partial<Story>;
    result: EarlyWriteResult;
    before: boolean | null;
    reason: RegExp;
  }> = [
    { name: 'not requested', story: {}, result: 'not-requested', before: null, reason: /--experiment early-write/ },
    {
      name: 'wrote',
      story: { early: 'returned' },
      result: 'wrote',
      before: true,
      reason:
        /at exit \(#\d+\), before any exit handler ran, with the allocator live, wrote the profile and returned 0/,
    },
    {
      name: 'crashed, no mimalloc',
      story: { roles: NO_ALLOCATOR_ROLES, early: 'crashed' },
      result: 'crashed',
      before: true,
      reason:
        /no mimalloc\), crashed: SIGSEGV in app`initializeValueProfRuntimeRecord, in the profile writer, fault address 0x4: the writer fails before any teardown ran/,
    },
    {
      name: 'could not be evaluated',
      story: { early: 'failed' },
      result: 'could-not-run',
      before: true,
      reason:
        /could not be evaluated: <user expression 0>:1:6: use of undeclared identifier '__llvm_profile_write_file'$/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = early(c.story).verdicts.earlyWrite;
      assert.equal(verdict.result, c.result);
      assert.equal(verdict.beforeTeardown, c.before);
      assert.match(verdict.reason, c.reason);
    });
  }

  it('returned non-zero: the writer failed without crashing', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.hit('process-exit', 'exit');
    const seq = s.earlyWrite('returned', { returnValue: -1 });
    s.exit(0);
    const verdict = buildReport(s.build(undefined, { experiment: 'early-write' })).verdicts.earlyWrite;
    assert.equal(verdict.result, 'write-failed');
    assert.match(verdict.reason, /returned -1/);
    assert.ok(verdict.evidence.includes(seq));
  });

  it('requested but exit() never called -> not-reached, citing how the run ended', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.hit('main', 'main');
    const gone = s.exit(3);
    const verdict = buildReport(s.build(undefined, { experiment: 'early-write' })).verdicts.earlyWrite;
    assert.equal(verdict.result, 'not-reached');
    assert.deepEqual(verdict.evidence, [gone]);
  });

  it('an early-write crash before teardown turns a teardown-first writer crash into not-explained', () => {
    const crash = early({ crash: 'writer', early: 'crashed' }).verdicts.crash;
    assert.equal(crash.result, 'not-explained-by-allocator');
    assert.match(crash.reason, /but the writer also crashed before any teardown \(early-write #\d+\)/);
  });
});
