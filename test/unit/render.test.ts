import assert from 'node:assert/strict';
import type { DebugExitEvent } from '../../src/timeline/events';
import { RENDERERS, isReportFormat, renderReport } from '../../src/timeline/render/renderer';
import { REPORT_SCHEMA } from '../../src/timeline/render/json';
import { wrap, wrapUnits } from '../../src/timeline/render/layout';
import { buildReport, type Report } from '../../src/timeline/report';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';
import { buildTimeline } from '../../src/timeline/timeline';

const AT_EXIT = ['__run_exit_handlers', 'exit'];

/** allocator-first: mimalloc registered after the profile writer, so it is torn down first. */
function allocatorFirst(): { report: Report; events: DebugExitEvent[]; seqs: Record<string, number> } {
  const s = new Scenario();
  s.hello();
  s.resolveRoles(ALL_ROLES);
  const detach = s.unresolved('allocator-teardown', 'mi_process_detach');
  s.hit('profile-register', '__llvm_profile_register_write_file_atexit', { callers: ['__llvm_profile_initialize'] });
  s.hit('atexit-register', '__cxa_atexit', {
    registered: 'writeFileWithoutReturn',
    callers: ['__llvm_profile_register_write_file_atexit'],
  });
  s.hit('atexit-register', 'atexit', { registered: 'mi_process_done', callers: ['mi_process_load'] });
  const main = s.hit('main', 'main', { callers: ['__libc_start_call_main'], threadName: 'app' });
  const exit = s.hit('process-exit', 'exit', { callers: ['__libc_start_call_main'], module: 'libc.so.6' });
  const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  const writer = s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  s.hit('profile-write', '__llvm_profile_write_file', { callers: ['writeFileWithoutReturn', ...AT_EXIT] });
  s.exit(0);
  const timeline = s.build();
  return { report: buildReport(timeline), events: timeline.events, seqs: { detach, main, exit, done, writer } };
}

describe('render: text', () => {
  const { report, seqs } = allocatorFirst();
  const text = renderReport('text', report);
  const lines = text.split('\n');

  it('starts with the target, the profile file, the outcome and the named threads', () => {
    assert.deepEqual(lines.slice(0, 7), [
      'debug-exit report: /tmp/app --work 3',
      '  profile file  /tmp/dx/default.profraw',
      '  aslr          not recorded',
      '  outcome       exited with status 0',
      '  lldb          lldb-19.1.7 on linux',
      '  threads       4242 app',
      '',
    ]);
  });

  it('shows one line per event: seq, +ms from the first event, tid, role, symbol, calling frame', () => {
    const ms = ((seqs.done! - 1) * 0.25).toFixed(3);
    assert.ok(
      lines.includes(`   #${seqs.done}     +${ms} 4242    allocator-teardown mi_process_done  <- __run_exit_handlers`),
      text,
    );
    assert.match(text, /^ +#1 +\+0\.000 -  +hello +lldb-19\.1\.7/m);
    assert.match(
      text,
      /atexit-register +__cxa_atexit\(writeFileWithoutReturn\)\n +<- __llvm_profile_register_write_file_atexit/,
    );
  });

  it('names the module of the caller only when it is not that of the probed function', () => {
    assert.match(text, new RegExp(`^ +#${seqs.exit} .* process-exit +exit  <- app\`__libc_start_call_main$`, 'm'));
    assert.match(text, new RegExp(`^ +#${seqs.main} .* main +main  <- __libc_start_call_main$`, 'm'));
  });

  it('lists probe resolutions apart, naming the probes that did not resolve', () => {
    assert.doesNotMatch(text, /^ +#2 /m);
    assert.match(text, /^Probes: 24 of 25 resolved$/m);
    assert.match(text, new RegExp(`^    allocator-teardown: mi_process_detach #${seqs.detach}$`, 'm'));
  });

  it('labels the registration-order prediction as a prediction', () => {
    assert.match(text, /^Prediction from 2 atexit registrations \(not evidence\)$/m);
    assert.match(text, /predicted run order: mi_process_done -> writeFileWithoutReturn/);
  });

  it('gives each verdict with its reason and cited evidence', () => {
    assert.match(text, /^  allocator-cleanup-first: CONFIRMED$/m);
    assert.match(
      text,
      new RegExp(
        `evidence: #${seqs.exit} exit, #${seqs.done} mi_process_done, #${seqs.writer} writeFileWithoutReturn$`,
        'm',
      ),
    );
    assert.match(text, /^  explicit-writes: NONE$/m);
    assert.match(text, /^  crash-attribution: NO-CRASH$/m);
  });

  it('fits in 100 columns and ends with one newline', () => {
    const long = lines.filter((line) => line.length > 100);
    assert.deepEqual(long, []);
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
  });

  it('names the cause of an inconclusive verdict next to the result', () => {
    const s = new Scenario();
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    s.hit('process-exit', '_exit', { callers: ['main'] });
    const out = renderReport('text', buildReport(s.build()));
    assert.match(out, /^  allocator-cleanup-first: INCONCLUSIVE \(exit-handlers-skipped\)$/m);
    assert.match(out, /allocator-teardown probes did not resolve \(mi_process_done,/);
  });

  it('renders a session with no events at all', () => {
    const empty = buildTimeline({
      target: { program: 'it has spaces', args: [] },
      profileFile: null,
      events: [],
      outcome: { kind: 'launch-failed', message: 'no such file' },
    });
    const out = renderReport('text', buildReport(empty));
    assert.match(out, /^debug-exit report: 'it has spaces'$/m);
    assert.match(out, /^  profile file  \(not set\)$/m);
    assert.match(out, /INCONCLUSIVE \(launch-failed\)/);
  });
});

describe('render: text of a crash', () => {
  function crashed(): { text: string; crash: number } {
    const s = new Scenario();
    s.resolveRoles(['main', 'profile-write', 'process-exit']);
    s.resolveRoles(['allocator-init', 'allocator-teardown', 'allocator-release'], 0);
    s.hit('process-exit', 'exit');
    s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
    const description = 'signal SIGSEGV: address not mapped to object (fault address: 0x4)';
    const crash = s.signal(
      'SIGSEGV',
      ['initializeValueProfRuntimeRecord', 'writeOneValueProfData', 'lprofWriteDataImpl'],
      description,
    );
    return { text: renderReport('text', buildReport(s.build())), crash };
  }

  it('shows where it crashed without repeating the signal name', () => {
    const { text, crash } = crashed();
    assert.match(
      text,
      new RegExp(
        `^ +#${crash} .* signal +SIGSEGV\n +in app\`initializeValueProfRuntimeRecord \\(address not\n +mapped to object`,
        'm',
      ),
    );
    assert.doesNotMatch(text, /\(signal SIGSEGV/);
  });

  it('folds runs of probe resolutions in the evidence and never splits a cited item', () => {
    const { text, crash } = crashed();
    const verdict = text.slice(text.indexOf('crash-attribution:'));
    assert.match(verdict, /evidence: #\d+-#\d+ 11 probes unresolved, #\d+ SIGSEGV/);
    assert.ok(verdict.includes(`#${crash} SIGSEGV`));
    const verdicts = text.slice(text.indexOf('\nVerdicts\n'));
    for (const line of verdicts.split('\n')) assert.doesNotMatch(line, /#\d+,?$/, `a cited item split: ${line}`);
  });
});

describe('render: layout', () => {
  it('wraps units whole, never inside one', () => {
    const units = ['evidence:', '#1 exit,', '#2 mi_process_done,', '#3 writeFileWithoutReturn'];
    assert.deepEqual(wrapUnits(units, 30, '  '), [
      '  evidence: #1 exit,',
      '  #2 mi_process_done,',
      '  #3 writeFileWithoutReturn',
    ]);
    assert.deepEqual(wrap('a bb ccc', 6, '> '), ['> a bb', '> ccc']);
  });

  it('keeps each cited item of a long evidence list on one line', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.hit('process-exit', 'exit');
    s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
    for (const release of [
      '_mi_heap_destroy_all',
      '_mi_heap_unsafe_destroy_all',
      '_mi_arena_unsafe_destroy_all',
      '_mi_segment_cache_free_all',
    ]) {
      s.hit('allocator-release', release, { callers: ['mi_process_done', ...AT_EXIT] });
    }
    const writer = s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
    const text = renderReport('text', buildReport(s.build()));
    const verdict = text.slice(text.indexOf('allocator-cleanup-first:'), text.indexOf('explicit-writes:'));
    const evidence = verdict.slice(verdict.indexOf('evidence:')).trimEnd().split('\n');
    assert.ok(evidence.length > 1, verdict);
    for (const line of evidence) assert.match(line, /^ *(evidence: )?(#\d+ \w+,? ?)+$/, line);
    assert.ok(evidence[evidence.length - 1]?.endsWith(`#${writer} writeFileWithoutReturn`));
  });
});

describe('render: json', () => {
  it('parses, has the report schema, is pretty-printed with 2 spaces and ends with a newline', () => {
    const json = renderReport('json', allocatorFirst().report);
    const doc = JSON.parse(json);
    assert.equal(doc.schema, REPORT_SCHEMA);
    assert.equal(doc.schema, 'debug-exit/report@1');
    assert.ok(json.startsWith('{\n  "schema": "debug-exit/report@1",\n'));
    assert.ok(json.endsWith('}\n'));
  });

  it('has a fixed top-level key order and the verdicts with their evidence', () => {
    const { report, seqs } = allocatorFirst();
    const doc = JSON.parse(renderReport('json', report));
    assert.deepEqual(Object.keys(doc), [
      'schema',
      'target',
      'profile_file',
      'aslr',
      'platform',
      'lldb_version',
      'census',
      'census_mode',
      'census_note',
      'program_sha256',
      'experiment',
      'outcome',
      'diagnosis',
      'verdicts',
      'prediction',
      'probes',
      'registrations',
      'events',
    ]);
    assert.deepEqual(doc.verdicts.allocator_cleanup_first, {
      name: 'allocator-cleanup-first',
      result: 'confirmed',
      cause: null,
      witness: 'exit-time-writer',
      reason: report.verdicts.allocatorFirst.reason,
      evidence: [seqs.exit, seqs.done, seqs.writer],
    });
    assert.equal(doc.prediction.first, 'allocator-teardown');
    assert.deepEqual(Object.keys(doc.registrations[1]), ['seq', 'via', 'tid', 'kind', 'registered', 'registered_by']);
    assert.equal(doc.registrations[1].registered_by.symbol, 'mi_process_load');
    assert.equal(doc.registrations[1].kind, 'allocator-teardown');
  });

  it('renders the same timeline byte-identically, whatever the key order of the input events', () => {
    const { report, events } = allocatorFirst();
    const first = renderReport('json', report);
    assert.equal(renderReport('json', report), first);
    const reversedKeys = events
      .map((event) => Object.fromEntries(Object.entries(event).reverse()) as unknown as DebugExitEvent)
      .reverse();
    const rebuilt = buildTimeline({
      target: { program: '/tmp/app', args: ['--work', '3'] },
      profileFile: '/tmp/dx/default.profraw',
      events: reversedKeys,
    });
    assert.equal(renderReport('json', buildReport(rebuilt)), first);
  });

  it('writes events with seq, t_ns, kind first', () => {
    const doc = JSON.parse(renderReport('json', allocatorFirst().report));
    for (const event of doc.events) assert.deepEqual(Object.keys(event).slice(0, 3), ['seq', 't_ns', 'kind']);
  });

  it('writes outcomes in snake_case', () => {
    const s = new Scenario();
    const doc = JSON.parse(renderReport('json', buildReport(s.build({ kind: 'lldb-died', lastOutput: 'bye' }))));
    assert.deepEqual(doc.outcome, { kind: 'lldb-died', last_output: 'bye' });
  });
});

describe('render: markdown', () => {
  it('puts the verdicts in a table, escaping pipes in cells', () => {
    const { report } = allocatorFirst();
    const md = renderReport('markdown', report);
    assert.match(md, /^# debug-exit report$/m);
    assert.match(md, /^\| allocator-cleanup-first \| \*\*confirmed\*\* \| allocator teardown mi_process_done/m);
    const failed = buildTimeline({
      target: { program: 'a', args: [] },
      profileFile: null,
      events: [],
      outcome: { kind: 'launch-failed', message: 'x | y' },
    });
    assert.match(renderReport('markdown', buildReport(failed)), /never ran: x \\\| y/);
  });

  it('lists the probes that did not resolve', () => {
    const md = renderReport('markdown', allocatorFirst().report);
    assert.match(md, /^- allocator-teardown: `mi_process_detach` \(#\d+\)$/m);
  });
});

describe('render: one interface', () => {
  it('has a renderer per format and recognises format names', () => {
    assert.deepEqual(Object.keys(RENDERERS), ['text', 'json', 'markdown', 'mermaid', 'chrome', 'html']);
    assert.equal(RENDERERS.json.extension, 'json');
    assert.ok(isReportFormat('markdown'));
    assert.ok(isReportFormat('mermaid'));
    assert.ok(!isReportFormat('xml'));
    assert.ok(!isReportFormat('toString'));
  });
});
