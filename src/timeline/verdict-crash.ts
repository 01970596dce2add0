/**
 * Crash attribution (docs/ARCHITECTURE.md, "Verdicts"): where the process crashed (profile
 * writer or elsewhere), the allocator's state at that moment, and the profile data's integrity,
 * weighed together. With corrupt profile data the corruption explains a writer crash whatever the order.
 */
import type { Frame, SignalEvent } from './events';
import { evidenceOf, ref } from './evidence';
import { firstCrash } from './outcome';
import { isResolved } from './probes';
import { frameLabel, innermostWriterFrame } from './symbols';
import { hitsBefore, roleResolved, type Timeline } from './timeline';
import { frameJson, type Json } from './render/json-values';
import type {
  AllocatorState,
  CrashAttribution,
  CrashResult,
  EarlyWriteVerdict,
  ProfileIntegrity,
  VerdictModule,
} from './verdict-types';

const ALLOCATOR_ROLES = ['allocator-init', 'allocator-teardown', 'allocator-release'] as const;

export interface AllocatorAtCrash {
  state: AllocatorState;
  text: string;
  evidence: number[];
}

const UNKNOWN_INTEGRITY: ProfileIntegrity = { status: 'unknown' };
const CORRUPTION_EXPLAINS = 'the corruption explains the crash whatever the allocator order';

export function attributeCrash(
  timeline: Timeline,
  integrity: ProfileIntegrity = UNKNOWN_INTEGRITY,
  earlyWrite?: EarlyWriteVerdict,
): CrashAttribution {
  const crash = firstCrash(timeline.events);
  if (crash === undefined) return noCrash(timeline, integrity);
  const writer = innermostWriterFrame(crash.frames);
  const top = crash.frames[0] === undefined ? crash.pc : frameLabel(crash.frames[0]);
  const site = `${crash.signal} in ${top} (${ref(crash.seq)})`;
  if (writer === undefined) {
    const reason = `${site}, outside the profile writer's frames`;
    return attribution('outside-profile-writer', crash, null, null, integrity, reason, [crash.seq]);
  }
  const where = `${site}, inside the profile writer (${writer.symbol})`;
  const allocator = allocatorAt(timeline, crash.seq);
  if (integrity.status === 'corrupt') {
    // The integrity verdict gives the details; here, where to find them and what follows.
    const cited = integrity.evidence?.length ? ` (see profile-data-integrity, #${integrity.evidence[0]})` : '';
    const order =
      allocator.state === 'torn-down' ? '; the allocator was torn down first, and that does not explain it' : '';
    const reason = `${where} with corrupt profile data${cited}${order}: ${CORRUPTION_EXPLAINS}`;
    const evidence = evidenceOf(crash.seq, integrity.evidence);
    const result = 'attributed-to-corrupt-profile-data';
    return attribution(result, crash, writer, allocator.state, integrity, reason, evidence);
  }
  if (allocator.state === 'torn-down' && earlyWrite?.result === 'crashed' && earlyWrite.beforeTeardown === true) {
    const reason =
      `${where} ${allocator.text}, but the writer also crashed before any teardown ` +
      `(early-write ${ref(earlyWrite.evidence[0] ?? crash.seq)}): not explained by allocator-cleanup-first${integrityNote(integrity)}`;
    const evidence = evidenceOf(crash.seq, allocator.evidence, earlyWrite.evidence, integrity.evidence);
    return attribution('not-explained-by-allocator', crash, writer, allocator.state, integrity, reason, evidence);
  }
  const [result, judgement] = weigh(allocator.state);
  const reason = `${where} ${allocator.text}: ${judgement}${integrityNote(integrity)}`;
  const evidence = evidenceOf(crash.seq, allocator.evidence, integrity.evidence);
  return attribution(result, crash, writer, allocator.state, integrity, reason, evidence);
}

function weigh(state: AllocatorState): [CrashResult, string] {
  switch (state) {
    case 'torn-down':
      return ['consistent-with-allocator-first', 'consistent with allocator-cleanup-first'];
    case 'unknown':
      return ['allocator-state-unknown', 'cannot tell whether the allocator was torn down'];
    default:
      return [
        'not-explained-by-allocator',
        'not explained by allocator-cleanup-first; check the profile data (an object instrumented by another ' +
          'LLVM version crashes the writer the same way)',
      ];
  }
}

/** The allocator's state at event `seq`: torn down before it, live, absent or unknown. */
export function allocatorAt(timeline: Timeline, seq: number): AllocatorAtCrash {
  const teardown = hitsBefore(timeline, seq, 'allocator-teardown')[0];
  if (teardown !== undefined) {
    const text = `after allocator teardown ${teardown.symbol} (${ref(teardown.seq)})`;
    return { state: 'torn-down', text, evidence: [teardown.seq] };
  }
  const probes = timeline.probes.filter((p) => (ALLOCATOR_ROLES as readonly string[]).includes(p.role));
  const resolved = probes.filter(isResolved);
  if (roleResolved(timeline, 'allocator-teardown')) {
    const seqs = resolved.filter((p) => p.role === 'allocator-teardown').map((p) => p.seq);
    const text = 'while the allocator was live (its teardown probes resolved, none ran before the crash)';
    return { state: 'live', text, evidence: seqs };
  }
  if (ALLOCATOR_ROLES.some((role) => roleResolved(timeline, role))) {
    const text = 'with an allocator present whose teardown probes did not resolve';
    return { state: 'unknown', text, evidence: resolved.map((p) => p.seq) };
  }
  const text = 'with no allocator probe resolved (no mimalloc)';
  return { state: 'absent', text, evidence: probes.map((p) => p.seq) };
}

function integrityNote(integrity: ProfileIntegrity): string {
  if (integrity.status === 'consistent') return '; the profile data is consistent';
  return integrity.status === 'unknown' ? '; profile data integrity was not checked' : '';
}

function noCrash(timeline: Timeline, integrity: ProfileIntegrity): CrashAttribution {
  const outcome = timeline.outcome;
  const reason =
    outcome.kind === 'signaled'
      ? `the process was ended by ${outcome.signal} without a crash stop to attribute`
      : 'the process did not stop on a crash signal';
  const exits = timeline.events.filter((e) => e.kind === 'exit').map((e) => e.seq);
  return attribution('no-crash', undefined, null, null, integrity, reason, exits);
}

function attribution(
  result: CrashResult,
  crash: SignalEvent | undefined,
  writerFrame: Frame | null,
  allocator: AllocatorState | null,
  integrity: ProfileIntegrity,
  reason: string,
  evidence: number[],
): CrashAttribution {
  const signal = crash?.signal ?? null;
  const status = integrity.status;
  const crashSeq = crash?.seq ?? null;
  return {
    name: 'crash-attribution',
    result,
    signal,
    crashSeq,
    writerFrame,
    allocator,
    integrity: status,
    reason,
    evidence,
  };
}

/**
 * Judged after the integrity verdict and the early write: the integrity check's finding (or the one
 * given in the options) and the early write's crash weigh in.
 */
export const crashVerdict: VerdictModule<'crash'> = {
  key: 'crash',
  name: 'crash-attribution',
  jsonKey: 'crash_attribution',
  needs: ['integrity', 'earlyWrite'],
  judge: (timeline, { integrity, earlyWrite }, options) => {
    const found: ProfileIntegrity = {
      status: integrity.result,
      reason: integrity.reason,
      evidence: integrity.evidence,
    };
    return attributeCrash(timeline, options.integrity ?? found, earlyWrite);
  },
  json: crashJson,
  repeat: { label: 'crash attribution', inRunLine: true },
};

function crashJson(v: CrashAttribution): Json {
  return {
    name: v.name,
    result: v.result,
    signal: v.signal,
    writer_frame: frameJson(v.writerFrame),
    allocator: v.allocator,
    integrity: v.integrity,
    reason: v.reason,
    evidence: [...v.evidence],
  };
}

/** `SIGSEGV in initializeValueProfRuntimeRecord, #62`: the crash's own event among the evidence. */
export function crashRef(crash: CrashAttribution): string {
  const signal = crash.signal ?? 'crash';
  const where = crash.writerFrame === null ? '' : ` in ${crash.writerFrame.symbol}`;
  const seq = crash.crashSeq === null ? '' : `, ${ref(crash.crashSeq)}`;
  return `${signal}${where}${seq}`;
}
