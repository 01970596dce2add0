/**
 * The report of a capture (`debug-exit capture`): the renderers, the --repeat distribution, the
 * job summary and the exit code. Loaded by capture-command.ts once LLDB is started.
 */
import type { CaptureResult } from '../session/capture';
import { DebugExitError, formatFailure } from '../session/failure';
import { safeText } from '../protocol/safe-text';
import { describeOutcome } from '../timeline/outcome';
import { renderReport } from '../timeline/render/renderer';
import { renderRuns } from '../timeline/render/repeat';
import type { Report } from '../timeline/report';
import { captureFacts, reportOf, reportsOfRuns } from './analyse';
import type { CaptureArgs, OutputFormat } from './args';
import { EXIT_OK, EXIT_TOOL_ERROR, EXIT_VERDICT_MISMATCH } from './exit-codes';
import { renderHtmlPage } from './html-page';
import { writeOutput, type OpenedOutput } from './output-files';
import { appendStepSummary, describeSummary, repeatMarkdown } from './summary';

/** Failures after which no timeline is worth showing: LLDB never got to run the program. */
const NOTHING_CAPTURED = ['lldb-no-prompt', 'script-not-loaded', 'target-failed'];

export function finish(args: CaptureArgs, result: CaptureResult, outputs: OpenedOutput[]): number {
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
