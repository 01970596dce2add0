/**
 * The report of `--repeat N`: how the runs were distributed over orderings and outcomes
 * ("allocator-first 20/20, crash 20/20"), then one line per run. Pure.
 */
import { describeOutcome } from '../outcome';
import type { Report } from '../report';
import { renderJson } from './json';
import { renderText } from './text';

export interface Distribution {
  diagnosis: Record<string, number>;
  allocator_cleanup_first: Record<string, number>;
  crash_attribution: Record<string, number>;
  profile_data_integrity: Record<string, number>;
  early_write: Record<string, number>;
  outcome: Record<string, number>;
}

export function distributionOf(reports: readonly Report[]): Distribution {
  const count = (pick: (r: Report) => string) => {
    const counts: Record<string, number> = {};
    for (const r of reports) counts[pick(r)] = (counts[pick(r)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  };
  return {
    diagnosis: count((r) => r.diagnosis.conclusion),
    allocator_cleanup_first: count((r) => r.verdicts.allocatorFirst.result),
    crash_attribution: count((r) => r.verdicts.crash.result),
    profile_data_integrity: count((r) => r.verdicts.integrity.result),
    early_write: count((r) => r.verdicts.earlyWrite.result),
    outcome: count((r) => describeOutcome(r.timeline.outcome)),
  };
}

function tally(counts: Record<string, number>, total: number): string {
  return Object.entries(counts).map(([value, n]) => `${value} ${n}/${total}`).join(', ');
}

export function renderRepeatText(reports: readonly Report[]): string {
  if (reports.length === 0) return 'no run completed\n';
  const d = distributionOf(reports);
  const n = reports.length;
  const first = reports[0].timeline;
  const lines = [
    `debug-exit: ${n} runs of ${[first.target.program, ...first.target.args].join(' ')} (aslr ${first.aslr ?? 'not recorded'})`,
    `  diagnosis                ${tally(d.diagnosis, n)}`,
    `  allocator-cleanup-first  ${tally(d.allocator_cleanup_first, n)}`,
    `  crash attribution        ${tally(d.crash_attribution, n)}`,
    `  profile-data integrity   ${tally(d.profile_data_integrity, n)}`,
    ...(first.experiment === null ? [] : [`  early write              ${tally(d.early_write, n)}`]),
    `  outcome                  ${tally(d.outcome, n)}`,
    '',
    ...reports.map((r, i) => `  run ${i + 1}: ${r.verdicts.allocatorFirst.result}, ${r.verdicts.crash.result}, ${describeOutcome(r.timeline.outcome)}`),
    '',
    `The last run in full:`,
  ];
  return `${lines.join('\n')}\n${renderText(reports[n - 1])}`;
}

export function renderRepeatJson(reports: readonly Report[]): string {
  const body = reports.map((r) => renderJson(r).trimEnd().replace(/\n/g, '\n    ')).join(',\n    ');
  const head = JSON.stringify({ schema: 'debug-exit/repeat@1', runs: reports.length, distribution: distributionOf(reports) }, null, 2);
  return `${head.slice(0, -2)},\n  "reports": [\n    ${body}\n  ]\n}\n`;
}
