/**
 * allocator-cleanup-first (DESIGN.md section 5), about the profile write made at exit: confirmed
 * when an allocator-teardown entry point ran before it, refuted when it began before any teardown,
 * inconclusive otherwise, with the cause.
 */
import { EXIT_TIME_WRITER } from '../probes/catalogue';
import { evidenceOf, ref } from './evidence';
import { exitPath, insideWriter, writerCrashAtExit, type ExitPath } from './exit-path';
import { isResolved } from './probes';
import { describeOutcome } from './outcome';
import { innermostWriterFrame } from './symbols';
import { hitsAfter, hitsBefore, probeHits, roleResolved, type Timeline } from './timeline';
import type { AllocatorFirstResult, AllocatorFirstVerdict, InconclusiveCause, WriteWitness } from './verdict';
import { explainMissingWrite, teardownProbeSeqs, teardownUnresolved } from './verdict-missing-write';

/** The event that shows the exit-time write had begun. */
interface Witness {
  seq: number;
  kind: WriteWitness;
  label: string;
}

export function judgeAllocatorFirst(timeline: Timeline): AllocatorFirstVerdict {
  const path = exitPath(timeline);
  if (timeline.outcome.kind === 'lost') {
    const exits = timeline.events.filter((e) => e.kind === 'exit').map((e) => e.seq);
    return verdict('inconclusive', 'lldb-lost', null, `${describeOutcome(timeline.outcome)}: the order it reported is not evidence`, exits);
  }
  const witness = writeWitness(path);
  if (witness !== undefined) return judgeOrder(timeline, path, witness);
  const missing = explainMissingWrite(timeline, path);
  return verdict('inconclusive', missing.cause, null, missing.reason, missing.evidence);
}

function writeWitness(path: ExitPath): Witness | undefined {
  if (path.write !== undefined) {
    const { hit, via } = path.write;
    const label =
      via === 'exit-time-writer'
        ? `the exit-time writer ${hit.symbol} (${ref(hit.seq)})`
        : `${hit.symbol} (${ref(hit.seq)}), the first profile write after exit (${EXIT_TIME_WRITER} did not resolve)`;
    return { seq: hit.seq, kind: via, label };
  }
  const crash = writerCrashAtExit(path);
  if (crash === undefined) return undefined;
  const frame = innermostWriterFrame(crash.frames)?.symbol ?? '?';
  const label = `the exit-time write (seen only in the ${crash.signal} inside ${frame}, ${ref(crash.seq)})`;
  return { seq: crash.seq, kind: 'writer-crash', label };
}

function judgeOrder(timeline: Timeline, path: ExitPath, witness: Witness): AllocatorFirstVerdict {
  const exitSeq = path.exitEntry?.seq;
  // A teardown nested inside the writer cannot have run before the write began.
  const teardown = hitsBefore(timeline, witness.seq, 'allocator-teardown').find((hit) => !insideWriter(hit));
  if (teardown !== undefined) {
    const inside = (seq: number): boolean => seq > teardown.seq && seq < witness.seq;
    const releases = probeHits(timeline, 'allocator-release').filter((h) => inside(h.seq));
    const reason = `allocator teardown ${teardown.symbol} (${ref(teardown.seq)}) ran before ${witness.label}`;
    const evidence = evidenceOf(exitSeq, teardown.seq, releases.map((h) => h.seq), witness.seq);
    return verdict('confirmed', null, witness.kind, reason, evidence);
  }
  if (!roleResolved(timeline, 'allocator-teardown')) {
    const unknowable = `${witness.label} ran, but its order against a teardown cannot be known`;
    const reason = `${teardownUnresolved(timeline)}; ${unknowable}`;
    const evidence = evidenceOf(exitSeq, witness.seq, teardownProbeSeqs(timeline));
    return verdict('inconclusive', 'teardown-unresolved', witness.kind, reason, evidence);
  }
  return refuted(timeline, witness, exitSeq);
}

function refuted(timeline: Timeline, witness: Witness, exitSeq: number | undefined): AllocatorFirstVerdict {
  const later = hitsAfter(timeline, witness.seq, 'allocator-teardown')[0];
  const resolved = timeline.probes.filter((p) => p.role === 'allocator-teardown' && isResolved(p));
  const after =
    later !== undefined
      ? `${later.symbol} ran only afterwards (${ref(later.seq)})`
      : `no teardown entry point ran before it (resolved: ${resolved.map((p) => p.symbol).join(', ')})`;
  const reason = `${witness.label} began before any allocator teardown; ${after}`;
  const evidence = evidenceOf(exitSeq, witness.seq, later?.seq, later === undefined ? resolved.map((p) => p.seq) : []);
  return verdict('refuted', null, witness.kind, reason, evidence);
}

function verdict(
  result: AllocatorFirstResult,
  cause: InconclusiveCause | null,
  witness: WriteWitness | null,
  reason: string,
  evidence: number[],
): AllocatorFirstVerdict {
  return { name: 'allocator-cleanup-first', result, cause, witness, reason, evidence };
}
