/**
 * The mermaid and chrome renderers: the diagram's structure and Mermaid's lexical rules (checked
 * here with a model of them: message text is `[^#;\n]` once `#code;` entities are taken out), the
 * trace's times, tracks and metadata, and both renders of every committed recording, replayed
 * with no LLDB.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportFrom } from '../../src/cli/analyse';
import { checkRepeatFormats } from '../../src/cli/capture-command';
import type { OutputFormat } from '../../src/cli/args';
import { replay } from '../../src/session/replay';
import type { DebugExitEvent } from '../../src/timeline/events';
import { renderChrome } from '../../src/timeline/render/chrome';
import { escapeText, guardStyleRule, renderMermaid } from '../../src/timeline/render/mermaid';
import { RENDERERS, isReportFormat, renderReport } from '../../src/timeline/render/renderer';
import { buildReport, type Report } from '../../src/timeline/report';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';

const RECORDINGS = path.resolve(__dirname, '../../../recordings');
const AT_EXIT = ['__run_exit_handlers', 'exit'];

/** Symbols that would break a naive diagram: statement ends, comments, tags, quotes, Mermaid's CSS rule. */
const AWKWARD = [
  'operator<<',
  'a;b',
  '#x',
  'say "hi" \'there\'',
  'style::Foo<T>::bar: #59;',
  '%% not a comment',
  'two\nlines',
];

interface Story {
  report: Report;
  seqs: Record<string, number>;
}

/** Allocator first, with an off-main-thread hit, an unflagged registration and the awkward symbols in the writer. */
function allocatorFirst(): Story {
  const s = new Scenario();
  s.hello();
  s.resolveRoles(ALL_ROLES);
  const other = s.hit('atexit-register', '__cxa_atexit', { registered: 'some_cleanup' });
  const writerReg = s.hit('atexit-register', 'atexit', {
    registered: 'writeFileWithoutReturn',
    callers: ['__llvm_profile_register_write_file_atexit'],
  });
  const init = s.hit('allocator-init', 'mi_process_load', { callers: ['_mi_process_init'] });
  const allocReg = s.hit('atexit-register', 'atexit', { registered: 'mi_process_done', callers: ['mi_process_load'] });
  const main = s.hit('main', 'main', { callers: ['__libc_start_call_main'], threadName: 'app' });
  const exit = s.hit('process-exit', 'exit', { callers: ['__libc_start_call_main'], module: 'libc.so.6' });
  const early = s.earlyWrite('returned');
  const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  const release = s.hit('allocator-release', '_mi_heap_destroy_all', { callers: ['mi_process_done', ...AT_EXIT] });
  const writer = s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  const integrity = s.integrity('consistent');
  const worker = s.hit('profile-write', '__llvm_profile_write_file', {
    callers: ['writeFileWithoutReturn'],
    tid: 4243,
    threadName: 'worker',
  });
  const awkward = AWKWARD.map((symbol) => s.hit('profile-write', symbol, { callers: ['lprofWriteDataImpl'] }));
  const crash = s.signal('SIGSEGV', ['getCurFilenameLength', '__llvm_profile_write_file', ...AT_EXIT]);
  const end = s.exit(11, 11);
  const report = buildReport(s.build(undefined, { experiment: 'early-write' }));
  return {
    report,
    seqs: {
      other,
      writerReg,
      init,
      allocReg,
      main,
      exit,
      early,
      done,
      release,
      writer,
      integrity,
      worker,
      crash,
      end,
      awkward0: awkward[0],
    },
  };
}

/** The seqs of the lines a message or note names, in order (`#35;12` is `#12`). */
function seqsIn(lines: readonly string[]): number[] {
  return lines.flatMap((line) => [...line.matchAll(/: #35;(\d+) /g)].map((m) => Number(m[1])));
}

/** Mermaid's `#code;` entities, as its renderer shows them. */
function decode(text: string): string {
  return text.replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

const LANE = '(?:Program|Allocator|Writer|LLDB)';
const STATEMENTS = [
  /^sequenceDiagram$/,
  /^  title (.+)$/,
  new RegExp(`^  participant ${LANE} as (.+)$`),
  new RegExp(`^  ${LANE}(?:->>|-->>|-x)${LANE}: (.+)$`),
  new RegExp(`^  Note over ${LANE}(?:,${LANE})?: (.+)$`),
];

/**
 * Every line one statement of the kinds the renderer writes, whose free text Mermaid's lexer takes
 * whole (no `#` or `;` once entities are out) and that Mermaid's CSS preprocessing leaves alone.
 */
function assertValidMermaid(diagram: string): void {
  assert.ok(diagram.endsWith('\n') && !diagram.endsWith('\n\n'), 'one final newline');
  const lines = diagram.slice(0, -1).split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  for (const line of lines) {
    const match = STATEMENTS.map((re) => re.exec(line)).find((m) => m !== null);
    assert.ok(match, `not a statement: ${JSON.stringify(line)}`);
    const text = (match[1] ?? '').replace(/#\w+;/g, '');
    assert.doesNotMatch(text, /[#;]/, `text Mermaid would cut: ${line}`);
    assert.doesNotMatch(line, /style.*:\S*#.*;|classDef.*:\S*#.*;/, `Mermaid would drop the last ; of: ${line}`);
  }
}

describe('render: mermaid', () => {
  const { report, seqs } = allocatorFirst();
  const diagram = renderMermaid(report);
  const lines = diagram.slice(0, -1).split('\n');

  it('is a sequenceDiagram with a lane per party, ending with one newline', () => {
    assertValidMermaid(diagram);
    assert.deepEqual(
      lines.filter((l) => l.startsWith('  participant ')),
      [
        '  participant Program as program, thread 4242 app',
        '  participant Allocator as allocator (mimalloc)',
        '  participant Writer as profile writer',
        '  participant LLDB as debug-exit (LLDB)',
      ],
    );
  });

  it('has one line per event that matters, labelled with its seq, in seq order', () => {
    const shown = [
      seqs.writerReg,
      seqs.allocReg,
      seqs.main,
      seqs.exit,
      seqs.early,
      seqs.done,
      seqs.release,
      seqs.writer,
      seqs.integrity,
      seqs.worker,
    ];
    const awkward = AWKWARD.map((_, i) => seqs.awkward0 + i);
    assert.deepEqual(seqsIn(lines), [...shown, ...awkward, seqs.crash, seqs.end]);
  });

  it('leaves out probe resolutions, hello, allocator init and registrations of other functions', () => {
    for (const seq of [1, 2, seqs.other, seqs.init]) assert.ok(!diagram.includes(`#35;${seq} `), `#${seq} shown`);
  });

  it('draws each event from the lane of its caller to the lane of its role', () => {
    assert.ok(lines.includes(`  Program-->>Writer: #35;${seqs.writerReg} atexit(writeFileWithoutReturn) registered`));
    assert.ok(lines.includes(`  Program-->>Allocator: #35;${seqs.allocReg} atexit(mi_process_done) registered`));
    assert.ok(lines.includes(`  Program->>Program: #35;${seqs.exit} exit`));
    assert.ok(
      lines.includes(
        `  LLDB->>Writer: #35;${seqs.early} early-write: __llvm_profile_write_file() called at exit: returned 0`,
      ),
    );
    assert.ok(lines.includes(`  Program->>Allocator: #35;${seqs.done} mi_process_done`));
    assert.ok(lines.includes(`  Allocator->>Allocator: #35;${seqs.release} _mi_heap_destroy_all`));
    assert.ok(lines.includes(`  Program->>Writer: #35;${seqs.writer} writeFileWithoutReturn`));
    assert.ok(lines.includes(`  LLDB-->>Writer: #35;${seqs.integrity} profile data consistent`));
    assert.ok(lines.includes(`  Writer-xLLDB: #35;${seqs.crash} SIGSEGV in getCurFilenameLength`));
    assert.ok(lines.includes(`  Program-->>LLDB: #35;${seqs.end} terminated by signal 11`));
  });

  it('names the thread of a hit off the main thread', () => {
    assert.ok(lines.includes(`  Writer->>Writer: #35;${seqs.worker} __llvm_profile_write_file (thread 4243 worker)`));
  });

  it('writes awkward symbols as entities, one statement a line, that read back as they were', () => {
    AWKWARD.forEach((symbol, i) => {
      const line = lines.find((l) => l.includes(`: #35;${seqs.awkward0 + i} `));
      assert.ok(line !== undefined, symbol);
      assert.match(line, /^  Writer->>Writer: /);
      assert.equal(decode(line.slice(line.indexOf(': ') + 2)), `#${seqs.awkward0 + i} ${symbol.replace('\n', ' ')}`);
    });
    assert.ok(lines.includes(`  Writer->>Writer: #35;${seqs.awkward0} operator#60;#60;`));
    assert.ok(lines.includes(`  Writer->>Writer: #35;${seqs.awkward0 + 1} a#59;b`));
  });

  it('closes with a note across the lanes: the diagnosis and the allocator-cleanup-first verdict', () => {
    const last = lines[lines.length - 1];
    assert.match(last, /^  Note over Program,LLDB: Diagnosis: ALLOCATOR-CLEANUP-FIRST<br>The allocator was torn down /);
    assert.match(last, /<br>allocator-cleanup-first: CONFIRMED$/);
  });

  it('is deterministic', () => {
    assert.equal(renderMermaid(allocatorFirst().report), diagram);
  });

  it('draws only the lanes a program has, and names the cause of an inconclusive verdict', () => {
    const s = new Scenario();
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    s.hit('main', 'main');
    const exit = s.hit('process-exit', '_exit', { callers: ['main'] });
    s.exit(0);
    const out = renderMermaid(buildReport(s.build()));
    assertValidMermaid(out);
    assert.deepEqual(
      out
        .split('\n')
        .filter((l) => l.startsWith('  participant '))
        .map((l) => l.split(' ')[3]),
      ['Program', 'LLDB'],
    );
    assert.ok(out.includes(`  Program->>Program: #35;${exit} _exit\n`));
    assert.match(out, /<br>allocator-cleanup-first: INCONCLUSIVE \(exit-handlers-skipped\)\n$/);
  });

  it('notes an error on the debug-exit lane', () => {
    const s = new Scenario();
    s.hit('main', 'main');
    const error = s.error('timeout', 'killed after 2 s; see #3\nlast output');
    const out = renderMermaid(buildReport(s.build()));
    assertValidMermaid(out);
    assert.ok(
      out.includes(`\n  Note over LLDB: #35;${error} error timeout: killed after 2 s#59; see #35;3 last output\n`),
    );
  });

  it('renders a session with no events', () => {
    const s = new Scenario();
    const out = renderMermaid(buildReport(s.build({ kind: 'launch-failed', message: 'no; such #file' })));
    assertValidMermaid(out);
    assert.match(out, /allocator-cleanup-first: INCONCLUSIVE \(launch-failed\)\n$/);
  });

  it('escapes every character Mermaid reads as syntax, and guards lines Mermaid treats as CSS', () => {
    assert.equal(escapeText('a;b#c<d>e&f"g\'h`i%j\r\nk'), 'a#59;b#35;c#60;d#62;e#38;f#34;g#39;h#96;i#37;j k');
    assert.equal(guardStyleRule('  A->>B: #35;1 style::Foo#60;T#62;'), '  A->>B: #35;1 style#58;#58;Foo#60;T#62;');
    assert.equal(guardStyleRule('  A->>B: #35;1 std::Foo#60;T#62;'), '  A->>B: #35;1 std::Foo#60;T#62;');
  });
});

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  s?: string;
  ts?: number;
  pid: number;
  tid?: number;
  args: Record<string, unknown>;
}

interface Trace {
  traceEvents: TraceEvent[];
  displayTimeUnit: string;
  otherData: Record<string, string>;
}

describe('render: chrome', () => {
  const { report, seqs } = allocatorFirst();
  const text = renderChrome(report);
  const trace = JSON.parse(text) as Trace;
  const instants = trace.traceEvents.filter((e) => e.ph === 'i');
  const events = report.timeline.events;

  it('is a JSON object trace with the keys in a fixed order, ending with one newline', () => {
    assert.deepEqual(Object.keys(trace), ['traceEvents', 'displayTimeUnit', 'otherData']);
    assert.equal(trace.displayTimeUnit, 'ms');
    assert.ok(text.endsWith('}\n') && !text.endsWith('\n\n'));
    assert.equal(renderChrome(allocatorFirst().report), text);
  });

  it('has one thread-scoped instant per timeline event, in microseconds since the first event', () => {
    assert.equal(instants.length, events.length);
    const start = events[0].t_ns;
    instants.forEach((instant, i) => {
      assert.deepEqual(Object.keys(instant), ['name', 'cat', 'ph', 's', 'ts', 'pid', 'tid', 'args']);
      assert.equal(instant.s, 't');
      assert.equal(instant.ts, (events[i].t_ns - start) / 1000);
      assert.equal(instant.args.seq, events[i].seq);
      if (i > 0) assert.ok(instant.ts! >= instants[i - 1].ts!, 'monotonic');
    });
    assert.equal(instants[0].ts, 0);
    assert.equal(instants[1].ts, 250);
  });

  it('names each instant after its symbol and files it under its role, or its kind', () => {
    const at = (seq: number) => instants.find((e) => e.args.seq === seq)!;
    assert.deepEqual([at(seqs.done).name, at(seqs.done).cat], ['mi_process_done', 'allocator-teardown']);
    assert.deepEqual(
      [at(seqs.writerReg).name, at(seqs.writerReg).cat],
      ['atexit(writeFileWithoutReturn)', 'atexit-register'],
    );
    assert.deepEqual([at(seqs.crash).name, at(seqs.crash).cat], ['SIGSEGV', 'signal']);
    assert.deepEqual([at(seqs.integrity).name, at(seqs.integrity).cat], ['profile data consistent', 'integrity']);
    assert.deepEqual(at(seqs.done).args, {
      seq: seqs.done,
      kind: 'hit',
      role: 'allocator-teardown',
      symbol: 'mi_process_done',
      module: 'app',
      caller: 'app`__run_exit_handlers',
      pc: at(seqs.done).args.pc,
      detail: '<- __run_exit_handlers',
    });
  });

  it('puts events on their thread, those with no thread on track 0, all in pid 1 when no launch was seen', () => {
    const at = (seq: number) => instants.find((e) => e.args.seq === seq)!;
    assert.ok(instants.every((e) => e.pid === 1));
    assert.equal(at(seqs.done).tid, 4242);
    assert.equal(at(seqs.worker).tid, 4243);
    assert.equal(at(seqs.early).tid, 4242);
    assert.equal(at(seqs.integrity).tid, 0);
    assert.equal(at(seqs.end).tid, 0);
  });

  it('names the process, track 0 and each named thread', () => {
    const metadata = trace.traceEvents.filter((e) => e.ph === 'M');
    assert.deepEqual(metadata, [
      { name: 'process_name', ph: 'M', pid: 1, args: { name: 'app' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 0, args: { name: 'debug-exit (LLDB)' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 4242, args: { name: 'app' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 4243, args: { name: 'worker' } },
    ]);
  });

  it('carries the diagnosis and every verdict result in otherData', () => {
    const { otherData } = trace;
    assert.equal(otherData.diagnosis, 'allocator-cleanup-first');
    assert.equal(otherData.diagnosis_summary, report.diagnosis.summary);
    assert.equal(otherData.allocator_cleanup_first, 'confirmed');
    assert.equal(otherData.crash_attribution, report.verdicts.crash.result);
    assert.equal(otherData.profile_data_integrity, 'consistent');
    assert.equal(otherData.early_write, 'wrote');
    assert.equal(otherData.explicit_writes, report.verdicts.explicitWrites.result);
    assert.equal(otherData.target, '/tmp/app --work 3');
    assert.ok(Object.values(otherData).every((v) => typeof v === 'string'));
  });

  it('takes the pid of the launched program when it was seen, and names an inconclusive cause', () => {
    const s = new Scenario();
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    const timeline = s.build();
    const last = timeline.events[timeline.events.length - 1];
    const launched: DebugExitEvent = { seq: last.seq + 1, t_ns: last.t_ns + 1000, kind: 'launched', pid: 31337 };
    const out = JSON.parse(
      renderChrome(buildReport(s.build(undefined, { events: [...timeline.events, launched] }))),
    ) as Trace;
    assert.ok(out.traceEvents.every((e) => e.pid === 31337));
    assert.match(out.otherData.allocator_cleanup_first, /^inconclusive \(.+\)$/);
  });

  it('renders a session with no events', () => {
    const out = JSON.parse(renderChrome(buildReport(new Scenario().build({ kind: 'cut' })))) as Trace;
    assert.deepEqual(out.traceEvents, [{ name: 'process_name', ph: 'M', pid: 1, args: { name: 'app' } }]);
  });
});

describe('render: mermaid and chrome of the committed recordings (replayed, no LLDB)', function () {
  this.timeout(60000);

  async function replayed(name: string): Promise<Report> {
    const result = await replay({ file: path.join(RECORDINGS, name) });
    const meta = result.header.debug_exit;
    return reportFrom({
      target: meta.target,
      profileFile: meta.profile_file,
      census: meta.options?.census === true,
      aslr: meta.options?.aslr ?? null,
      experiment: meta.options?.experiment ?? null,
      session: result.session,
      cut: !result.end.lldbExited,
    });
  }

  it('mixed-profile-versions-early-write: shows the early write that crashed, and the crash at exit', async () => {
    const report = await replayed('mixed-profile-versions-early-write.cast');
    const { events } = report.timeline;
    const experiment = events.find((e) => e.kind === 'experiment')!;
    const signal = events.find((e) => e.kind === 'signal')!;
    const launched = events.find((e) => e.kind === 'launched')!;

    const diagram = renderMermaid(report);
    assertValidMermaid(diagram);
    assert.match(
      diagram,
      new RegExp(
        `\n  LLDB->>Writer: #35;${experiment.seq} early-write: __llvm_profile_write_file\\(\\) called at exit: SIGSEGV in initializeValueProfRuntimeRecord`,
      ),
    );
    assert.match(
      diagram,
      new RegExp(
        `\n  Writer-xLLDB: #35;${signal.seq} SIGSEGV in initializeValueProfRuntimeRecord \\(fault address 0x4\\)\n`,
      ),
    );
    assert.match(diagram, /Note over Program,LLDB: Diagnosis: CORRUPT-PROFILE-DATA<br>/);

    const trace = JSON.parse(renderChrome(report)) as Trace;
    const instants = trace.traceEvents.filter((e) => e.ph === 'i');
    assert.equal(instants.length, events.length);
    assert.ok(launched.kind === 'launched' && trace.traceEvents.every((e) => e.pid === launched.pid));
    assert.equal(instants.find((e) => e.cat === 'experiment')?.args.status, 'crashed');
    assert.equal(instants.find((e) => e.cat === 'signal')?.args.fault_address, '0x4');
    assert.equal(trace.otherData.diagnosis, 'corrupt-profile-data');
    assert.equal(trace.otherData.early_write, 'crashed');
  });

  const casts = fs
    .readdirSync(RECORDINGS)
    .filter((f) => f.endsWith('.cast'))
    .sort();
  for (const cast of casts) {
    it(`${cast}: both render, valid and deterministic, with the golden's conclusion`, async () => {
      const report = await replayed(cast);
      const golden = JSON.parse(
        fs.readFileSync(path.join(RECORDINGS, cast.replace(/\.cast$/, '.timeline.json')), 'utf8'),
      ) as {
        diagnosis: { conclusion: string };
        events: unknown[];
      };
      const diagram = renderReport('mermaid', report);
      assertValidMermaid(diagram);
      assert.match(diagram, new RegExp(`Diagnosis: ${golden.diagnosis.conclusion.toUpperCase()}<br>`));
      const trace = JSON.parse(renderReport('chrome', report)) as Trace;
      assert.equal(trace.traceEvents.filter((e) => e.ph === 'i').length, golden.events.length);
      assert.equal(trace.otherData.diagnosis, golden.diagnosis.conclusion);
      assert.equal(renderReport('chrome', report), renderReport('chrome', report));
    });
  }
});

describe('render: the mermaid and chrome formats in the CLI', () => {
  it('are registered renderers with their own file extensions', () => {
    assert.ok(isReportFormat('mermaid') && isReportFormat('chrome'));
    assert.equal(RENDERERS.mermaid.extension, 'mmd');
    assert.equal(RENDERERS.chrome.extension, 'trace.json');
  });

  it('are refused with --repeat, on stdout or in --out, before anything runs', () => {
    const repeat =
      (format: OutputFormat, outputs: OutputFormat[] = []) =>
      () =>
        checkRepeatFormats({ repeat: 3, format, outputs: outputs.map((f) => ({ format: f, path: `x.${f}` })) });
    assert.throws(
      repeat('mermaid'),
      /--repeat reports the distribution over the runs as text or json; mermaid shows one run/,
    );
    assert.throws(repeat('text', ['json', 'chrome']), /chrome shows one run/);
    assert.throws(repeat('chrome', ['mermaid']), /mermaid and chrome show one run/);
    assert.doesNotThrow(repeat('json', ['text']));
    assert.doesNotThrow(() =>
      checkRepeatFormats({ repeat: 1, format: 'mermaid', outputs: [{ format: 'chrome', path: 'x' }] }),
    );
  });
});
