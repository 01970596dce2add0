/**
 * doctor's line for `debug-exit inspect`: the static verdict on the program's profile data (does
 * it mix LLVM versions, and which code is foreign), read from the file without running it.
 */
import { isInspectReadError } from '../inspect/bytes';
import type { InspectReport } from '../inspect/analysis';
import { escapeText } from '../inspect/render';
import { inspectPrograms } from '../inspect/run';
import type { DoctorReport, Finding } from './findings';

export const INSPECT_CHECK = 'profile-data';

export function inspectFinding(report: InspectReport): Finding {
  const program = report.inputs[0]?.path ?? 'the program';
  const details = `debug-exit inspect ${program}`;
  switch (report.result) {
    case 'consistent':
      return {
        status: 'ok',
        check: INSPECT_CHECK,
        finding: `inspect: consistent: every profile record has the raw version ${report.reference_raw_version ?? '?'} layout`,
      };
    case 'not-instrumented':
      return { status: 'ok', check: INSPECT_CHECK, finding: 'inspect: not instrumented: no profile data to mix' };
    case 'unknown':
      return {
        status: 'warn',
        check: INSPECT_CHECK,
        finding: `inspect: unknown: ${escapeText(report.verdict.replace(/^unknown: /, ''))}`,
        hint: `${details} says more`,
      };
    case 'mixed': {
      const foreign = report.groups.filter((g) => g.foreign && g.records > 0);
      const sources = [...new Set(foreign.flatMap((g) => g.sources.map((s) => s.split('/').pop() ?? s)))];
      const by = [...new Set(foreign.flatMap((g) => g.compilers))];
      const versions = [...new Set(foreign.map((g) => g.raw_version))].join(', ');
      const what =
        sources.length > 0
          ? `${sources.map(escapeText).join(', ')}`
          : `${foreign.reduce((n, g) => n + g.records, 0)} record(s)`;
      const finding = `inspect: MIXED: ${what} built by ${by.length > 0 ? by.map(escapeText).join(', ') : 'another LLVM'} (raw version ${versions}) in a raw-version-${report.reference_raw_version ?? '?'} program: the profile runtime misreads their records`;
      return {
        status: 'warn',
        check: INSPECT_CHECK,
        finding,
        hint: `${report.fix ?? ''}; ${details} lists every function and source`,
      };
    }
  }
}

/** The report with the inspect line added to the program's findings (nothing else changes). */
export function withInspectFinding(report: DoctorReport, program: string): DoctorReport {
  if (report.program === null) return report;
  let finding: Finding;
  try {
    finding = inspectFinding(inspectPrograms([program], null));
  } catch (error) {
    if (!isInspectReadError(error)) throw error;
    finding = {
      status: 'warn',
      check: INSPECT_CHECK,
      finding: `inspect: could not read the program: ${error.message}`,
    };
  }
  return { ...report, program: { ...report.program, findings: [...report.program.findings, finding] } };
}
