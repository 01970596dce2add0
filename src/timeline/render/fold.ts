/**
 * Folding repetitive hits for the renderers that must stay small (a GitHub step summary is cut at
 * 1 MiB; a page with 10,000 rows is no use to read): a run of consecutive timeline events of the
 * same kind, role and symbol longer than `minRun` keeps its first `head` and last `tail` events
 * and the rest becomes one folded row that says how many events, which seqs, and what they were.
 *
 * An event the verdicts or the diagnosis cite, or a registration of a handler that matters (the
 * profile writer's, the allocator's teardown), is never folded: it ends the run. Pure.
 */
import type { DebugExitEvent } from '../events';
import type { Report } from '../report';
import { roleOf, symbolOf } from './describe';

export interface FoldOptions {
  /** Runs longer than this are folded. */
  minRun: number;
  head: number;
  tail: number;
}

export const DEFAULT_FOLD: FoldOptions = { minRun: 12, head: 3, tail: 2 };

export type FoldedRow =
  | { kind: 'event'; event: DebugExitEvent }
  | { kind: 'folded'; count: number; firstSeq: number; lastSeq: number; role: string; symbol: string };

export interface Folding {
  rows: FoldedRow[];
  /** Events folded away, in all. */
  folded: number;
}

/** The events shown in timelines: everything but the probe resolutions (listed under Probes). */
export function timelineEvents(report: Report): DebugExitEvent[] {
  return report.timeline.events.filter((e) => e.kind !== 'probe-resolved');
}

/** The seqs no folding may hide: cited by a verdict or the diagnosis, or a registration that matters. */
export function citedSeqs(report: Report): Set<number> {
  const seqs = new Set<number>(report.diagnosis.evidence);
  for (const h of report.diagnosis.hypotheses) for (const seq of h.evidence) seqs.add(seq);
  for (const verdict of Object.values(report.verdicts as unknown as Record<string, { evidence?: readonly number[] }>)) {
    for (const seq of verdict?.evidence ?? []) seqs.add(seq);
  }
  for (const r of report.timeline.registrations) if (r.kind !== 'other') seqs.add(r.seq);
  return seqs;
}

/** What makes two events "the same" for folding: kind, role and the symbol (with what it registered). */
function keyOf(event: DebugExitEvent): string {
  if (event.kind !== 'hit') return `${event.kind}\0${event.seq}`; // only probe hits repeat
  const registered = event.registered === undefined ? '' : '(*)';
  return `hit\0${event.role}\0${event.symbol}${registered}`;
}

export function foldEvents(
  events: readonly DebugExitEvent[],
  keep: ReadonlySet<number>,
  options: FoldOptions = DEFAULT_FOLD,
): Folding {
  const rows: FoldedRow[] = [];
  let folded = 0;
  let i = 0;
  while (i < events.length) {
    let j = i + 1;
    if (!keep.has(events[i].seq)) {
      while (j < events.length && !keep.has(events[j].seq) && keyOf(events[j]) === keyOf(events[i])) j++;
    }
    const run = events.slice(i, j);
    if (run.length > options.minRun) {
      const hidden = run.slice(options.head, run.length - options.tail);
      rows.push(...run.slice(0, options.head).map((event) => ({ kind: 'event' as const, event })));
      rows.push({
        kind: 'folded',
        count: hidden.length,
        firstSeq: hidden[0].seq,
        lastSeq: hidden[hidden.length - 1].seq,
        role: roleOf(hidden[0]),
        symbol: hidden[0].kind === 'hit' ? hidden[0].symbol : symbolOf(hidden[0]),
      });
      rows.push(...run.slice(run.length - options.tail).map((event) => ({ kind: 'event' as const, event })));
      folded += hidden.length;
    } else {
      rows.push(...run.map((event) => ({ kind: 'event' as const, event })));
    }
    i = j;
  }
  return { rows, folded };
}

/** The report's timeline, folded. */
export function foldTimeline(report: Report, options: FoldOptions = DEFAULT_FOLD): Folding {
  return foldEvents(timelineEvents(report), citedSeqs(report), options);
}

/** `9,995 atexit-register hits of atexit (#12-#10006) folded: the same probe, one after another` */
export function describeFold(row: Extract<FoldedRow, { kind: 'folded' }>): string {
  return `${row.count.toLocaleString('en-US')} more ${row.role} hits of ${row.symbol} (#${row.firstSeq}-#${row.lastSeq}) folded`;
}

/** The note under a folded timeline, or null when nothing was folded. */
export function foldNote(folding: Folding, options: FoldOptions = DEFAULT_FOLD): string | null {
  if (folding.folded === 0) return null;
  return (
    `${folding.folded.toLocaleString('en-US')} repetitive hits folded (runs of more than ${options.minRun} hits of the same probe, one after another, ` +
    `keep their first ${options.head} and last ${options.tail}; hits a verdict cites are never folded). The JSON report has every event.`
  );
}
