/**
 * A session's life, the same for capture, interactive, doctor and replay: its 0700 temp folder,
 * the session machine's actor (started, aborted, awaited), and the signals that stop it. What
 * differs between them is only the machine's mode and the transport (session/launch.ts for LLDB,
 * the recording for a replay).
 *
 *   const stop = abortOnSignals(['SIGINT', 'SIGTERM', 'SIGHUP']);
 *   try {
 *     await withSessionDir('debug-exit-', (dir) =>
 *       runMachine({ input: { openTransport, nonce, ... }, abortSignal: stop.signal }));
 *   } finally { stop.dispose(); }
 */
import * as fs from 'node:fs';
import { createActor, toPromise } from 'xstate';
import { sessionTempDir } from './channel';
import { sessionMachine, type SessionInput, type SessionOutput } from './machine';

export interface MachineRun {
  input: SessionInput;
  /** Aborting ends the session at once (the machine's `aborted`): the events so far are kept. */
  abortSignal?: AbortSignal;
  /** The machine's state, at each change (progress display). */
  onPhase?: (phase: string) => void;
}

/** Runs the session machine to its end; an abort already signalled ends it as soon as it starts. */
export async function runMachine(run: MachineRun): Promise<SessionOutput> {
  const actor = createActor(sessionMachine, { input: run.input });
  const onAbort = () => actor.send({ type: 'ABORT' });
  run.abortSignal?.addEventListener('abort', onAbort, { once: true });
  if (run.onPhase) {
    const { onPhase } = run;
    actor.subscribe((snapshot) => onPhase(String(snapshot.value)));
  }
  actor.start();
  if (run.abortSignal?.aborted) onAbort();
  try {
    return await toPromise(actor);
  } finally {
    run.abortSignal?.removeEventListener('abort', onAbort);
  }
}

/** A fresh 0700 temp folder for one session, removed when `body` is done (or failed). */
export async function withSessionDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = sessionTempDir(prefix);
  try {
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What stops a session: Ctrl-C, a kill, and SIGHUP (the terminal closed), which is a request to stop too. */

// The signals that stop a session live in session/signals.ts (no xstate: capture wires them
// before LLDB starts); re-exported here, with the rest of a session's life.
export { abortOnSignals, STOP_SIGNALS, type SignalAbort } from './signals';
