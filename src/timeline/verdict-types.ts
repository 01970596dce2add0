/**
 * The verdict engine's vocabulary: every verdict's result type, `Verdicts` (one key per verdict of
 * the registry) and `VerdictModule`, what one verdict module provides (verdict-registry.ts lists
 * them). Types only: every verdict module imports this, and this imports no verdict.
 */
import type { Frame, IntegrityEvent } from './events';
import type { HypothesisFinding } from './hypothesis';
import type { Json } from './render/json-values';
import type { Timeline } from './timeline';
import type { ProfileFileFacts, ProfileOutputCheck } from '../profile/output';

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
  | 'lldb-lost'
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

/** The profile-data integrity check's finding (docs/ARCHITECTURE.md, "Verdicts"); `unknown` until it runs. */
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

export type ProfileOutputResult = 'valid' | 'not-written' | 'empty' | 'invalid' | 'not-checked';

/** The profile the run left behind (verdict-profile-output.ts). */
export interface ProfileOutputVerdict extends Verdict<'profile-output', ProfileOutputResult> {
  /** The folder the profiles were written to; null when not known. */
  folder: string | null;
  /** The files stay after the capture (--profile-dir). */
  kept: boolean;
  files: ProfileFileFacts[];
  /** "LLVM Profile Error" lines the program printed, cleaned. */
  runtimeMessages: string[];
  llvmProfdata: string | null;
  /** The run's exit status when it exited (not killed, not crashed); null otherwise. */
  exitStatus: number | null;
}

export interface JudgeOptions {
  integrity?: ProfileIntegrity;
  /** What the capture found in the profile folder after the run (recorded with it, for a replay). */
  profileOutput?: ProfileOutputCheck;
}

/**
 * One verdict: what it is called, where it goes in report@1, the verdicts it reads, how it is judged,
 * and what it gives each renderer and the diagnosis. `judgeTimeline` runs the modules in the order
 * of their `needs`; the renderers show them in the registry's order.
 */
export interface VerdictModule<Key extends keyof Verdicts = keyof Verdicts> {
  /** Its key in `Verdicts`. */
  key: Key;
  /** Its `name` field, e.g. `allocator-cleanup-first`. */
  name: Verdicts[Key]['name'];
  /** Its key under `verdicts` in report@1 (and in the --repeat distribution), e.g. `allocator_cleanup_first`. */
  jsonKey: string;
  /** The verdicts `judge` reads: judged before it. */
  needs: readonly (keyof Verdicts)[];
  judge(timeline: Timeline, judged: Verdicts, options: JudgeOptions): Verdicts[Key];
  /** Its object under `verdicts` in report@1, keys in a fixed order. */
  json(verdict: Verdicts[Key]): Json;
  /** What qualifies the result where it is shown in one line (`inconclusive (timeout)`), or null. */
  qualifier?(verdict: Verdicts[Key]): string | null;
  /** Its line in the --repeat distribution (label padded by the renderer), and when to show it; absent: not counted. */
  repeat?: { label: string; shown?(timeline: Timeline): boolean; inRunLine?: boolean };
  /** Shown in the closing note of the Mermaid diagram. */
  mermaid?: boolean;
  /** The diagnosis's finding on the hypothesis this verdict weighs (diagnosis.ts gives the conclusion). */
  hypothesis?(verdicts: Verdicts): HypothesisFinding;
}
