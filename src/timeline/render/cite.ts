/**
 * Evidence as people read it: each seq with what it is (`#12 writeFileWithoutReturn`), and runs of
 * probe resolutions folded (`#32-#42 11 probes unresolved`) so that a list stays short.
 */
import type { DebugExitEvent } from '../events';
import { ref } from '../evidence';
import type { Timeline } from '../timeline';
import { symbolOf } from './describe';

/** A run of this many probe resolutions (all resolved, or all unresolved) or more is folded. */
const FOLD_AT = 3;

export function citeEvidence(timeline: Timeline, seqs: readonly number[]): string[] {
  const bySeq = new Map(timeline.events.map((e) => [e.seq, e] as const));
  const groups: number[][] = [];
  for (const seq of seqs) {
    const group = groups[groups.length - 1];
    const previous = group?.[group.length - 1];
    const state = probeState(bySeq.get(seq));
    if (group !== undefined && state !== null && previous !== undefined && probeState(bySeq.get(previous)) === state) {
      group.push(seq);
    } else groups.push([seq]);
  }
  return groups.flatMap((group) => fold(bySeq, group));
}

function probeState(event: DebugExitEvent | undefined): 'resolved' | 'unresolved' | null {
  if (event?.kind !== 'probe-resolved') return null;
  return event.locations > 0 ? 'resolved' : 'unresolved';
}

function fold(bySeq: ReadonlyMap<number, DebugExitEvent>, group: readonly number[]): string[] {
  const first = group[0];
  const last = group[group.length - 1];
  if (group.length >= FOLD_AT && first !== undefined && last !== undefined) {
    return [`${ref(first)}-${ref(last)} ${group.length} probes ${probeState(bySeq.get(first))}`];
  }
  return group.map((seq) => cite(seq, bySeq.get(seq)));
}

function cite(seq: number, event: DebugExitEvent | undefined): string {
  if (event === undefined) return ref(seq);
  if (event.kind !== 'probe-resolved') return `${ref(seq)} ${symbolOf(event)}`;
  return `${ref(seq)} probe ${event.symbol} ${probeState(event)}`;
}
