/**
 * `debug-exit merge`: many runs, from many captures and runners (a CI matrix), as one
 * `debug-exit/repeat@1` distribution. Pure: documents in, one document out.
 *
 * Inputs are report@1 documents (`capture --format json`) and repeat@1 documents (`--repeat N`,
 * or an earlier merge); every run keeps its report, and its source (file, and run index inside a
 * repeat) is named. Runs are grouped per platform, LLDB version and program hash: a distribution
 * over different programs or debuggers would mix what should be compared.
 */
import { REPEAT_SCHEMA, REPORT_SCHEMA } from '../contract/ids';
import { safeText } from '../protocol/safe-text';
import { describeOutcome, type SessionOutcome } from '../timeline/outcome';
import {
  COUNTED,
  distributionLines,
  distributionOfRuns,
  labelled,
  type Distribution,
  type RunSummary,
} from '../timeline/render/repeat';

export { REPEAT_SCHEMA, REPORT_SCHEMA };
export type { Distribution };

type JsonObject = { [key: string]: unknown };

export interface MergeInput {
  /** Where the document came from (a file path), as the user named it. */
  source: string;
  document: unknown;
}

export interface RunSource {
  source: string;
  /** The run's place inside a repeat document (1-based); null for a single report. */
  run: number | null;
}

export interface Group {
  platform: string | null;
  lldb_version: string | null;
  program_sha256: string | null;
  program: string | null;
  runs: number;
  distribution: Distribution;
  sources: RunSource[];
}

export interface MergedDocument {
  schema: typeof REPEAT_SCHEMA;
  runs: number;
  distribution: Distribution;
  groups: Group[];
  sources: RunSource[];
  reports: JsonObject[];
}

export class MergeInputError extends Error {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'MergeInputError';
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The runs of one input document, each with its source; throws MergeInputError on anything else. */
export function runsOf(input: MergeInput): Array<{ report: JsonObject; source: RunSource }> {
  const { document, source } = input;
  if (!isObject(document)) throw new MergeInputError(source, 'not a JSON object');
  if (document.schema === REPORT_SCHEMA)
    return [{ report: checkedReport(document, source), source: { source, run: null } }];
  if (document.schema === REPEAT_SCHEMA) {
    if (!Array.isArray(document.reports)) throw new MergeInputError(source, 'a repeat@1 document without "reports"');
    const named =
      Array.isArray(document.sources) && document.sources.length === document.reports.length
        ? (document.sources as unknown[])
        : null;
    return document.reports.map((report, i) => ({
      report: checkedReport(report, `${source} run ${i + 1}`),
      // An earlier merge keeps naming the original sources.
      source: named && isRunSource(named[i]) ? named[i] : { source, run: i + 1 },
    }));
  }
  throw new MergeInputError(
    source,
    `schema ${JSON.stringify(document.schema)} is neither ${REPORT_SCHEMA} nor ${REPEAT_SCHEMA}`,
  );
}

function isRunSource(value: unknown): value is RunSource {
  return isObject(value) && typeof value.source === 'string' && (value.run === null || typeof value.run === 'number');
}

function checkedReport(value: unknown, source: string): JsonObject {
  if (!isObject(value) || value.schema !== REPORT_SCHEMA)
    throw new MergeInputError(source, `not a ${REPORT_SCHEMA} document`);
  for (const field of ['diagnosis', 'verdicts', 'outcome']) {
    if (!isObject(value[field])) throw new MergeInputError(source, `report@1 without "${field}"`);
  }
  return value;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function resultOf(report: JsonObject, verdict: string): string {
  const verdicts = report.verdicts as JsonObject;
  const v = verdicts[verdict];
  return isObject(v) && typeof v.result === 'string' ? v.result : 'absent';
}

/** The outcome as the repeat report words it (report@1 JSON back to the timeline's outcome). */
function outcomeText(report: JsonObject): string {
  const o = report.outcome as JsonObject;
  const outcome = { ...o, lastOutput: o.last_output } as unknown as SessionOutcome;
  try {
    return describeOutcome(outcome) ?? String(o.kind);
  } catch {
    return String(o.kind);
  }
}

/** A report@1 document counted as the --repeat report counts a run (timeline/render/repeat.ts). */
function summaryOfDocument(report: JsonObject): RunSummary {
  return {
    diagnosis: text((report.diagnosis as JsonObject).conclusion) ?? 'absent',
    results: Object.fromEntries(COUNTED.map((m) => [m.jsonKey, resultOf(report, m.jsonKey)])),
    outcome: outcomeText(report),
  };
}

export function distributionOf(reports: readonly JsonObject[]): Distribution {
  return distributionOfRuns(reports.map(summaryOfDocument));
}

function groupKey(report: JsonObject): [string | null, string | null, string | null] {
  return [text(report.platform), text(report.lldb_version), text(report.program_sha256)];
}

export function merge(inputs: readonly MergeInput[]): MergedDocument {
  const runs = inputs.flatMap(runsOf);
  const groups = new Map<string, { key: ReturnType<typeof groupKey>; items: typeof runs }>();
  for (const run of runs) {
    const key = groupKey(run.report);
    const id = JSON.stringify(key);
    if (!groups.has(id)) groups.set(id, { key, items: [] });
    groups.get(id)!.items.push(run);
  }
  return {
    schema: REPEAT_SCHEMA,
    runs: runs.length,
    distribution: distributionOf(runs.map((r) => r.report)),
    groups: [...groups.values()].map(({ key: [platform, lldbVersion, sha], items }) => ({
      platform,
      lldb_version: lldbVersion,
      program_sha256: sha,
      program: text((items[0].report.target as JsonObject | undefined)?.program),
      runs: items.length,
      distribution: distributionOf(items.map((r) => r.report)),
      sources: items.map((r) => r.source),
    })),
    sources: runs.map((r) => r.source),
    reports: runs.map((r) => r.report),
  };
}

function sourceLabel(s: RunSource): string {
  return s.run === null ? s.source : `${s.source} (run ${s.run})`;
}

/** The verdicts of merge's text: those --repeat shows for every run (not the early write, shown only with --experiment). */
const MERGED_LINES = COUNTED.filter((m) => m.repeat?.shown === undefined);

export function renderMergedText(doc: MergedDocument): string {
  const lines = [
    `debug-exit merge: ${doc.runs} runs from ${new Set(doc.sources.map((s) => s.source)).size} files, ${doc.groups.length} group(s)`,
  ];
  for (const g of doc.groups) {
    const n = g.runs;
    lines.push(
      '',
      `${g.program ?? '?'} on ${g.platform ?? '?'}, ${g.lldb_version ?? 'LLDB ?'}, sha256 ${g.program_sha256?.slice(0, 16) ?? 'unknown'}: ${n} runs`,
      ...distributionLines(g.distribution, n, MERGED_LINES),
      labelled('from', g.sources.map(sourceLabel).join(', ')),
    );
  }
  // Every name in a report file (program, platform, LLDB version, source) is untrusted text.
  return `${lines.map(safeText).join('\n')}\n`;
}

export function renderMergedJson(doc: MergedDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
