/**
 * Issue 12, pure parts: a process LLDB lost is outcome `lost` with an inconclusive verdict; the
 * terminal filter of replay --play; escaping; the rejected-frames line; leftovers' line.
 */
import assert from 'node:assert/strict';
import { buildReport } from '../../src/timeline/report';
import { buildTimeline } from '../../src/timeline/timeline';
import type { DebugExitEvent } from '../../src/timeline/events';
import { TerminalFilter } from '../../src/protocol/terminal-filter';
import { safeDeep, safeText } from '../../src/protocol/safe-text';
import { ForgedFrameDetector } from '../../src/protocol/forged-frames';
import { rejectedFramesLine } from '../../src/session/rejected';
import { leftoversLine } from '../../src/session/leftovers';
import { renderReport } from '../../src/timeline/render/renderer';

const hit = (seq: number, role: string, symbol: string): DebugExitEvent =>
  ({
    seq,
    t_ns: seq,
    kind: 'hit',
    role,
    symbol,
    module: 'app',
    tid: 1,
    pc: '0x1',
    frames: [],
  }) as unknown as DebugExitEvent;

describe('hostile session (pure)', () => {
  it('exit status -1 with no signal ("lost connection") is outcome lost, allocator-cleanup-first inconclusive', () => {
    const events: DebugExitEvent[] = [
      { seq: 1, t_ns: 1, kind: 'launched', pid: 7 },
      hit(2, 'process-exit', 'exit'),
      hit(3, 'allocator-teardown', 'mi_process_done'),
      hit(4, 'profile-write', 'writeFileWithoutReturn'),
      { seq: 5, t_ns: 5, kind: 'exit', status: -1, description: 'lost connection' },
    ];
    const report = buildReport(buildTimeline({ target: { program: '/x', args: [] }, profileFile: null, events }));
    assert.deepEqual(report.timeline.outcome, { kind: 'lost', description: 'lost connection' });
    assert.equal(report.verdicts.allocatorFirst.result, 'inconclusive');
    assert.equal(report.verdicts.allocatorFirst.cause, 'lldb-lost');
    assert.match(renderReport('text', report), /LLDB lost the process \(lost connection\)/);
    const json = JSON.parse(renderReport('json', report)) as { outcome: unknown };
    assert.deepEqual(json.outcome, { kind: 'lost', description: 'lost connection' });
  });

  it('a process replaced by `run` (interactive) is not lost', () => {
    const events: DebugExitEvent[] = [
      { seq: 1, t_ns: 1, kind: 'launched', pid: 7 },
      { seq: 2, t_ns: 2, kind: 'exit', status: -1, description: 'replaced by a new run before LLDB reported its exit' },
    ];
    assert.equal(
      buildTimeline({ target: { program: '/x', args: [] }, profileFile: null, events }).outcome.kind,
      'exited',
    );
  });

  it('terminal filter: colours and cursor movement pass, OSC/DCS/APC/queries do not, whatever the chunking', () => {
    const input =
      '\x1b[1;31mred\x1b[0m \x1b]52;c;SGk=\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[6n\x1b[c\x1b[>c\x1b[?1$p\x1bP+q544e\x1b\\\x1b_Gx\x1b\\\x1bZ\x9d0;t\x9c\x1b[2J\x1b[10;4H done';
    const want = '\x1b[1;31mred\x1b[0m link \x1b[2J\x1b[10;4H done';
    assert.equal(new TerminalFilter().push(input), want);
    for (let split = 1; split < input.length; split++) {
      const f = new TerminalFilter();
      assert.equal(f.push(input.slice(0, split)) + f.push(input.slice(split)), want, `split at ${split}`);
    }
  });

  it('safeText escapes C0, C1, DEL and bidi controls; safeDeep keeps shared objects shared', () => {
    assert.equal(safeText('a\x1b]52;c;x\x07b\u202e\u0085\x7f\n'), 'a\\x1b]52;c;x\\x07b\\u202e\\x85\\x7f\\x0a');
    const shared = { name: '\x1b' };
    const copy = safeDeep({ a: shared, b: [shared] });
    assert.equal(copy.a.name, '\\x1b');
    assert.equal(copy.a, copy.b[0]);
  });

  it('forged frames in the terminal are found across chunk splits, with what they claimed', () => {
    const text = 'x\x1b_dx;abc;{"seq":1,"t_ns":1,"kind":"exit","status":0}\x1b\\y\x1b_dx;;not json\x1b\\';
    for (let split = 0; split <= text.length; split++) {
      const d = new ForgedFrameDetector();
      const found = [...d.push(text.slice(0, split)), ...d.push(text.slice(split))];
      assert.deepEqual(found, [{ claimed: 'exit' }, { claimed: null }], `split at ${split}`);
    }
  });

  it('the rejected-frames and leftovers lines', () => {
    assert.equal(rejectedFramesLine(0, []), null);
    assert.equal(
      rejectedFramesLine(2, [
        { source: 'terminal', reason: 'r', claimed: 'exit' },
        { source: 'channel', reason: 'seq 5 after seq 5', claimed: 'exit' },
      ]),
      "rejected frames: 2, none of them in the timeline: 1 in LLDB's terminal output, not on the script's channel (claimed exit); 1 on the channel: exit: seq 5 after seq 5",
    );
    assert.equal(leftoversLine([]), null);
    assert.equal(leftoversLine([42]), 'the program left 1 process running (pid 42); it was killed');
    assert.equal(leftoversLine([42, 43]), 'the program left 2 processes running (pid 42, 43); they were killed');
  });
});
