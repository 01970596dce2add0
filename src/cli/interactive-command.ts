/**
 * `debug-exit [interactive] -- PROGRAM`: a person at a live LLDB prompt with the probes in place.
 * Keystrokes go to LLDB (raw mode, resize forwarded); probe hits show as short lines; at a crash
 * or exit the run's timeline and verdict are printed and the person stays at the prompt.
 */
import * as fs from 'node:fs';
import { createActor, toPromise } from 'xstate';
import { defaultRecordingPath, openRecording, type OpenedRecording } from './output-files';
import { buildSpec, lldbEnv, SCRIPT_PATH } from '../session/capture';
import { sessionTempDir } from '../session/channel';
import { killLeftovers, leftoversLine, openLaunch } from '../session/leftovers';
import { launchLldb, type Launched } from '../session/launch';
import { formatFailure, usageError } from '../session/failure';
import { sessionMachine } from '../session/machine';
import { resolveLldb, resolveProgram } from '../session/preflight';
import type { SessionSpec } from '../session/spec';
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
  const dir = sessionTempDir('debug-exit-');
  const recording =
    args.record === null
      ? null
      : openRecording(args.record ?? defaultRecordingPath(program), {
          explicit: args.record !== undefined,
          force: args.force,
        });
  const recordTo = recording?.path ?? null;
  try {
    const spec: SessionSpec = {
      ...buildSpec(
        {
          program,
          args: args.programArgs,
          env: args.env,
          timeoutS: 0,
          lldb: lldbPath,
          census: args.census !== null,
          censusMode: args.census === 'stops' ? 'stops' : 'list',
          extraProbes: args.probes,
          disableAslr: args.aslr === 'off',
          programOutput: 'terminal',
          recordTo,
        },
        program,
        dir,
      ),
      timeout_s: null, // the person decides when the program ends
    };
    return await session(args, spec, dir, lldbPath, recording);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
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
    launched = launchLldb({ lldbPath, scriptPath: SCRIPT_PATH, spec, dir, ...size, env: lldbEnv(), record });
    return launched.transport;
  };
  const actor = createActor(sessionMachine, {
    input: {
      openTransport,
      nonce: spec.nonce,
      runTimeoutMs: 60000,
      mode: 'interactive',
      onToken: (token) => view.token(token),
      onHandover: () => view.handOver(),
    },
  });
  const keyboard = new KeyboardForwarder(
    process.stdin,
    process.stdout,
    (data) => typeInto(launched, data),
    (c, r) => launched?.lldb.resize(c, r),
  );
  const stop = () => actor.send({ type: 'ABORT' });
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  actor.start();
  keyboard.start();
  try {
    const output = await toPromise(actor);
    const open = openLaunch(output.events);
    const left = leftoversLine(killLeftovers(output.events, open === null ? [] : [open]));
    if (left !== null) process.stderr.write(`\r\ndebug-exit: ${left}\n`);
    if (output.failure) process.stderr.write(`\r\n${formatFailure(output.failure)}\n`);
    return output.failure || output.aborted ? 1 : 0;
  } finally {
    keyboard.stop();
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGHUP', stop);
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
