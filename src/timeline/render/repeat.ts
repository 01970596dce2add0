/**
 * The one renderer of many runs. A session of several runs (`--repeat N`, or its replay) shows
 * how the runs were distributed over orderings and outcomes ("allocator-first 20/20, crash
 * 20/20"), then one line per run; an interactive session's replay shows each run in full; `merge`
 * counts runs from report files with the same distribution and the same lines. Pure.
 *
 * A run is counted by its summary (diagnosis, each counted verdict's result, outcome), taken from
 * a Report here, or from a report@1 document by merge.
 */
import { REPEAT_SCHEMA } from '../../contract/ids';
import { describeOutcome } from '../outcome';
import type { Report } from '../report';
import type { VerdictModule } from '../verdict-types';
import { VERDICTS } from '../verdict-registry';
import { renderJson } from './json';
import { renderReport } from './renderer';

/** Result -> number of runs, for the diagnosis, each counted verdict (by its JSON key) and the outcome. */
export type Distribution = { diagnosis: Record<string, number> } & Record<string, Record<string, number>> & {
    outcome: Record<string, number>;
  };

/** What a run counts as: its diagnosis, each counted verdict's result (by JSON key), its outcome in words. */
export interface RunSummary {
  diagnosis: string;
  results: Record<string, string>;
  outcome: string;
}

/** The verdicts the distribution counts, in the registry's order. */
export const COUNTED: readonly VerdictModule[] = VERDICTS.filter((m) => m.repeat !== undefined);

export function summaryOf(report: Report): RunSummary {
  return {
    diagnosis: report.diagnosis.conclusion,
    results: Object.fromEntries(COUNTED.map((m) => [m.jsonKey, report.verdicts[m.key].result])),
    outcome: describeOutcome(report.timeline.outcome),
  };
}

/** Each value's number of runs, values in alphabetical order. */
export function distributionOfRuns(runs: readonly RunSummary[]): Distribution {
  const count = (pick: (r: RunSummary) => string) => {
    const counts: Record<string, number> = {};
    for (const r of runs) counts[pick(r)] = (counts[pick(r)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  };
  return {
    diagnosis: count((r) => r.diagnosis),
    ...Object.fromEntries(COUNTED.map((m) => [m.jsonKey, count((r) => r.results[m.jsonKey])])),
    outcome: count((r) => r.outcome),
  };
}

export function distributionOf(reports: readonly Report[]): Distribution {
  return distributionOfRuns(reports.map(summaryOf));
}

/** The labels' column: `  allocator-cleanup-first  confirmed 10/10`. */
const LABEL_WIDTH = 25;

function tally(counts: Record<string, number>, total: number): string {
  return Object.entries(counts)
    .map(([value, n]) => `${value} ${n}/${total}`)
    .join(', ');
}

/** A line of the distribution's column: the label, then what follows it. */
export function labelled(label: string, rest: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${rest}`;
}

/** The distribution over `n` runs: diagnosis, each of `verdicts`, outcome. */
export function distributionLines(d: Distribution, n: number, verdicts: readonly VerdictModule[]): string[] {
  return [
    labelled('diagnosis', tally(d.diagnosis, n)),
    ...verdicts.map((m) => labelled(m.repeat?.label ?? m.name, tally(d[m.jsonKey], n))),
    labelled('outcome', tally(d.outcome, n)),
  ];
}

export function renderRepeatText(reports: readonly Report[]): string {
  if (reports.length === 0) return 'no run completed\n';
  const n = reports.length;
  const first = reports[0].timeline;
  const inRunLine = COUNTED.filter((m) => m.repeat?.inRunLine === true);
  const lines = [
    `debug-exit: ${n} runs of ${[first.target.program, ...first.target.args].join(' ')} (aslr ${first.aslr ?? 'not recorded'})`,
    ...distributionLines(
      distributionOf(reports),
      n,
      COUNTED.filter((m) => m.repeat?.shown?.(first) ?? true),
    ),
    '',
    ...reports.map(
      (r, i) =>
        `  run ${i + 1}: ${[...inRunLine.map((m) => r.verdicts[m.key].result), describeOutcome(r.timeline.outcome)].join(', ')}`,
    ),
    '',
    `The last run in full:`,
  ];
  // The last run as a single capture prints it: what the target named escaped for the terminal.
  return `${lines.join('\n')}\n${renderReport('text', reports[n - 1])}`;
}

export function renderRepeatJson(reports: readonly Report[]): string {
  const body = reports.map((r) => renderJson(r).trimEnd().replace(/\n/g, '\n    ')).join(',\n    ');
  const head = JSON.stringify(
    { schema: REPEAT_SCHEMA, runs: reports.length, distribution: distributionOf(reports) },
    null,
    2,
  );
  return `${head.slice(0, -2)},\n  "reports": [\n    ${body}\n  ]\n}\n`;
}

/** The runs of an interactive session, each in full: text under a `=== run i of n` line, json as an array. */
export function renderEachRun(format: 'text' | 'json', reports: readonly Report[]): string {
  if (format === 'json') return `[\n${reports.map((r) => renderReport('json', r).trimEnd()).join(',\n')}\n]\n`;
  return (
    reports.map((r, i) => `=== run ${i + 1} of ${reports.length}\n${renderReport('text', r)}`).join('\n') ||
    'no run in this session\n'
  );
}

/**
 * Many runs in `format` (text or json): `distribution` for the runs of one program run again
 * (--repeat), `each` for the runs a person started (interactive).
 */
export function renderRuns(format: 'text' | 'json', reports: readonly Report[], view: 'distribution' | 'each'): string {
  if (view === 'each') return renderEachRun(format, reports);
  return format === 'json' ? renderRepeatJson(reports) : renderRepeatText(reports);
}
