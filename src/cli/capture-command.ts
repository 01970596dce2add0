/** `debug-exit capture`: one capture, its report on stdout and in --out files, the exit code. */
import { capture, type CaptureResult } from '../session/capture';
import { safeText } from '../protocol/safe-text';
import { describeOutcome } from '../timeline/outcome';
import { resolveLldb, resolveProgram } from '../session/preflight';
import {
  closeOutputs,
  defaultRecordingPath,
  openOutputs,
  openRecording,
  writeOutput,
  type OpenedOutput,
  type OpenedRecording,
} from './output-files';
import { leftoversLine } from '../session/leftovers';
import { abortOnSignals, STOP_SIGNALS } from '../session/life';
import { rejectedFramesLine } from '../session/rejected';
import { DebugExitError, formatFailure, usageError } from '../session/failure';
import { renderReport } from '../timeline/render/renderer';
import type { Report } from '../timeline/report';
import type { CaptureArgs, OutputFormat } from './args';
import { captureFacts, reportOf, reportsOfRuns } from './analyse';
import { renderRuns } from '../timeline/render/repeat';
import type { Logger } from './log';
import { progressOn } from './progress';
import { renderHtmlPage } from './html-page';
import { appendStepSummary, describeSummary, repeatMarkdown } from './summary';

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
    const result = await capture({
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
    progress.done();
    if (result.recording) process.stderr.write(`debug-exit: recording: ${safeText(result.recording)}\n`);
    for (const line of [
      rejectedFramesLine(result.session.rejectedCount, result.session.rejected),
      leftoversLine(result.leftRunning),
    ]) {
      if (line !== null) process.stderr.write(`debug-exit: ${line}\n`);
    }
    return finish(args, result, outputs);
  } finally {
    abort.dispose();
  }
}

function finish(args: CaptureArgs, result: CaptureResult, outputs: OpenedOutput[]): number {
  const failure = result.session.failure;
  if (failure && NOTHING_CAPTURED.includes(failure.code)) throw new DebugExitError(failure);
  if (args.repeat > 1) return finishRepeat(args, result, outputs);
  const report = reportOf(result);
  emit(args, report, outputs, result.recording ?? null);
  if (failure) {
    process.stderr.write(`${formatFailure(failure)}\n`);
    return EXIT_TOOL_ERROR;
  }
  if (result.session.aborted) {
    process.stderr.write('debug-exit: capture stopped before the program finished; the partial timeline is above\n');
    return EXIT_TOOL_ERROR;
  }
  if (report.timeline.outcome.kind === 'lost') {
    process.stderr.write(
      `debug-exit: ${safeText(describeOutcome(report.timeline.outcome))}: the verdicts stay open; capture again\n`,
    );
    return EXIT_TOOL_ERROR;
  }
  return expectationCode(args, report);
}

/** --repeat: the distribution over the runs; --expect must hold for every run. */
function finishRepeat(args: CaptureArgs, result: CaptureResult, outputs: OpenedOutput[]): number {
  const reports = reportsOfRuns(captureFacts(result));
  const render = (format: OutputFormat) => renderRuns(format === 'json' ? 'json' : 'text', reports, 'distribution');
  process.stdout.write(render(args.format));
  for (const out of outputs) writeOutput(out, render(out.format));
  if (args.summary) summarise(repeatMarkdown(render('text'), reports.length));
  if (result.session.failure) {
    process.stderr.write(`${formatFailure(result.session.failure)}\n`);
    return EXIT_TOOL_ERROR;
  }
  if (result.session.aborted || reports.length < args.repeat) {
    process.stderr.write(`debug-exit: ${reports.length} of ${args.repeat} runs completed\n`);
    return EXIT_TOOL_ERROR;
  }
  const differing = reports.filter(
    (r) => args.expect !== null && r.verdicts.allocatorFirst.result !== args.expect,
  ).length;
  if (differing === 0) return EXIT_OK;
  process.stderr.write(
    `debug-exit: expected allocator-cleanup-first ${args.expect} in every run; ${differing} of ${reports.length} differ\n`,
  );
  return EXIT_VERDICT_MISMATCH;
}

function emit(args: CaptureArgs, report: Report, outputs: OpenedOutput[], recording: string | null): void {
  // The page replays the session: it reads the recording, complete once the capture returned.
  const render = (format: OutputFormat) =>
    format === 'html' ? renderHtmlPage(report, recording) : renderReport(format, report);
  process.stdout.write(render(args.format));
  for (const out of outputs) writeOutput(out, render(out.format));
  if (args.summary) summarise(renderReport('markdown', report));
}

/** --summary: the Markdown appended to the job summary on GitHub Actions; elsewhere, a note that it was not. */
function summarise(markdown: string): void {
  process.stderr.write(`${describeSummary(appendStepSummary(markdown))}\n`);
}

function expectationCode(args: CaptureArgs, report: Report): number {
  if (args.expect === null) return EXIT_OK;
  const got = report.verdicts.allocatorFirst.result;
  if (got === args.expect) return EXIT_OK;
  process.stderr.write(`debug-exit: expected allocator-cleanup-first ${args.expect}, got ${got}\n`);
  return EXIT_VERDICT_MISMATCH;
}
