/**
 * The doctor's report as text (one line per check: `ok|warn|FAIL  check: finding`, then what to
 * do) or JSON (`debug-exit/doctor@1`). Pure.
 */
import { wrap } from '../timeline/render/layout';
import { resolvedByModule, type DoctorReport, type Finding, type ProgramSection } from './findings';

export const DOCTOR_SCHEMA = 'debug-exit/doctor@1';
const WIDTH = 100;
const ROLE_COLUMN = 20;

export function renderDoctorText(report: DoctorReport): string {
  const lines = ['Environment', ...report.environment.flatMap(findingLines)];
  if (report.program !== null) lines.push('', ...programLines(report.program));
  for (const note of report.notes) lines.push(...wrap(`note: ${note}`, WIDTH, '', '      '));
  lines.push('', summary(report));
  return `${lines.join('\n')}\n`;
}

export function findingLines(finding: Finding): string[] {
  const lines = wrap(`${finding.check}: ${finding.finding}`, WIDTH, `  ${finding.status.padEnd(4)}  `, '        ');
  if (finding.hint !== undefined) lines.push(...wrap(`what to do: ${finding.hint}`, WIDTH, '        ', '          '));
  if (finding.output) {
    lines.push("        LLDB's last output:", ...finding.output.split('\n').map((l) => `          ${l}`));
  }
  return lines;
}

function programLines(program: ProgramSection): string[] {
  const lines = program.roles.length === 0 ? [] : [`Probes of ${program.path}, resolved without running it`];
  for (const role of program.roles) {
    const label = `  ${role.role.padEnd(ROLE_COLUMN)}`;
    const pad = ' '.repeat(label.length);
    const groups = resolvedByModule(role.resolved).map((g) => `${g.module}: ${g.symbols.join(', ')}`);
    if (role.unresolved.length > 0) groups.push(`unresolved: ${role.unresolved.join(', ')}`);
    groups.forEach((group, i) => lines.push(...wrap(group, WIDTH, i === 0 ? label : pad, `${pad}  `)));
  }
  const name = program.path.split('/').pop() ?? program.path;
  if (lines.length > 0) lines.push('');
  lines.push(`What a capture of ${name} can see`, ...program.findings.flatMap(findingLines));
  return lines;
}

function summary(report: DoctorReport): string {
  const all = [...report.environment, ...(report.program?.findings ?? [])];
  const failed = all.filter((f) => f.status === 'FAIL').length;
  const warned = all.filter((f) => f.status === 'warn').length;
  if (failed > 0) return `debug-exit doctor: ${failed} check(s) FAIL: a capture cannot run until they are fixed`;
  if (warned > 0)
    return `debug-exit doctor: nothing fails; ${warned} warning(s) above say what a capture will not see, or what it needs`;
  return 'debug-exit doctor: every check ok';
}

export function renderDoctorJson(report: DoctorReport): string {
  const program = report.program;
  const json = {
    schema: DOCTOR_SCHEMA,
    ok: !report.failed,
    environment: report.environment,
    program:
      program === null
        ? null
        : {
            path: program.path,
            library_dirs: program.libraryDirs,
            roles: program.roles.map((r) => ({
              role: r.role,
              resolved: r.resolved.map((p) => ({ symbol: p.symbol, locations: p.locations, modules: p.modules })),
              unresolved: r.unresolved,
            })),
            findings: program.findings,
          },
    notes: report.notes,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
