/** `debug-exit replay RECORDING`: the report rebuilt from a recording, with no LLDB. */
import * as fs from 'node:fs';
import { RecordingError } from '../recording/asciicast';
import { DebugExitError, usageError } from '../session/failure';
import { ONE_RUN_FORMATS } from './capture-command';
import { replay } from '../session/replay';
import { renderReport } from '../timeline/render/renderer';
import type { OutputFormat, ReplayArgs } from './args';
import { reportFrom, reportsOfRuns, type SessionFacts } from './analyse';
import { renderRepeatJson, renderRepeatText } from '../timeline/render/repeat';

/**
 * An interactive session: one report per run (each `run` the person typed). A `--repeat` capture:
 * the distribution over its runs, as the capture printed it. Otherwise the one run's report.
 */
function rendererFor(facts: SessionFacts, mode: string | undefined): (format: OutputFormat) => string {
  const reports = reportsOfRuns(facts);
  if (mode !== 'interactive' && reports.length <= 1) return (format) => renderReport(format, reportFrom(facts));
  return (format) => {
    if (ONE_RUN_FORMATS.includes(format)) {
      if (reports.length === 1) return renderReport(format, reports[0]);
      throw usageError(`${format} shows one run; this recording has ${reports.length}`, 'replay it with --format text or json');
    }
    if (mode !== 'interactive') return format === 'json' ? renderRepeatJson(reports) : renderRepeatText(reports);
    if (format === 'json') return `[\n${reports.map((r) => renderReport('json', r).trimEnd()).join(',\n')}\n]\n`;
    return reports.map((r, i) => `=== run ${i + 1} of ${reports.length}\n${renderReport(format, r)}`).join('\n') || 'no run in this session\n';
  };
}

export async function runReplay(args: ReplayArgs): Promise<number> {
  if (!fs.existsSync(args.recording)) {
    throw new DebugExitError({ code: 'recording-invalid', message: `recording not found: ${args.recording}` });
  }
  try {
    const play = args.play ? { speed: args.speed, write: (d: string) => process.stderr.write(d) } : undefined;
    const result = await replay({ file: args.recording, play });
    const { debug_exit: meta } = result.header;
    const facts = { target: meta.target, profileFile: meta.profile_file, census: meta.options?.census === true, aslr: meta.options?.aslr ?? null, experiment: meta.options?.experiment ?? null, session: result.session, cut: !result.end.lldbExited, profileOutput: result.end.profileOutput ?? undefined };
    const render = rendererFor(facts, meta.options?.mode);
    process.stdout.write(render(args.format));
    for (const out of args.outputs) fs.writeFileSync(out.path, render(out.format));
    if (!result.end.lldbExited) process.stderr.write(`debug-exit: ${args.recording}: the session was cut (the capture was killed?); the report covers what was recorded\n`);
    return 0;
  } catch (error) {
    if (error instanceof RecordingError) {
      throw new DebugExitError({ code: 'recording-invalid', message: `bad recording: ${error.message}`, hint: 'is this a recording written by debug-exit (asciicast v2)?' });
    }
    throw error;
  }
}
