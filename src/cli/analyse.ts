/** From what a session collected to the report: the session's outcome, timeline and verdicts. */
import type { CaptureResult } from '../session/capture';
import type { SessionOutput } from '../session/machine';
import { outcomeFromEvents, type SessionOutcome } from '../timeline/outcome';
import { buildReport, type Report } from '../timeline/report';
import { splitRuns } from '../timeline/runs';
import { buildTimeline, type CaptureTarget } from '../timeline/timeline';
import type { ExperimentName } from '../timeline/events';
import type { ProfileOutputCheck } from '../profile/output';

export interface SessionFacts {
  target: CaptureTarget;
  profileFile: string | null;
  census: boolean;
  /** SHA-256 of the program, when the capture read it. */
  programSha256?: string | null;
  aslr: 'on' | 'off' | null;
  experiment?: ExperimentName | null;
  session: SessionOutput;
  /** A replayed recording that ends before LLDB exited was cut (the capture was killed). */
  cut?: boolean;
  /** The capture's profile folder after the runs (profile_output); none in a replay. */
  profileOutput?: ProfileOutputCheck;
}

/** The session knows things the events cannot say: LLDB died, or the recording stops short. */
export function sessionOutcome(session: SessionOutput, cut = false): SessionOutcome {
  const fromEvents = outcomeFromEvents(session.events);
  if (fromEvents.kind !== 'cut') return fromEvents;
  if (cut) return { kind: 'cut' };
  if (session.aborted) return { kind: 'interrupted' };
  if (session.failure?.code === 'lldb-died' || session.failure?.code === 'lldb-hung') {
    return { kind: 'lldb-died', lastOutput: session.failure.lastOutput ?? '' };
  }
  return fromEvents;
}

export function reportFrom(facts: SessionFacts): Report {
  const timeline = buildTimeline({
    target: facts.target,
    profileFile: facts.profileFile,
    events: facts.session.events,
    outcome: sessionOutcome(facts.session, facts.cut),
    census: facts.census,
    programSha256: facts.programSha256 ?? null,
    aslr: facts.aslr,
    experiment: facts.experiment ?? null,
  });
  return buildReport(timeline, { profileOutput: facts.profileOutput });
}

/** What a live capture knows about its session, as a replay reads it from the recording's header. */
export function captureFacts(result: CaptureResult): SessionFacts {
  return {
    target: { program: result.spec.program, args: result.spec.args },
    profileFile: result.profileFile,
    census:
      result.spec.census != null || result.spec.probes.some((p) => p.role === 'atexit-register' && p.mode === 'every'),
    programSha256: result.programSha256,
    aslr: result.spec.disable_aslr ? 'off' : 'on',
    experiment: result.spec.experiment,
    session: result.session,
    profileOutput: result.profileOutput,
  };
}

export function reportOf(result: CaptureResult): Report {
  return reportFrom(captureFacts(result));
}

/**
 * One report per run (timeline/runs.ts: each `launched` starts one), for a --repeat capture and a
 * replay alike; only the last run can have been cut.
 */
export function reportsOfRuns(facts: SessionFacts): Report[] {
  const split = splitRuns(facts.session.events);
  return split.runs.map((run, i) => {
    const last = i === split.runs.length - 1;
    const session = { ...facts.session, events: split.eventsOf(run) };
    return reportFrom({ ...facts, session, cut: last && facts.cut });
  });
}
