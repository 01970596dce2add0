/** From what a capture collected to the report: the session's outcome, timeline and verdicts. */
import type { CaptureResult } from '../session/capture';
import type { SessionOutput } from '../session/machine';
import { outcomeFromEvents, type SessionOutcome } from '../timeline/outcome';
import { buildReport, type Report } from '../timeline/report';
import { buildTimeline } from '../timeline/timeline';

/** The session knows things the events cannot say: LLDB died, or the user stopped the capture. */
export function sessionOutcome(session: SessionOutput): SessionOutcome {
  const fromEvents = outcomeFromEvents(session.events);
  if (fromEvents.kind !== 'cut') return fromEvents;
  if (session.failure?.code === 'lldb-died' || session.failure?.code === 'lldb-hung') {
    return { kind: 'lldb-died', lastOutput: session.failure.lastOutput ?? '' };
  }
  return fromEvents;
}

export function reportOf(result: CaptureResult): Report {
  const timeline = buildTimeline({
    target: { program: result.spec.program, args: result.spec.args },
    profileFile: result.profileFile,
    events: result.session.events,
    outcome: sessionOutcome(result.session),
    census: result.spec.probes.some((p) => p.role === 'atexit-register' && p.mode === 'every'),
  });
  return buildReport(timeline);
}
