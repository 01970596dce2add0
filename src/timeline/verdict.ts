/**
 * The verdict engine's vocabulary and its entry point. Every verdict is a pure function of the
 * timeline and carries its evidence (event seqs) and a reason a person can check against them.
 */
import type { Frame, IntegrityEvent } from './events';
import type { Timeline } from './timeline';
import { judgeAllocatorFirst } from './verdict-allocator-first';
import { attributeCrash } from './verdict-crash';
import { judgeEarlyWrite } from './verdict-early-write';
import { judgeExplicitWrites } from './verdict-explicit-writes';
import { judgeProfileOutput, type ProfileOutputVerdict } from './verdict-profile-output';
import type { ProfileOutputCheck } from '../profile/output';

export interface Verdict<Name extends string, Result extends string> {
  name: Name;
  result: Result;
  reason: string;
  /** The event seqs the verdict rests on, ascending. */
  evidence: number[];
}

export type AllocatorFirstResult = 'confirmed' | 'refuted' | 'inconclusive';

/** Why allocator-cleanup-first could not be decided. */
export type InconclusiveCause =
  | 'launch-failed'
  | 'writer-unresolved'
  | 'teardown-unresolved'
  | 'crashed-before-exit'
  | 'crashed-at-exit'
  | 'exit-handlers-skipped'
  | 'timeout'
  | 'lldb-died'
  | 'cut'
  | 'interrupted'
  | 'killed'
  | 'exit-not-observed'
  | 'exit-time-write-missing';

/** What stood for the exit-time write: its handler's hit, a write after exit, or a crash inside the writer. */
export type WriteWitness = 'exit-time-writer' | 'write-after-exit' | 'writer-crash';

export interface AllocatorFirstVerdict extends Verdict<'allocator-cleanup-first', AllocatorFirstResult> {
  /** Set exactly when the result is inconclusive. */
  cause: InconclusiveCause | null;
  witness: WriteWitness | null;
}

export interface ExplicitWrite {
  seq: number;
  tid: number;
  caller: Frame | null;
}

export interface ExplicitWritesVerdict extends Verdict<'explicit-writes', 'none' | 'present'> {
  writes: ExplicitWrite[];
}

export type CrashResult =
  | 'consistent-with-allocator-first'
  | 'not-explained-by-allocator'
  | 'attributed-to-corrupt-profile-data'
  | 'allocator-state-unknown'
  | 'outside-profile-writer'
  | 'no-crash';

/**
 * The allocator at the crash: a teardown ran before it; its teardown probes resolved and none ran
 * yet; none of its probes resolved; or present (init/release resolved) with its teardown unresolved.
 */
export type AllocatorState = 'torn-down' | 'live' | 'absent' | 'unknown';

export type IntegrityStatus = 'consistent' | 'corrupt' | 'unknown';

/** The profile-data integrity check's finding (DESIGN.md section 5); `unknown` until it runs. */
export interface ProfileIntegrity {
  status: IntegrityStatus;
  reason?: string;
  evidence?: number[];
}

export interface CrashAttribution extends Verdict<'crash-attribution', CrashResult> {
  signal: string | null;
  /** The crash's signal event; null with no crash. */
  crashSeq: number | null;
  /** The innermost profile-writer frame on the crashing stack; null when the crash is elsewhere. */
  writerFrame: Frame | null;
  allocator: AllocatorState | null;
  integrity: IntegrityStatus;
}

/** Whether the profile data fits the layout the runtime reads (the integrity event's finding). */
export interface IntegrityVerdict extends Verdict<'profile-data-integrity', IntegrityStatus> {
  /** The raw profile version of the runtime the data was checked against; null when unknown. */
  runtimeVersion: number | null;
  firstBad: IntegrityEvent['first_bad'] | null;
  writerWouldSee: Record<string, unknown> | null;
}

export type EarlyWriteResult = 'not-requested' | 'not-reached' | 'wrote' | 'write-failed' | 'crashed' | 'could-not-run';

/** The early-write experiment's finding (verdict-early-write.ts). */
export interface EarlyWriteVerdict extends Verdict<'early-write', EarlyWriteResult> {
  /** The experiment ran before any allocator teardown; null when it did not run. */
  beforeTeardown: boolean | null;
  allocator: AllocatorState | null;
  writerFrame: Frame | null;
  signal: string | null;
  faultAddress: string | null;
}

export interface Verdicts {
  allocatorFirst: AllocatorFirstVerdict;
  explicitWrites: ExplicitWritesVerdict;
  crash: CrashAttribution;
  integrity: IntegrityVerdict;
  earlyWrite: EarlyWriteVerdict;
  profileOutput: ProfileOutputVerdict;
}

export interface JudgeOptions {
  integrity?: ProfileIntegrity;
  /** What the capture found in the profile folder after the run (none in a replay). */
  profileOutput?: ProfileOutputCheck;
}

export function judgeTimeline(timeline: Timeline, options: JudgeOptions = {}): Verdicts {
  const integrity = judgeIntegrity(timeline);
  const found: ProfileIntegrity = { status: integrity.result, reason: integrity.reason, evidence: integrity.evidence };
  const earlyWrite = judgeEarlyWrite(timeline);
  return {
    integrity,
    allocatorFirst: judgeAllocatorFirst(timeline),
    explicitWrites: judgeExplicitWrites(timeline),
    crash: attributeCrash(timeline, options.integrity ?? found, earlyWrite),
    earlyWrite,
    profileOutput: judgeProfileOutput(timeline, options.profileOutput),
  };
}

export { judgeAllocatorFirst, judgeExplicitWrites, attributeCrash, judgeEarlyWrite };

/** The first integrity check of the session (made at the first profile write). */
export function judgeIntegrity(timeline: Timeline): IntegrityVerdict {
  const check = timeline.events.find((e): e is IntegrityEvent => e.kind === 'integrity');
  if (check === undefined) {
    const reason = 'not checked: no profile write was reached (or the recording predates the check)';
    return { name: 'profile-data-integrity', result: 'unknown', reason, evidence: [], runtimeVersion: null, firstBad: null, writerWouldSee: null };
  }
  return {
    name: 'profile-data-integrity',
    result: check.status,
    reason: check.reason,
    evidence: [check.seq],
    runtimeVersion: check.runtime_version ?? null,
    firstBad: check.first_bad ?? null,
    writerWouldSee: check.writer_would_see ?? null,
  };
}
