/** `debug-exit replay RECORDING`: the report rebuilt from a recording, with no LLDB. */
import * as fs from 'node:fs';
import { RecordingError } from '../recording/asciicast';
import { DebugExitError } from '../session/failure';
import { replay } from '../session/replay';
import { renderReport } from '../timeline/render/renderer';
import type { ReplayArgs } from './args';
import { reportFrom } from './analyse';

export async function runReplay(args: ReplayArgs): Promise<number> {
  if (!fs.existsSync(args.recording)) {
    throw new DebugExitError({ code: 'recording-invalid', message: `recording not found: ${args.recording}` });
  }
  try {
    const play = args.play ? { speed: args.speed, write: (d: string) => process.stderr.write(d) } : undefined;
    const result = await replay({ file: args.recording, play });
    const { debug_exit: meta } = result.header;
    const report = reportFrom({
      target: meta.target,
      profileFile: meta.profile_file,
      census: meta.options?.census === true,
      session: result.session,
      cut: !result.end.lldbExited,
    });
    process.stdout.write(renderReport(args.format, report));
    for (const out of args.outputs) fs.writeFileSync(out.path, renderReport(out.format, report));
    if (!result.end.lldbExited) process.stderr.write(`debug-exit: ${args.recording}: the session was cut (the capture was killed?); the report covers what was recorded\n`);
    return 0;
  } catch (error) {
    if (error instanceof RecordingError) {
      throw new DebugExitError({ code: 'recording-invalid', message: `bad recording: ${error.message}`, hint: 'is this a recording written by debug-exit (asciicast v2)?' });
    }
    throw error;
  }
}
