/**
 * `debug-exit doctor [PROGRAM]`: whether a capture can run here and, for PROGRAM, what it will be
 * able to see (which probes resolve, without running it). Exit 0 when nothing fails, 1 when a
 * check fails; a missing or non-executable PROGRAM is a usage error (2), checked before LLDB.
 */
import { gatherFacts } from '../doctor/gather';
import { doctorReport } from '../doctor/findings';
import { renderDoctorJson, renderDoctorText } from '../doctor/render';
import { withInspectFinding } from '../doctor/inspect-finding';
import { DebugExitError, isDebugExitError } from '../session/failure';
import { abortOnSignals } from '../session/life';
import { resolveProgram } from '../session/preflight';
import type { DoctorArgs } from './args';
import type { Logger } from './log';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;

export async function runDoctor(args: DoctorArgs, log: Logger): Promise<number> {
  const program = args.program === null ? null : doctorProgram(args.program);
  const abort = abortOnSignals(['SIGINT', 'SIGTERM']);
  try {
    const facts = doctorReport(await gatherFacts({ lldb: args.lldb, program, log, abortSignal: abort.signal }));
    const report = program === null ? facts : withInspectFinding(facts, program);
    process.stdout.write(args.format === 'json' ? renderDoctorJson(report) : renderDoctorText(report));
    return report.failed ? EXIT_CHECK_FAILED : EXIT_OK;
  } finally {
    abort.dispose();
  }
}

/** resolveProgram's usage errors, with a hint in doctor's terms. */
function doctorProgram(program: string): string {
  try {
    return resolveProgram(program);
  } catch (error) {
    if (isDebugExitError(error) && error.failure.code === 'program-not-found') {
      throw new DebugExitError({
        ...error.failure,
        hint: 'give the path of the program a capture would run: `debug-exit doctor ./app`',
      });
    }
    throw error;
  }
}
