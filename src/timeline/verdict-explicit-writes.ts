/**
 * Profile writes the program made itself (an explicit `__llvm_profile_write_file()` before exit).
 * Reported apart from the exit-time write: they say nothing about exit order.
 */
import { EXIT_TIME_WRITER, EXPLICIT_WRITE } from '../probes/catalogue';
import type { ProbeHitEvent } from './events';
import { ref } from './evidence';
import { exitPath, type ExitPath } from './exit-path';
import { baseSymbol, callerFrame, framesInclude } from './symbols';
import { probeHits, type Timeline } from './timeline';
import { frameJson, type Json } from './render/json-values';
import type { ExplicitWrite, ExplicitWritesVerdict, VerdictModule } from './verdict-types';

export function judgeExplicitWrites(timeline: Timeline): ExplicitWritesVerdict {
  const path = exitPath(timeline);
  const hits = probeHits(timeline, 'profile-write', EXPLICIT_WRITE).filter(
    (hit) => isExplicit(hit, path) && !calledByExitTimeWriter(timeline, hit),
  );
  const writes: ExplicitWrite[] = hits.map((hit) => ({ seq: hit.seq, tid: hit.tid, caller: callerFrame(hit) ?? null }));
  const evidence = writes.map((w) => w.seq);
  if (writes.length === 0) {
    const reason = 'the program made no profile write of its own before exit';
    return { name: 'explicit-writes', result: 'none', reason, evidence, writes };
  }
  const cited = writes.map((w) => `${ref(w.seq)}${w.caller === null ? '' : ` from ${w.caller.symbol}`}`).join(', ');
  const count = writes.length === 1 ? '1 profile write' : `${writes.length} profile writes`;
  const reason = `${count} the program made itself before exit (${cited}): they say nothing about exit order`;
  return { name: 'explicit-writes', result: 'present', reason, evidence, writes };
}

/** Not the exit-time write, not called from its handler, and before exit was entered. */
function isExplicit(hit: ProbeHitEvent, path: ExitPath): boolean {
  if (framesInclude(hit.frames, EXIT_TIME_WRITER) || path.write?.hit.seq === hit.seq) return false;
  return path.exitEntry === undefined || hit.seq < path.exitEntry.seq;
}

/**
 * writeFileWithoutReturn tail-calls __llvm_profile_write_file, so its frame is gone from the
 * stack: the write that directly follows its hit on the same thread is its own.
 */
function calledByExitTimeWriter(timeline: Timeline, hit: ProbeHitEvent): boolean {
  const before = probeHits(timeline, 'profile-write').filter((h) => h.seq < hit.seq && h.tid === hit.tid);
  const previous = before[before.length - 1];
  return previous !== undefined && baseSymbol(previous.symbol) === EXIT_TIME_WRITER;
}

export const explicitWritesVerdict: VerdictModule<'explicitWrites'> = {
  key: 'explicitWrites',
  name: 'explicit-writes',
  jsonKey: 'explicit_writes',
  needs: [],
  judge: (timeline) => judgeExplicitWrites(timeline),
  json: explicitWritesJson,
};

function explicitWritesJson(v: ExplicitWritesVerdict): Json {
  const writes = v.writes.map((w) => ({ seq: w.seq, tid: w.tid, caller: frameJson(w.caller) }));
  return { name: v.name, result: v.result, reason: v.reason, evidence: [...v.evidence], writes };
}
