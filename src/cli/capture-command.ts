/** `debug-exit capture`: one capture, its report on stdout and in --out files, the exit code. */
import * as fs from 'node:fs';
import { defaultRecordingPath } from '../recording/header';
import { capture, type CaptureResult } from '../session/capture';
import { DebugExitError, formatFailure, usageError } from '../session/failure';
import { renderReport } from '../timeline/render/renderer';
import type { Report } from '../timeline/report';
import type { CaptureArgs, OutputFormat } from './args';
import { reportOf, reportsPerRun } from './analyse';
import { renderRepeatJson, renderRepeatText } from '../timeline/render/repeat';
import type { Logger } from './log';
import { progressOn } from './progress';

export const EXIT_OK = 0;
export const EXIT_TOOL_ERROR = 1;
export const EXIT_VERDICT_MISMATCH = 3;

/** Failures after which no timeline is worth showing: LLDB never got to run the program. */
const NOTHING_CAPTURED = ['lldb-no-prompt', 'script-not-loaded', 'target-failed'];

/**
 * The formats that draw one run (a sequence diagram, a trace) have no form for --repeat's
 * distribution over many runs; rather than show one run as if it were all of them, refuse before
 * LLDB starts.
 */
/** Formats that show one run: a session of several runs is reported as text or json. */
export const ONE_RUN_FORMATS: readonly OutputFormat[] = ['markdown', 'mermaid', 'chrome'];

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
  const abort = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    log.warn({ signal }, 'stopping the capture');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = progressOn(process.stderr, args.program, !args.quiet);
  try {
    const result = await capture({
      program: args.program,
      args: args.programArgs,
      env: args.env,
      timeoutS: args.timeoutS,
      lldb: args.lldb,
      census: args.census,
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
      recordTo: args.record === undefined ? defaultRecordingPath(args.program) : args.record,
      repeat: args.repeat,
    });
    progress.done();
    if (result.recording) process.stderr.write(`debug-exit: recording: ${result.recording}\n`);
    return finish(args, result);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

function finish(args: CaptureArgs, result: CaptureResult): number {
  const failure = result.session.failure;
  if (failure && NOTHING_CAPTURED.includes(failure.code)) throw new DebugExitError(failure);
  if (args.repeat > 1) return finishRepeat(args, result);
  const report = reportOf(result);
  emit(args, report);
  if (failure) {
    process.stderr.write(`${formatFailure(failure)}\n`);
    return EXIT_TOOL_ERROR;
  }
  if (result.session.aborted) {
    process.stderr.write('debug-exit: capture stopped before the program finished; the partial timeline is above\n');
    return EXIT_TOOL_ERROR;
  }
  return expectationCode(args, report);
}

/** --repeat: the distribution over the runs; --expect must hold for every run. */
function finishRepeat(args: CaptureArgs, result: CaptureResult): number {
  const reports = reportsPerRun(result);
  const render = (format: OutputFormat) => (format === 'json' ? renderRepeatJson(reports) : renderRepeatText(reports));
  process.stdout.write(render(args.format));
  for (const out of args.outputs) fs.writeFileSync(out.path, render(out.format));
  if (result.session.failure) {
    process.stderr.write(`${formatFailure(result.session.failure)}\n`);
    return EXIT_TOOL_ERROR;
  }
  if (result.session.aborted || reports.length < args.repeat) {
    process.stderr.write(`debug-exit: ${reports.length} of ${args.repeat} runs completed\n`);
    return EXIT_TOOL_ERROR;
  }
  const differing = reports.filter((r) => args.expect !== null && r.verdicts.allocatorFirst.result !== args.expect).length;
  if (differing === 0) return EXIT_OK;
  process.stderr.write(`debug-exit: expected allocator-cleanup-first ${args.expect} in every run; ${differing} of ${reports.length} differ\n`);
  return EXIT_VERDICT_MISMATCH;
}

function emit(args: CaptureArgs, report: Report): void {
  process.stdout.write(renderReport(args.format, report));
  for (const out of args.outputs) fs.writeFileSync(out.path, renderReport(out.format, report));
}

function expectationCode(args: CaptureArgs, report: Report): number {
  if (args.expect === null) return EXIT_OK;
  const got = report.verdicts.allocatorFirst.result;
  if (got === args.expect) return EXIT_OK;
  process.stderr.write(`debug-exit: expected allocator-cleanup-first ${args.expect}, got ${got}\n`);
  return EXIT_VERDICT_MISMATCH;
}
