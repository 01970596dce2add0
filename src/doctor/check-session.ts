/**
 * One of doctor's LLDB sessions: started as a capture's is (session/launch.ts: the pty, the
 * script's channel, LLDB's arguments and environment) and driven by the same session machine, in
 * `check` mode (import, hello, dx-setup, quit: the program's probes resolved, nothing run) or in
 * `capture` mode (one dx-run of a harmless program). What it gives is what findings.ts judges.
 *
 *   runCheck({ lldb, scriptPath, spec, dir, mode: 'check', settings: [], abortSignal })
 *     -> { events: [hello, probe-resolved...], lastOutput, exitCode: 0, timedOut: false }
 */
import { killLeftovers } from '../session/leftovers';
import { launchLldb, lldbEnv } from '../session/launch';
import { runMachine } from '../session/life';
import { lastOutputOf } from '../session/failure';
import type { SessionOutput } from '../session/machine';
import type { SessionSpec } from '../session/spec';
import type { Transport } from '../transport/transport';
import type { CheckOutcome } from './findings';

/** Time LLDB gets beyond the program's timeout to kill it and report (as a capture's). */
const RUN_GRACE_MS = 30000;
const PTY_COLS = 200;
const PTY_ROWS = 50;

export interface CheckRequest {
  lldb: string;
  scriptPath: string;
  /** The spec dx-setup gets over the channel (its nonce frames the script's events). */
  spec: SessionSpec;
  /** A 0700 folder of ours: the channel's socket is made there. */
  dir: string;
  /** `check`: dx-setup only; `capture`: dx-setup, then one dx-run of the spec's program. */
  mode: 'check' | 'capture';
  /** LLDB settings set before the script is imported (`target.exec-search-paths ...`). */
  settings?: readonly string[];
  /** Aborting ends the session (the machine's `aborted`), LLDB and whatever it launched killed. */
  abortSignal?: AbortSignal;
}

export async function runCheck(request: CheckRequest): Promise<CheckOutcome> {
  let exitCode: number | null = null;
  const openTransport = (): Transport => {
    const { transport } = launchLldb({
      lldbPath: request.lldb,
      scriptPath: request.scriptPath,
      spec: request.spec,
      dir: request.dir,
      cols: PTY_COLS,
      rows: PTY_ROWS,
      env: lldbEnv(),
      settings: request.settings,
      record: null,
    });
    transport.onExit((exit) => (exitCode = exit.exitCode));
    return transport;
  };
  let session: SessionOutput;
  try {
    session = await runMachine({
      input: {
        openTransport,
        nonce: request.spec.nonce,
        runTimeoutMs: (request.spec.timeout_s ?? 0) * 1000 + RUN_GRACE_MS,
        mode: request.mode,
      },
      abortSignal: request.abortSignal,
    });
  } catch (error) {
    // The transport could not be made: LLDB did not start at all.
    return { events: [], lastOutput: '', exitCode: null, timedOut: false, spawnError: (error as Error).message };
  }
  killLeftovers(session.events); // a launch the session did not see to its end
  return outcomeOf(session, exitCode);
}

/** The session as doctor words it: LLDB's last output (with any rejected frame), hung or not. */
export function outcomeOf(session: SessionOutput, exitCode: number | null): CheckOutcome {
  const bad = session.rejected.map((r) => `(rejected event frame: ${r.reason})`).join('\n');
  return {
    events: session.events,
    lastOutput: lastOutputOf(bad === '' ? session.tail : `${session.tail}\n${bad}`),
    exitCode,
    timedOut: session.failure?.code === 'lldb-hung',
  };
}
