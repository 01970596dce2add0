/**
 * How a session ended. The session layer knows best (LLDB died, a recording was cut) and passes
 * its outcome to buildTimeline; `outcomeFromEvents` is the fallback read from the events alone.
 */
import type { DebugExitEvent, ExitEvent, SignalEvent } from './events';

export type SessionOutcome =
  /** The inferior exited on its own with this status. */
  | { kind: 'exited'; status: number }
  /** The inferior died on a signal (`SIGSEGV`, or the stop description LLDB gave, e.g. `EXC_BAD_ACCESS`). */
  | { kind: 'signaled'; signal: string }
  /** Killed at the --timeout; `seconds` is null when the timeout is not known (an old recording). */
  | { kind: 'timeout'; seconds: number | null }
  /** LLDB itself went away mid-session. */
  | { kind: 'lldb-died'; lastOutput: string }
  /** A replayed recording that stops mid-session. */
  | { kind: 'cut' }
  /** The user stopped the capture (SIGINT/SIGTERM to debug-exit) before the program ended. */
  | { kind: 'interrupted' }
  /** LLDB lost the process (exit status -1 with no signal: "lost connection"): nothing after can be trusted. */
  | { kind: 'lost'; description: string }
  /** The inferior never ran (LLDB could not load or launch it). */
  | { kind: 'launch-failed'; message: string };

export type OutcomeKind = SessionOutcome['kind'];

/** Stops that are not crashes: an interrupt, a kill, a job-control stop. */
const NON_CRASH_SIGNALS = new Set(['SIGINT', 'SIGSTOP', 'SIGTSTP', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGCHLD']);

export function isCrashSignal(event: SignalEvent): boolean {
  return !NON_CRASH_SIGNALS.has(event.signal);
}

export function firstCrash(events: readonly DebugExitEvent[]): SignalEvent | undefined {
  return events.find((e): e is SignalEvent => e.kind === 'signal' && isCrashSignal(e));
}

export function outcomeFromEvents(events: readonly DebugExitEvent[]): SessionOutcome {
  const failed = events.find((e) => e.kind === 'error' && (e.code === 'launch-failed' || e.code === 'target-failed'));
  if (failed?.kind === 'error') return { kind: 'launch-failed', message: failed.message };
  if (events.some((e) => e.kind === 'error' && e.code === 'timeout')) return { kind: 'timeout', seconds: null };
  const exit = events.find((e): e is ExitEvent => e.kind === 'exit');
  const crash = firstCrash(events);
  if (exit !== undefined && isLost(exit))
    return { kind: 'lost', description: exit.description ?? 'exit status -1, no signal' };
  if (exit !== undefined && exit.signal === undefined) return { kind: 'exited', status: exit.status };
  if (exit !== undefined) {
    return { kind: 'signaled', signal: crash?.signal ?? exit.description ?? `signal ${exit.signal}` };
  }
  if (crash !== undefined) return { kind: 'signaled', signal: crash.signal };
  return { kind: 'cut' };
}

/** What the watch thread says of a process replaced by `run` before LLDB reported its exit. */
const REPLACED = 'replaced by a new run';

/** Status -1 and no signal: no process exits so (statuses are 0-255); LLDB lost it. */
export function isLost(exit: ExitEvent): boolean {
  return exit.status === -1 && exit.signal === undefined && !(exit.description ?? '').startsWith(REPLACED);
}

export function describeOutcome(outcome: SessionOutcome): string {
  switch (outcome.kind) {
    case 'exited':
      return `exited with status ${outcome.status}`;
    case 'signaled':
      return `terminated by ${outcome.signal}`;
    case 'timeout':
      return outcome.seconds === null ? 'killed at the timeout' : `killed at the ${outcome.seconds} s timeout`;
    case 'lldb-died':
      return `LLDB died (last output: ${JSON.stringify(outcome.lastOutput.trim().slice(-80))})`;
    case 'cut':
      return 'recording cut mid-session';
    case 'interrupted':
      return 'capture stopped by the user before the program ended';
    case 'launch-failed':
      return `launch failed: ${outcome.message}`;
    case 'lost':
      return `LLDB lost the process (${outcome.description})`;
  }
}
