/**
 * The renderers made for CI and people: folding of repetitive hits, the Markdown step summary
 * (diagnosis first, Mermaid, folded timeline, under 1 MiB), the SVG exit sequence and the HTML
 * page (order of sections, escaping of everything from the target, the recording inlined or not).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendStepSummary, describeSummary } from '../../src/cli/summary';
import { htmlSessionOf } from '../../src/cli/html-page';
import { foldEvents, foldTimeline, timelineEvents } from '../../src/timeline/render/fold';
import { renderHtml } from '../../src/timeline/render/html';
import { MARKDOWN_BUDGET_BYTES, renderMarkdown } from '../../src/timeline/render/markdown';
import { laneOf, renderExitSvg, svgMarks, xml } from '../../src/timeline/render/svg';
import { buildReport, type Report } from '../../src/timeline/report';
import { ALL_ROLES, Scenario } from '../../src/timeline/scenario';

const AT_EXIT = ['__run_exit_handlers', 'exit'];

/** allocator-first with a crash in the writer after teardown, and `registrations` extra atexit hits (a census). */
function crashAfterTeardown(registrations = 0, hostile = false): Report {
  const s = new Scenario();
  s.hello();
  s.resolveRoles(ALL_ROLES);
  s.hit('atexit-register', '__cxa_atexit', {
    registered: 'writeFileWithoutReturn',
    callers: ['__llvm_profile_register_write_file_atexit'],
  });
  s.hit('atexit-register', 'atexit', { registered: 'mi_process_done', callers: ['mi_process_load'] });
  s.hit('main', 'main', {
    callers: ['__libc_start_call_main'],
    threadName: hostile ? '<img src=x onerror=alert(1)>' : 'app',
  });
  for (let i = 0; i < registrations; i++)
    s.hit('atexit-register', 'atexit', { registered: `handler_${i}`, callers: ['main'] });
  s.hit('process-exit', 'exit', { callers: ['main'], module: 'libc.so.6' });
  s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  s.integrity('consistent');
  s.hit('profile-write', hostile ? '</script><script>alert("x")</script>' : '__llvm_profile_write_file', {
    callers: ['writeFileWithoutReturn', ...AT_EXIT],
  });
  s.signal('SIGSEGV', ['getCurFilenameLength', '__llvm_profile_write_file', 'writeFileWithoutReturn']);
  s.exit(-1, 11);
  return buildReport(
    s.build(undefined, {
      census: registrations > 0,
      target: { program: hostile ? '/tmp/a&b<c>/app"\'' : '/tmp/app', args: [] },
    }),
  );
}

describe('fold: repetitive hits', () => {
  it('folds a long run of the same probe into its first 3, one folded row, and its last 2; cited events never fold', () => {
    const report = crashAfterTeardown(100);
    const folding = foldTimeline(report);
    const folded = folding.rows.filter((r) => r.kind === 'folded');
    assert.equal(folded.length, 1);
    assert.equal(folding.folded, 95);
    assert.equal(folded[0].kind === 'folded' && folded[0].count, 95);
    const shownSeqs = folding.rows.flatMap((r) => (r.kind === 'event' ? [r.event.seq] : []));
    for (const seq of report.diagnosis.evidence) assert.ok(shownSeqs.includes(seq), `#${seq} is cited and shown`);
    assert.equal(shownSeqs.length + folding.folded, timelineEvents(report).length);
  });

  it('leaves short runs alone', () => {
    const report = crashAfterTeardown(5);
    assert.equal(foldTimeline(report).folded, 0);
  });

  it('does not fold through an event it must keep', () => {
    const events = timelineEvents(crashAfterTeardown(40));
    const regs = events.filter(
      (e) => e.kind === 'hit' && e.role === 'atexit-register' && e.registered?.symbol.startsWith('handler_'),
    );
    const keep = new Set([regs[20].seq]);
    const folding = foldEvents(events, keep);
    assert.ok(folding.rows.some((r) => r.kind === 'event' && r.event.seq === regs[20].seq));
    assert.equal(folding.rows.filter((r) => r.kind === 'folded').length, 2);
  });
});

describe('markdown: the step summary', () => {
  it('has the diagnosis first, a Mermaid sequenceDiagram, then the timeline table with a note of what was folded', () => {
    const md = renderMarkdown(crashAfterTeardown(10_000));
    const first = md.split('\n').find((line) => line.startsWith('## '));
    assert.equal(first, '## Diagnosis: allocator-cleanup-first');
    const diagram = md.indexOf('```mermaid\nsequenceDiagram\n');
    assert.ok(diagram > md.indexOf('## Diagnosis') && diagram < md.indexOf('## Timeline'));
    assert.match(md, /^\| seq \| ms \| tid \| role \| symbol \| detail \|$/m);
    assert.match(md, /_9,995 repetitive hits folded/);
    assert.ok(Buffer.byteLength(md) < 1024 * 1024);
  });

  it('stays under the budget even when nothing can be folded, and says what it cut', () => {
    const report = crashAfterTeardown(0);
    const long = 'x'.repeat(400);
    const s = new Scenario();
    s.hello();
    for (let i = 0; i < 4000; i++) s.hit('profile-write', `f${i}_${long}`, { callers: ['main'] });
    s.exit(0);
    const big = buildReport(s.build());
    const md = renderMarkdown(big);
    assert.ok(Buffer.byteLength(md) <= MARKDOWN_BUDGET_BYTES, `${Buffer.byteLength(md)} bytes`);
    assert.match(md, /more rows cut to stay under GitHub's 1 MiB step-summary limit/);
    assert.doesNotMatch(renderMarkdown(report), /rows cut/);
  });

  it('appends to $GITHUB_STEP_SUMMARY, and says so when it is not set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-summary-'));
    try {
      const file = path.join(dir, 'summary.md');
      fs.writeFileSync(file, 'before\n');
      const result = appendStepSummary('# hello', { GITHUB_STEP_SUMMARY: file });
      assert.equal(fs.readFileSync(file, 'utf8'), 'before\n# hello\n');
      assert.match(describeSummary(result), /8 bytes of Markdown appended to .*summary\.md/);
      const unset = appendStepSummary('# hello', {});
      assert.equal(unset.kind, 'unset');
      assert.match(describeSummary(unset), /GITHUB_STEP_SUMMARY is not set/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('svg: the exit sequence', () => {
  const report = crashAfterTeardown(0);

  it('puts each event on the lane of who ran it', () => {
    const lanes = Object.fromEntries(
      report.timeline.events.filter((e) => e.kind === 'hit').map((e) => [e.kind === 'hit' ? e.symbol : '', laneOf(e)]),
    );
    assert.deepEqual(lanes, {
      __cxa_atexit: 'program',
      atexit: 'program',
      main: 'program',
      exit: 'libc',
      mi_process_done: 'allocator',
      writeFileWithoutReturn: 'profile',
      __llvm_profile_write_file: 'profile',
    });
    const crash = report.timeline.events.find((e) => e.kind === 'signal')!;
    assert.equal(laneOf(crash), 'profile');
  });

  it('draws one mark per event but the setup ones, and marks the crash', () => {
    const svg = renderExitSvg(report);
    const drawn = report.timeline.events.filter((e) => e.kind !== 'hello' && e.kind !== 'probe-resolved');
    assert.equal((svg.match(/<g class="mark/g) ?? []).length, drawn.length);
    assert.equal(svgMarks(report).length, drawn.length);
    assert.equal((svg.match(/<g class="mark crash"/g) ?? []).length, 1);
    for (const lane of ['program', 'libc', 'allocator', 'profile'])
      assert.match(svg, new RegExp(`<g class="lane" data-lane="${lane}">`));
  });
});

describe('html: the page', () => {
  it('has, in order, the diagnosis with the three hypotheses, the SVG, the timeline and the session', () => {
    const report = crashAfterTeardown(0);
    const html = renderHtml(report);
    const at = (needle: string) => {
      const i = html.indexOf(needle);
      assert.ok(i >= 0, `${needle} is on the page`);
      return i;
    };
    const order = [
      at('<section id="diagnosis">'),
      at('<svg '),
      at('<section id="timeline">'),
      at('<section id="session">'),
    ];
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    for (const h of report.diagnosis.hypotheses) assert.ok(html.includes(`data-hypothesis="${h.id}"`));
    assert.equal((html.match(/<tr data-seq=/g) ?? []).length, timelineEvents(report).length);
  });

  it('escapes everything from the target: symbols, thread names, paths', () => {
    const html = renderHtml(crashAfterTeardown(0, true));
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /<\/script><script>alert/);
    assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('/tmp/a&amp;b&lt;c&gt;/app&quot;&#39;'));
    assert.equal((html.match(/<script/g) ?? []).length, 0, 'no script without a recording');
  });

  it('inlines a recording as JSON that cannot close its script element, with the player', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-html-'));
    try {
      const cast = path.join(dir, 'x.cast');
      fs.writeFileSync(
        cast,
        '{"version":2,"width":80,"height":24}\n[0.1,"o","</script><script>alert(1)</script>\\u2028"]\n',
      );
      const session = htmlSessionOf(cast);
      assert.equal(session.kind, 'inline');
      const html = renderHtml(crashAfterTeardown(0), { session });
      assert.doesNotMatch(html, /<\/script><script>alert/);
      assert.match(html, /<script type="application\/json" id="recording">"\{\\"version\\":2/);
      assert.match(html, /AsciinemaPlayer\.create\(/);
      const tooLarge = htmlSessionOf(cast, 10);
      assert.deepEqual({ ...tooLarge, path: '' }, { kind: 'too-large', path: '', bytes: fs.statSync(cast).size });
      const page = renderHtml(crashAfterTeardown(0), { session: tooLarge });
      assert.ok(page.includes(`it is at <code>${xml(cast)}</code>`));
      assert.doesNotMatch(page, /<script/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when the session was not recorded', () => {
    const html = renderHtml(crashAfterTeardown(0), { session: htmlSessionOf(null) });
    assert.match(html, /The session was not recorded \(--no-record\)/);
  });
});
