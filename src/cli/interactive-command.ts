/**
 * `debug-exit [interactive] -- PROGRAM`: a person at a live LLDB prompt with the probes in place.
 * Keystrokes go to LLDB (raw mode, resize forwarded); probe hits show as short lines; at a crash
 * or exit the run's timeline and verdict are printed and the person stays at the prompt.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createActor, toPromise } from 'xstate';
import { defaultRecordingPath, lldbVersionOf, recordingHeader } from '../recording/header';
import { buildSpec, killOrphanedInferiors, lldbArgs, lldbEnv, promptFor, SCRIPT_PATH } from '../session/capture';
import { formatFailure, usageError } from '../session/failure';
import { sessionMachine } from '../session/machine';
import { resolveLldb, resolveProgram } from '../session/preflight';
import type { SessionSpec } from '../session/spec';
import { PtyTransport } from '../transport/pty-transport';
import { RecordingTransport } from '../transport/recorder';
import type { Transport } from '../transport/transport';
import type { InteractiveArgs } from './args';
import { KeyboardForwarder } from './keyboard';
import { TerminalView } from './terminal-view';

export async function runInteractive(args: InteractiveArgs): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw usageError('the interactive session needs a terminal', 'use `debug-exit capture [options] -- PROGRAM` instead');
  }
  const program = resolveProgram(args.program);
  const lldbPath = resolveLldb(args.lldb);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'debug-exit-'));
  const recordTo = args.record === undefined ? defaultRecordingPath(program) : args.record;
  try {
    const spec: SessionSpec = {
      ...buildSpec({ program, args: args.programArgs, env: args.env, timeoutS: 0, lldb: lldbPath, census: args.census !== null, censusMode: args.census === 'stops' ? 'stops' : 'list', extraProbes: args.probes, disableAslr: args.aslr === 'off', programOutput: 'terminal', recordTo }, program, dir),
      timeout_s: null, // the person decides when the program ends
    };
    return await session(args, spec, dir, lldbPath, recordTo);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    if (recordTo) process.stderr.write(`debug-exit: recording: ${recordTo}\n`);
  }
}

async function session(args: InteractiveArgs, spec: SessionSpec, dir: string, lldbPath: string, recordTo: string | null): Promise<number> {
  const specPath = path.join(dir, 'spec.json');
  fs.writeFileSync(specPath, JSON.stringify(spec, null, 2));
  const prompt = promptFor(spec.nonce);
  const size = { cols: process.stdout.columns || 120, rows: process.stdout.rows || 40 };
  const view = new TerminalView(process.stdout, {
    target: { program: spec.program, args: spec.args },
    profileFile: spec.env.LLVM_PROFILE_FILE ?? null,
    census: args.census !== null,
    aslr: args.aslr,
  });
  let transport: Transport | undefined;
  let pty: PtyTransport | undefined;
  const openTransport = (): Transport => {
    const argv = lldbArgs(prompt);
    pty = new PtyTransport({ file: lldbPath, args: argv, env: lldbEnv(), ...size });
    if (recordTo === null) return (transport = pty);
    const header = recordingHeader({ spec, prompt, lldbPath, lldbArgs: argv, census: args.census !== null, userEnv: args.env, mode: 'interactive', width: size.cols, height: size.rows, lldbVersion: lldbVersionOf(lldbPath) });
    return (transport = new RecordingTransport(pty, recordTo, header));
  };
  const actor = createActor(sessionMachine, {
    input: {
      openTransport, nonce: spec.nonce, prompt, scriptPath: SCRIPT_PATH, specPath, runTimeoutMs: 60000, mode: 'interactive',
      onToken: (token) => view.token(token),
      onHandover: () => view.handOver(),
    },
  });
  const keyboard = new KeyboardForwarder(process.stdin, process.stdout, (data) => transport?.write(data), (c, r) => pty?.resize(c, r));
  const stop = () => actor.send({ type: 'ABORT' });
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  actor.start();
  keyboard.start();
  try {
    const output = await toPromise(actor);
    killOrphanedInferiors(output.events);
    if (output.failure) process.stderr.write(`\r\n${formatFailure(output.failure)}\n`);
    return output.failure || output.aborted ? 1 : 0;
  } finally {
    keyboard.stop();
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGHUP', stop);
  }
}
