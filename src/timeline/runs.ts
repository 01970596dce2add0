/**
 * The one run splitter: a session's events cut into runs, each `launched` starting one. Events
 * before the first launch (hello, probe resolutions) belong to every run. Live (the interactive
 * view: RunTracker, event by event, with the changes) or at once (splitRuns: a --repeat capture,
 * a replay, the leftover processes). Pure: events in, runs out.
 *
 *   splitRuns([hello, launched 10, exit, launched 11, hit])
 *     -> { shared: [hello], runs: [{ index: 1, pid: 10, ended: true }, { index: 2, pid: 11, ended: false }] }
 */
import type { DebugExitEvent } from './events';

export interface Run {
  /** 1-based, in launch order. */
  index: number;
  pid: number;
  events: DebugExitEvent[];
  crashed: boolean;
  ended: boolean;
}

export type RunChange =
  | { kind: 'started'; run: Run }
  | { kind: 'hit'; run: Run; event: DebugExitEvent }
  | { kind: 'crashed'; run: Run }
  | { kind: 'ended'; run: Run };

export class RunTracker {
  private readonly shared: DebugExitEvent[] = [];
  readonly runs: Run[] = [];

  add(event: DebugExitEvent): RunChange | null {
    if (event.kind === 'launched') return this.start(event.pid, event);
    const run = this.current();
    if (run === undefined || run.ended) {
      if (event.kind === 'hello' || event.kind === 'probe-resolved') this.shared.push(event);
      return null;
    }
    run.events.push(event);
    if (event.kind === 'hit') return { kind: 'hit', run, event };
    if (event.kind === 'signal' && !run.crashed) {
      run.crashed = true;
      return { kind: 'crashed', run };
    }
    if (event.kind === 'exit') {
      run.ended = true;
      return { kind: 'ended', run };
    }
    return null;
  }

  /** What a run's timeline is built from: the session's setup events, then the run's own. */
  eventsOf(run: Run): DebugExitEvent[] {
    return [...this.shared, ...run.events];
  }

  /** Events that belong to every run (before the first launch): hello, probe resolutions. */
  sharedEvents(): readonly DebugExitEvent[] {
    return this.shared;
  }

  current(): Run | undefined {
    return this.runs[this.runs.length - 1];
  }

  private start(pid: number, event: DebugExitEvent): RunChange {
    const run: Run = { index: this.runs.length + 1, pid, events: [event], crashed: false, ended: false };
    this.runs.push(run);
    return { kind: 'started', run };
  }
}

export interface SplitRuns {
  /** The set-up events every run shares. */
  shared: readonly DebugExitEvent[];
  runs: readonly Run[];
  /** A run's events as its timeline is built from them: the shared ones, then its own. */
  eventsOf(run: Run): DebugExitEvent[];
}

/** All of a session's events, split at once. */
export function splitRuns(events: readonly DebugExitEvent[]): SplitRuns {
  const tracker = new RunTracker();
  for (const event of events) tracker.add(event);
  return { shared: tracker.sharedEvents(), runs: tracker.runs, eventsOf: (run) => tracker.eventsOf(run) };
}
