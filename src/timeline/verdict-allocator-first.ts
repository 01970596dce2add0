/**
 * allocator-cleanup-first (docs/ARCHITECTURE.md, "Verdicts"), about the profile write made at
 * exit: confirmed when an allocator-teardown entry point ran before it, refuted when it began
 * before any teardown, inconclusive otherwise, with the cause.
 */
import { EXIT_TIME_WRITER } from '../probes/catalogue';
import { evidenceOf, ref } from './evidence';
import { exitPath, insideWriter, writerCrashAtExit, type ExitPath } from './exit-path';
import { isResolved } from './probes';
import { describeOutcome } from './outcome';
import { innermostWriterFrame } from './symbols';
import { hitsAfter, hitsBefore, probeHits, roleResolved, type Timeline } from './timeline';
import { finding, type HypothesisFinding } from './hypothesis';
import type { Json } from './render/json-values';
import type {
  AllocatorFirstResult,
  AllocatorFirstVerdict,
  InconclusiveCause,
  VerdictModule,
  Verdicts,
  WriteWitness,
} from './verdict-types';
import { crashRef } from './verdict-crash';
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
    return verdict(
      'inconclusive',
      'lldb-lost',
      null,
      `${describeOutcome(timeline.outcome)}: the order it reported is not evidence`,
      exits,
    );
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
    const evidence = evidenceOf(
      exitSeq,
      teardown.seq,
      releases.map((h) => h.seq),
      witness.seq,
    );
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

export const allocatorFirstVerdict: VerdictModule<'allocatorFirst'> = {
  key: 'allocatorFirst',
  name: 'allocator-cleanup-first',
  jsonKey: 'allocator_cleanup_first',
  needs: [],
  judge: (timeline) => judgeAllocatorFirst(timeline),
  json: allocatorFirstJson,
  qualifier: (v) => v.cause,
  repeat: { label: 'allocator-cleanup-first', inRunLine: true },
  mermaid: true,
  hypothesis: allocatorFirstHypothesis,
};

function allocatorFirstJson(v: AllocatorFirstVerdict): Json {
  const { name, result, cause, witness, reason } = v;
  return { name, result, cause, witness, reason, evidence: [...v.evidence] };
}

/** The allocator-cleanup-first hypothesis, weighed from the crash attribution and, with no crash, the order. */
function allocatorFirstHypothesis({ crash, allocatorFirst: order, earlyWrite }: Verdicts): HypothesisFinding {
  const id = 'allocator-cleanup-first';
  switch (crash.result) {
    case 'consistent-with-allocator-first':
      return finding(
        id,
        'supported',
        `the writer crashed after the allocator's teardown, with nothing else to explain it (${crashRef(crash)})`,
        crash.evidence,
      );
    case 'attributed-to-corrupt-profile-data': {
      const despite = crash.allocator === 'torn-down' ? ', although the allocator was torn down first' : '';
      return finding(
        id,
        'ruled-out',
        `the writer's crash is explained by the corrupt profile data${despite} (${crashRef(crash)})`,
        crash.evidence,
      );
    }
    case 'not-explained-by-allocator': {
      const why =
        earlyWrite.result === 'crashed' && earlyWrite.beforeTeardown === true && crash.allocator === 'torn-down'
          ? 'the writer crashed before any teardown too (early-write)'
          : crash.allocator === 'absent'
            ? 'the writer crashed in a program with no mimalloc'
            : 'the writer crashed while the allocator was live';
      return finding(id, 'ruled-out', `${why} (${crashRef(crash)})`, crash.evidence);
    }
    case 'outside-profile-writer':
      return finding(id, 'ruled-out', `the crash is outside the profile writer (${crashRef(crash)})`, crash.evidence);
    case 'allocator-state-unknown':
      return finding(
        id,
        'open',
        `the writer crashed, but whether the allocator was torn down cannot be told (${crashRef(crash)})`,
        crash.evidence,
      );
    case 'no-crash':
      if (order.result === 'confirmed') {
        return finding(
          id,
          'open',
          `the allocator was torn down before the exit-time write (${order.evidence.map(ref).join(', ')}), but nothing crashed in this run`,
          order.evidence,
        );
      }
      if (order.result === 'refuted') {
        return finding(
          id,
          'ruled-out',
          'the exit-time write began before any allocator teardown, and nothing crashed',
          order.evidence,
        );
      }
      return finding(
        id,
        'open',
        `no crash, and the order is unknown (${order.cause ?? 'inconclusive'})`,
        order.evidence,
      );
  }
}
