/**
 * The timeline: the events of one session in seq order, how the session ended, the final probe
 * resolutions and the atexit registrations. Everything the verdicts and renderers read.
 */
import type { DebugExitEvent, ExperimentName, HelloEvent, ProbeHitEvent, ProbeRole } from './events';
import { outcomeFromEvents, type SessionOutcome } from './outcome';
import { finalResolutions, isResolved, type ProbeResolution } from './probes';
import {
  censusInfo,
  deriveRegistrations,
  type AtexitRegistration,
  type CensusInfo,
  type CensusMode,
} from './registrations';

function censusFields(info: CensusInfo): { censusMode: CensusMode; censusNote: string | null } {
  return { censusMode: info.mode, censusNote: info.note };
}
import { baseSymbol, catalogueSymbols } from './symbols';

export interface CaptureTarget {
  program: string;
  args: string[];
}

export interface Timeline {
  target: CaptureTarget;
  /** The LLVM_PROFILE_FILE the inferior was given; null when the session did not set one. */
  profileFile: string | null;
  /** From the script's hello event, when there was one. */
  platform: string | null;
  lldbVersion: string | null;
  /** Every atexit registration was probed (--census), not only those before main. */
  census: boolean;
  /** Which census ran (--census: `list` reads the C library's list at exit(); `--census=stops`). */
  censusMode: CensusMode;
  censusNote: string | null;
  /** The program's SHA-256 when the capture hashed it (null: a replay, or not read). */
  programSha256: string | null;
  /** Address-space randomisation for the program (LLDB turns it off by default); null: not known. */
  aslr: 'on' | 'off' | null;
  /** The experiment requested (--experiment), whether or not it was reached; null: none. */
  experiment: ExperimentName | null;
  /** Ordered by seq. */
  events: DebugExitEvent[];
  outcome: SessionOutcome;
  probes: ProbeResolution[];
  registrations: AtexitRegistration[];
}

export interface TimelineInput {
  target: CaptureTarget;
  profileFile: string | null;
  events: readonly DebugExitEvent[];
  /** How the session ended; read from the events when omitted. */
  outcome?: SessionOutcome;
  census?: boolean;
  programSha256?: string | null;
  aslr?: 'on' | 'off' | null;
  experiment?: ExperimentName | null;
}

export function buildTimeline(input: TimelineInput): Timeline {
  const events = [...input.events].sort((a, b) => a.seq - b.seq);
  const hello = events.find((e): e is HelloEvent => e.kind === 'hello');
  return {
    target: { program: input.target.program, args: [...input.target.args] },
    profileFile: input.profileFile,
    platform: hello?.platform ?? null,
    lldbVersion: hello?.lldb_version ?? null,
    census: input.census === true,
    ...censusFields(censusInfo(input.events, input.census === true)),
    programSha256: input.programSha256 ?? null,
    aslr: input.aslr ?? null,
    experiment: input.experiment ?? null,
    events,
    outcome: input.outcome ?? outcomeFromEvents(events),
    probes: finalResolutions(events),
    registrations: deriveRegistrations(events),
  };
}

/** Probe hits in seq order, optionally of one role and symbol (`exit` matches `__GI_exit`). */
export function probeHits(timeline: Timeline, role?: ProbeRole, symbol?: string): ProbeHitEvent[] {
  return timeline.events.filter(
    (e): e is ProbeHitEvent =>
      e.kind === 'hit' &&
      (role === undefined || e.role === role) &&
      (symbol === undefined || e.symbol === symbol || baseSymbol(e.symbol) === symbol),
  );
}

export function firstHit(timeline: Timeline, role: ProbeRole, symbol?: string): ProbeHitEvent | undefined {
  return probeHits(timeline, role, symbol)[0];
}

/** Hits strictly after `seq`, optionally of one role. */
export function hitsAfter(timeline: Timeline, seq: number, role?: ProbeRole): ProbeHitEvent[] {
  return probeHits(timeline, role).filter((hit) => hit.seq > seq);
}

export function hitsBefore(timeline: Timeline, seq: number, role?: ProbeRole): ProbeHitEvent[] {
  return probeHits(timeline, role).filter((hit) => hit.seq < seq);
}

export function eventAt(timeline: Timeline, seq: number): DebugExitEvent | undefined {
  return timeline.events.find((e) => e.seq === seq);
}

/** A role counts as resolved when one of its probes has a location, or one of them was hit. */
export function roleResolved(timeline: Timeline, role: ProbeRole): boolean {
  return timeline.probes.some((p) => p.role === role && isResolved(p)) || probeHits(timeline, role).length > 0;
}

export function probeResolved(timeline: Timeline, role: ProbeRole, symbol: string): boolean {
  const resolution = timeline.probes.find((p) => p.role === role && p.symbol === symbol);
  return (resolution !== undefined && isResolved(resolution)) || probeHits(timeline, role, symbol).length > 0;
}

export function unresolvedProbes(timeline: Timeline, role?: ProbeRole): ProbeResolution[] {
  return timeline.probes.filter((p) => (role === undefined || p.role === role) && !isResolved(p));
}

/**
 * The symbols of a role that have no location: those reported unresolved, or the catalogue's
 * symbols for the role when no probe of it was reported at all.
 */
export function unresolvedSymbols(timeline: Timeline, role: ProbeRole): string[] {
  const reported = timeline.probes.filter((p) => p.role === role);
  if (reported.length === 0) return catalogueSymbols(role);
  return reported.filter((p) => !isResolved(p)).map((p) => p.symbol);
}
