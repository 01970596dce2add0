/** `debug-exit capture`: one capture, its report on stdout and in --out files, the exit code. */
import { capture } from '../session/capture';
import { safeText } from '../protocol/safe-text';
import { resolveLldb, resolveProgram } from '../session/preflight';
import {
  closeOutputs,
  defaultRecordingPath,
  openOutputs,
  openRecording,
  type OpenedOutput,
  type OpenedRecording,
} from './output-files';
import { leftoversLine } from '../session/leftovers';
import { abortOnSignals, STOP_SIGNALS } from '../session/signals';
import { rejectedFramesLine } from '../session/rejected';
import { usageError } from '../session/failure';
import type { CaptureArgs, OutputFormat } from './args';
import type { Logger } from './log';
import { progressOn } from './progress';

/**
 * The formats that draw one run (a sequence diagram, a trace) have no form for --repeat's
 * distribution over many runs; rather than show one run as if it were all of them, refuse before
 * LLDB starts.
 */
/** Formats that show one run: a session of several runs is reported as text or json. */
export const ONE_RUN_FORMATS: readonly OutputFormat[] = ['markdown', 'mermaid', 'chrome', 'html'];

export function checkRepeatFormats(args: Pick<CaptureArgs, 'repeat' | 'format' | 'outputs'>): void {
  if (args.repeat <= 1) return;
  const formats = [args.format, ...args.outputs.map((out) => out.format)];
  const refused = ONE_RUN_FORMATS.filter((format) => formats.includes(format));
  if (refused.length === 0) return;
  throw usageError(
    `--repeat reports the distribution over the runs as text or json; ${refused.join(' and ')} show${refused.length === 1 ? 's' : ''} one run`,
    `capture without --repeat for ${refused.join(' or ')}, or use --format text|json with --repeat`,
  );
}

export async function runCapture(args: CaptureArgs, log: Logger): Promise<number> {
  checkRepeatFormats(args);
  // Everything that can be refused is refused before LLDB starts: the program, LLDB, every file.
  resolveProgram(args.program);
  resolveLldb(args.lldb);
  const outputs = openOutputs(args.outputs);
  let recording: OpenedRecording | null = null;
  try {
    recording =
      args.record === null
        ? null
        : openRecording(args.record ?? defaultRecordingPath(args.program), {
            explicit: args.record !== undefined,
            force: args.force,
          });
  } catch (error) {
    closeOutputs(outputs);
    throw error;
  }
  try {
    return await captureWith(args, log, outputs, recording);
  } finally {
    closeOutputs(outputs);
  }
}

async function captureWith(
  args: CaptureArgs,
  log: Logger,
  outputs: OpenedOutput[],
  recording: OpenedRecording | null,
): Promise<number> {
  // SIGHUP (the terminal closed) is a request to stop like SIGTERM: the same partial report.
  const abort = abortOnSignals(STOP_SIGNALS, (signal) => log.warn({ signal }, 'stopping the capture'));
  const progress = progressOn(process.stderr, args.program, !args.quiet);
  try {
    const capturing = capture({
      program: args.program,
      args: args.programArgs,
      env: args.env,
      timeoutS: args.timeoutS,
      lldb: args.lldb,
      census: args.census !== null,
      censusMode: args.census === 'stops' ? 'stops' : 'list',
      extraProbes: args.probes,
      disableAslr: args.aslr === 'off',
      experiment: args.experiment,
      programOutput: args.programOutput,
      profileDir: args.profileDir,
      llvmProfdata: args.llvmProfdata,
      onToken: (token) => {
        if (token.type === 'text') log.trace({ text: token.text }, 'lldb.out');
        progress.token(token);
      },
      onPhase: (phase) => progress.phase(phase),
      abortSignal: abort.signal,
      recordTo: recording?.path ?? null,
      recordFd: recording?.fd,
      recordEnv: args.recordEnv,
      repeat: args.repeat,
    });
    // LLDB is spawned (capture starts it before it first waits): the report's modules load
    // while LLDB starts, not before it.
    const reporting = import('./capture-report');
    const result = await capturing;
    progress.done();
    if (result.recording) process.stderr.write(`debug-exit: recording: ${safeText(result.recording)}\n`);
    for (const line of [
      rejectedFramesLine(result.session.rejectedCount, result.session.rejected),
      leftoversLine(result.leftRunning),
    ]) {
      if (line !== null) process.stderr.write(`debug-exit: ${line}\n`);
    }
    return (await reporting).finish(args, result, outputs);
  } finally {
    abort.dispose();
  }
}
