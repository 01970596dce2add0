/**
 * The signals that stop a session (SIGINT, SIGTERM, SIGHUP) as an AbortSignal: the one wiring of
 * the commands that run a session (session/life.ts re-exports it). Loads nothing, so a capture
 * wires it before LLDB starts.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SignalAbort {
  /** Aborted at the first of the signals. */
  signal: AbortSignal;
  /** Stops listening (the process's default handling comes back). */
  dispose(): void;
}

/**
 * An AbortSignal that the first of `signals` aborts (each listened to once), told to `onSignal`
 * first (a log line). The one wiring of the commands that run a session.
 */
export function abortOnSignals(
  signals: readonly NodeJS.Signals[] = STOP_SIGNALS,
  onSignal?: (signal: NodeJS.Signals) => void,
): SignalAbort {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    onSignal?.(signal);
    controller.abort();
  };
  for (const signal of signals) process.once(signal, stop);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of signals) process.removeListener(signal, stop);
    },
  };
}
