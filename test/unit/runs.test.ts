/** Splitting a session into runs: live (the interactive view), at once (--repeat, replay, leftovers). */
import assert from 'node:assert/strict';
import type { DebugExitEvent } from '../../src/timeline/events';
import { openLaunch, launchedPids } from '../../src/session/leftovers';
import { RunTracker, splitRuns } from '../../src/timeline/runs';

let seq = 0;
const ev = (fields: Record<string, unknown>) => ({ seq: ++seq, t_ns: seq, ...fields }) as unknown as DebugExitEvent;
const hello = () => ev({ kind: 'hello', schema: 's', lldb_version: 'l', platform: 'linux' });
const resolved = () => ev({ kind: 'probe-resolved', role: 'main', symbol: 'main', locations: 1, modules: [] });
const launched = (pid: number) => ev({ kind: 'launched', pid });
const hit = (symbol: string) =>
  ev({ kind: 'hit', role: 'process-exit', symbol, module: 'm', tid: 1, pc: '0x1', frames: [] });
const signal = () => ev({ kind: 'signal', signal: 'SIGSEGV', description: 'd', tid: 1, pc: '0x1', frames: [] });
const exit = () => ev({ kind: 'exit', status: 0 });

describe('run tracker', () => {
  it('gives each launch its own run, sharing the set-up events', () => {
    const t = new RunTracker();
    const changes = [
      hello(),
      resolved(),
      launched(10),
      hit('exit'),
      exit(),
      launched(11),
      hit('exit'),
      signal(),
      exit(),
    ].map((e) => t.add(e)?.kind ?? null);
    assert.deepEqual(changes, [null, null, 'started', 'hit', 'ended', 'started', 'hit', 'crashed', 'ended']);
    assert.equal(t.runs.length, 2);
    assert.deepEqual(
      t.runs.map((r) => [r.pid, r.crashed, r.ended]),
      [
        [10, false, true],
        [11, true, true],
      ],
    );
    const second = t.eventsOf(t.runs[1]).map((e) => e.kind);
    assert.deepEqual(second, ['hello', 'probe-resolved', 'launched', 'hit', 'signal', 'exit']);
  });

  it('reports a crash once, and nothing after a run ended but set-up events', () => {
    const t = new RunTracker();
    t.add(launched(1));
    assert.equal(t.add(signal())?.kind, 'crashed');
    assert.equal(t.add(signal()), null);
    t.add(exit());
    assert.equal(t.add(hit('exit')), null);
    assert.equal(t.runs[0].events.length, 4);
  });
});

describe('splitRuns (the one run splitter)', () => {
  const session = () => [hello(), resolved(), launched(10), hit('exit'), exit(), launched(11), hit('exit'), signal()];

  it('cuts the events at each launch, the same as the live tracker, and shares the set-up events', () => {
    const events = session();
    const split = splitRuns(events);
    const t = new RunTracker();
    for (const e of events) t.add(e);
    assert.deepEqual(split.runs, t.runs);
    assert.deepEqual(
      split.shared.map((e) => e.kind),
      ['hello', 'probe-resolved'],
    );
    assert.deepEqual(
      split.runs.map((r) => [r.index, r.pid, r.ended, r.crashed]),
      [
        [1, 10, true, false],
        [2, 11, false, true],
      ],
    );
    assert.deepEqual(
      split.eventsOf(split.runs[1]).map((e) => e.kind),
      ['hello', 'probe-resolved', 'launched', 'hit', 'signal'],
    );
  });

  it('no launch: no run, every event shared', () => {
    const split = splitRuns([hello(), resolved()]);
    assert.equal(split.runs.length, 0);
    assert.equal(split.shared.length, 2);
  });

  it('the leftovers read it: one pid per run, and the run still open', () => {
    const events = session();
    assert.deepEqual(launchedPids(events), [10, 11]);
    assert.equal(openLaunch(events), 11);
    assert.equal(openLaunch([...events, exit()]), null);
    assert.equal(openLaunch([hello()]), null);
  });
});
