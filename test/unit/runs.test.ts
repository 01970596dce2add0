/** Splitting an interactive session into runs. */
import assert from 'node:assert/strict';
import type { DebugExitEvent } from '../../src/timeline/events';
import { RunTracker } from '../../src/timeline/runs';

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
