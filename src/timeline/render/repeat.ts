/**
 * The report of `--repeat N`: how the runs were distributed over orderings and outcomes
 * ("allocator-first 20/20, crash 20/20"), then one line per run. Pure.
 */
import { REPEAT_SCHEMA } from '../../contract/ids';
import { describeOutcome } from '../outcome';
import type { Report } from '../report';
import { VERDICTS } from '../verdict-registry';
import { renderJson } from './json';
import { renderText } from './text';

/** Result -> number of runs, for the diagnosis, each counted verdict (by its JSON key) and the outcome. */
export type Distribution = { diagnosis: Record<string, number> } & Record<string, Record<string, number>> & {
    outcome: Record<string, number>;
  };

/** The verdicts the distribution counts, in the registry's order. */
const COUNTED = VERDICTS.filter((m) => m.repeat !== undefined);

export function distributionOf(reports: readonly Report[]): Distribution {
  const count = (pick: (r: Report) => string) => {
    const counts: Record<string, number> = {};
    for (const r of reports) counts[pick(r)] = (counts[pick(r)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  };
  return {
    diagnosis: count((r) => r.diagnosis.conclusion),
    ...Object.fromEntries(COUNTED.map((m) => [m.jsonKey, count((r) => r.verdicts[m.key].result)])),
    outcome: count((r) => describeOutcome(r.timeline.outcome)),
  };
}

/** The labels' column: `  allocator-cleanup-first  confirmed 10/10`. */
const LABEL_WIDTH = 25;

function tally(counts: Record<string, number>, total: number): string {
  return Object.entries(counts)
    .map(([value, n]) => `${value} ${n}/${total}`)
    .join(', ');
}

export function renderRepeatText(reports: readonly Report[]): string {
  if (reports.length === 0) return 'no run completed\n';
  const d = distributionOf(reports);
  const n = reports.length;
  const first = reports[0].timeline;
  const line = (label: string, counts: Record<string, number>) => `  ${label.padEnd(LABEL_WIDTH)}${tally(counts, n)}`;
  const inRunLine = COUNTED.filter((m) => m.repeat?.inRunLine === true);
  const lines = [
    `debug-exit: ${n} runs of ${[first.target.program, ...first.target.args].join(' ')} (aslr ${first.aslr ?? 'not recorded'})`,
    line('diagnosis', d.diagnosis),
    ...COUNTED.filter((m) => m.repeat?.shown?.(first) ?? true).map((m) =>
      line(m.repeat?.label ?? m.name, d[m.jsonKey]),
    ),
    line('outcome', d.outcome),
    '',
    ...reports.map(
      (r, i) =>
        `  run ${i + 1}: ${[...inRunLine.map((m) => r.verdicts[m.key].result), describeOutcome(r.timeline.outcome)].join(', ')}`,
    ),
    '',
    `The last run in full:`,
  ];
  return `${lines.join('\n')}\n${renderText(reports[n - 1])}`;
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
