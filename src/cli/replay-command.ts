/** `debug-exit replay RECORDING`: the report rebuilt from a recording, with no LLDB. */
import * as fs from 'node:fs';
import { RecordingError } from '../recording/asciicast';
import { safeText } from '../protocol/safe-text';
import { TerminalFilter } from '../protocol/terminal-filter';
import { closeOutputs, openOutputs, writeOutput } from './output-files';
import { DebugExitError, usageError } from '../session/failure';
import { ONE_RUN_FORMATS } from './capture-command';
import { replay } from '../session/replay';
import { rejectedFramesLine } from '../session/rejected';
import { renderReport } from '../timeline/render/renderer';
import type { OutputFormat, ReplayArgs } from './args';
import { reportFrom, reportsOfRuns, type SessionFacts } from './analyse';
import { renderRuns } from '../timeline/render/repeat';
import type { Report } from '../timeline/report';
import { renderHtmlPage } from './html-page';

/**
 * An interactive session: one report per run (each `run` the person typed). A `--repeat` capture:
 * the distribution over its runs, as the capture printed it. Otherwise the one run's report.
 */
function rendererFor(
  facts: SessionFacts,
  mode: string | undefined,
  recording: string,
): (format: OutputFormat) => string {
  const renderOne = (format: OutputFormat, report: Report) =>
    format === 'html' ? renderHtmlPage(report, recording) : renderReport(format, report);
  const reports = reportsOfRuns(facts);
  if (mode !== 'interactive' && reports.length <= 1) return (format) => renderOne(format, reportFrom(facts));
  return (format) => {
    if (ONE_RUN_FORMATS.includes(format)) {
      if (reports.length === 1) return renderOne(format, reports[0]);
      throw usageError(
        `${format} shows one run; this recording has ${reports.length}`,
        'replay it with --format text or json',
      );
    }
    return renderRuns(format === 'json' ? 'json' : 'text', reports, mode === 'interactive' ? 'each' : 'distribution');
  };
}

/** A recording must be a regular file: not a directory, not /dev/zero, not a FIFO. */
function checkRecordingFile(file: string): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined)
    throw new DebugExitError({ code: 'recording-invalid', message: `recording not found: ${safeText(file)}` });
  if (!stat.isFile())
    throw new DebugExitError({
      code: 'recording-invalid',
      message: `not a recording: ${safeText(file)} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}`,
    });
}

export async function runReplay(args: ReplayArgs): Promise<number> {
  checkRecordingFile(args.recording);
  const outputs = openOutputs(args.outputs);
  try {
    const filter = new TerminalFilter();
    const write = args.raw
      ? (d: string) => process.stderr.write(d)
      : (d: string) => process.stderr.write(filter.push(d));
    const play = args.play ? { speed: args.speed, write } : undefined;
    const result = await replay({ file: args.recording, play });
    const { debug_exit: meta } = result.header;
    const facts = {
      target: meta.target,
      profileFile: meta.profile_file,
      census: meta.options?.census === true,
      programSha256: meta.program_sha256 ?? null,
      aslr: meta.options?.aslr ?? null,
      experiment: meta.options?.experiment ?? null,
      session: result.session,
      cut: !result.end.lldbExited,
      profileOutput: result.end.profileOutput ?? undefined,
    };
    const render = rendererFor(facts, meta.options?.mode, args.recording);
    process.stdout.write(render(args.format));
    for (const out of outputs) writeOutput(out, render(out.format));
    const rejected = rejectedFramesLine(result.session.rejectedCount, result.session.rejected);
    if (rejected !== null) process.stderr.write(`debug-exit: ${rejected}\n`);
    if (!result.end.lldbExited)
      process.stderr.write(
        `debug-exit: ${safeText(args.recording)}: the session was cut (the capture was killed?); the report covers what was recorded\n`,
      );
    return 0;
  } catch (error) {
    if (error instanceof RecordingError) {
      // One line: what is wrong, and where.
      throw new DebugExitError({ code: 'recording-invalid', message: `bad recording: ${safeText(error.message)}` });
    }
    throw error;
  } finally {
    closeOutputs(outputs);
  }
}
