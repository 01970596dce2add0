/** `debug-exit replay RECORDING`: the report rebuilt from a recording, with no LLDB. */
import * as fs from 'node:fs';
import { RecordingError } from '../recording/asciicast';
import { DebugExitError } from '../session/failure';
import { replay } from '../session/replay';
import { renderReport } from '../timeline/render/renderer';
import type { OutputFormat, ReplayArgs } from './args';
import { reportFrom, type SessionFacts } from './analyse';
import { RunTracker } from '../timeline/runs';

/** An interactive session has one report per run (each `run` the person typed). */
function renderRuns(format: OutputFormat, facts: SessionFacts): string {
  const tracker = new RunTracker();
  for (const event of facts.session.events) tracker.add(event);
  const reports = tracker.runs.map((run) => {
    const last = run === tracker.runs[tracker.runs.length - 1];
    const session = { ...facts.session, events: tracker.eventsOf(run) };
    return reportFrom({ ...facts, session, cut: last && facts.cut });
  });
  if (format === 'json') return `[\n${reports.map((r) => renderReport('json', r).trimEnd()).join(',\n')}\n]\n`;
  return reports.map((r, i) => `=== run ${i + 1} of ${reports.length}\n${renderReport(format, r)}`).join('\n') || 'no run in this session\n';
}

export async function runReplay(args: ReplayArgs): Promise<number> {
  if (!fs.existsSync(args.recording)) {
    throw new DebugExitError({ code: 'recording-invalid', message: `recording not found: ${args.recording}` });
  }
  try {
    const play = args.play ? { speed: args.speed, write: (d: string) => process.stderr.write(d) } : undefined;
    const result = await replay({ file: args.recording, play });
    const { debug_exit: meta } = result.header;
    const facts = { target: meta.target, profileFile: meta.profile_file, census: meta.options?.census === true, aslr: meta.options?.aslr ?? null, experiment: meta.options?.experiment ?? null, session: result.session, cut: !result.end.lldbExited };
    const render = meta.options?.mode === 'interactive' ? (format: OutputFormat) => renderRuns(format, facts) : (format: OutputFormat) => renderReport(format, reportFrom(facts));
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
