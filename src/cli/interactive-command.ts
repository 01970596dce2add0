/**
 * `debug-exit [interactive] -- PROGRAM`: a person at a live LLDB prompt with the probes in place.
 * Keystrokes go to LLDB (raw mode, resize forwarded); probe hits show as short lines; at a crash
 * or exit the run's timeline and verdict are printed and the person stays at the prompt.
 */
import { defaultRecordingPath, openRecording, type OpenedRecording } from './output-files';
import { buildSpec, SCRIPT_PATH } from '../session/capture';
import { killLeftovers, leftoversLine, openLaunch } from '../session/leftovers';
import { launchLldb, lldbEnv, type Launched } from '../session/launch';
import { cacheSettings, openLldbCache } from '../session/lldb-cache';
import { formatFailure, usageError } from '../session/failure';
import { abortOnSignals, runMachine, withSessionDir } from '../session/life';
import { resolveLldb, resolveProgram } from '../session/preflight';
import type { SessionSpec } from '../session/spec';
import type { Token } from '../protocol/output-scanner';
import type { Transport } from '../transport/transport';
import type { InteractiveArgs } from './args';
import { KeyboardForwarder } from './keyboard';
import { TerminalView } from './terminal-view';

export async function runInteractive(args: InteractiveArgs): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw usageError(
      'the interactive session needs a terminal',
      'use `debug-exit capture [options] -- PROGRAM` instead',
    );
  }
  const program = resolveProgram(args.program);
  const lldbPath = resolveLldb(args.lldb);
  const recording =
    args.record === null
      ? null
      : openRecording(args.record ?? defaultRecordingPath(program), {
          explicit: args.record !== undefined,
          force: args.force,
        });
  const recordTo = recording?.path ?? null;
  try {
    return await withSessionDir('debug-exit-', (dir) => {
      const spec = buildSpec(
        {
          args: args.programArgs,
          env: args.env,
          timeoutS: null, // the person decides when the program ends
          census: args.census !== null,
          censusMode: args.census === 'stops' ? 'stops' : 'list',
          extraProbes: args.probes,
          disableAslr: args.aslr === 'off',
          programOutput: 'terminal',
        },
        program,
        dir,
      );
      return session(args, spec, dir, lldbPath, recording);
    });
  } finally {
    if (recordTo) process.stderr.write(`debug-exit: recording: ${recordTo}\n`);
  }
}

async function session(
  args: InteractiveArgs,
  spec: SessionSpec,
  dir: string,
  lldbPath: string,
  recording: OpenedRecording | null,
): Promise<number> {
  const size = { cols: process.stdout.columns || 120, rows: process.stdout.rows || 40 };
  const view = new TerminalView(process.stdout, {
    target: { program: spec.program, args: spec.args },
    profileFile: spec.env.LLVM_PROFILE_FILE ?? null,
    census: args.census !== null,
    aslr: args.aslr,
  });
  let launched: Launched | undefined;
  const record =
    recording === null
      ? null
      : {
          to: recording.path,
          fd: recording.fd,
          census: args.census !== null,
          userEnv: args.env,
          recordEnv: args.recordEnv,
          mode: 'interactive' as const,
        };
  const openTransport = (): Transport => {
    // debug-exit's LLDB cache (session/lldb-cache.ts): LLDB's index and its compiled Python.
    const cache = openLldbCache();
    launched = launchLldb({
      lldbPath,
      scriptPath: SCRIPT_PATH,
      spec,
      dir,
      ...size,
      env: lldbEnv(cache),
      record,
      settings: cacheSettings(cache),
    });
    return launched.transport;
  };
  const input = {
    openTransport,
    nonce: spec.nonce,
    // Never used: an interactive session runs no dx-run of its own (the person types `run`).
    runTimeoutMs: 0,
    mode: 'interactive' as const,
    onToken: (token: Token) => view.token(token),
    onHandover: () => view.handOver(),
  };
  const keyboard = new KeyboardForwarder(
    process.stdin,
    process.stdout,
    (data) => typeInto(launched, data),
    (c, r) => launched?.lldb.resize(c, r),
  );
  // Ctrl-C is the person's, for LLDB (typeInto): only a kill or a closed terminal stops the session.
  const stop = abortOnSignals(['SIGTERM', 'SIGHUP']);
  const running = runMachine({ input, abortSignal: stop.signal });
  keyboard.start();
  try {
    const output = await running;
    const open = openLaunch(output.events);
    const left = leftoversLine(killLeftovers(output.events, open === null ? [] : [open]));
    if (left !== null) process.stderr.write(`\r\ndebug-exit: ${left}\n`);
    if (output.failure) process.stderr.write(`\r\n${formatFailure(output.failure)}\n`);
    return output.failure || output.aborted ? 1 : 0;
  } finally {
    keyboard.stop();
    stop.dispose();
  }
}

/**
 * LLDB's pty is not its controlling terminal (lldb-scripts/dx/link.py gives it up, so the
 * program cannot reach it): Ctrl-C makes no SIGINT there, so it is sent to LLDB here, as the
 * terminal would have.
 */
function typeInto(launched: Launched | undefined, data: string): void {
  if (launched === undefined) return;
  const parts = data.split('\x03');
  parts.forEach((part, i) => {
    if (i > 0) {
      try {
        process.kill(launched.lldb.pid, 'SIGINT');
      } catch {
        // LLDB is gone
      }
    }
    if (part !== '') launched.transport.write(part);
  });
}
