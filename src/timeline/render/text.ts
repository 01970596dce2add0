/**
 * The report for people, readable in 100 columns: header, timeline (one line per event), probes
 * that did not resolve, the prediction from registrations, the verdicts with reasons and evidence.
 */
import { describeOutcome } from '../outcome';
import { nameOf } from '../prediction';
import { isResolved } from '../probes';
import type { Report } from '../report';
import type { Verdict } from '../verdict';
import { resultText, VERDICTS } from '../verdict-registry';
import { citeEvidence } from './cite';
import {
  commandLine,
  describeRegistration,
  detailOf,
  elapsedMs,
  roleOf,
  symbolOf,
  threadNames,
  threadOf,
} from './describe';
import { wrap, wrapUnits } from './layout';

const WIDTH = 100;
/** seq, +ms, thread, role: the fixed columns before the free text (symbol and detail). */
const COLUMNS = [6, 10, 7, 18] as const;
const PREFIX_WIDTH = COLUMNS.reduce((sum, w) => sum + w + 1, 0);

export function renderText(report: Report): string {
  const sections = [
    header(report),
    diagnosisSection(report),
    timelineSection(report),
    probesSection(report),
    predictionSection(report),
    verdictsSection(report),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function header(report: Report): string[] {
  const { timeline } = report;
  const version = timeline.lldbVersion;
  const lldb = version === null ? [] : [`  lldb          ${version} on ${timeline.platform ?? '?'}`];
  const names = threadNames(timeline);
  const more = names.length > 4 ? ` and ${names.length - 4} more` : '';
  const threads = names.length === 0 ? [] : [`  threads       ${names.slice(0, 4).join(', ')}${more}`];
  return [
    `debug-exit report: ${commandLine(timeline)}`,
    `  profile file  ${timeline.profileFile ?? '(not set)'}`,
    `  aslr          ${timeline.aslr ?? 'not recorded'}${timeline.aslr === 'off' ? ' (LLDB default; --aslr on to change)' : ''}`,
    `  outcome       ${describeOutcome(timeline.outcome)}`,
    ...lldb,
    ...threads,
    ...censusLine(timeline),
  ];
}

/** Only with --census: which mode ran (list read at exit(), or a stop per registration) and why. */
function censusLine(timeline: Report['timeline']): string[] {
  if (timeline.censusMode === null) return [];
  const mode =
    timeline.censusMode === 'list'
      ? "list (the C library's exit handlers, read once at exit())"
      : 'stops (one debugger stop per registration)';
  return [
    `  census        ${mode}: ${timeline.registrations.length} registrations${timeline.censusNote ? `; ${timeline.censusNote}` : ''}`,
  ];
}

/** First thing after the header: the conclusion, each hypothesis's standing, the next step. */
function diagnosisSection(report: Report): string[] {
  const { diagnosis } = report;
  const lines = [`Diagnosis: ${diagnosis.conclusion.toUpperCase()}`, ...wrap(diagnosis.summary, WIDTH, '  ')];
  for (const h of diagnosis.hypotheses) {
    lines.push(...wrap(`${h.status}: ${h.id}: ${h.reason}`, WIDTH, '  ', '    '));
  }
  lines.push(...wrap(`next step: ${diagnosis.nextStep}`, WIDTH, '  ', '    '));
  return lines;
}

function timelineSection(report: Report): string[] {
  const { timeline } = report;
  const shown = timeline.events.filter((e) => e.kind !== 'probe-resolved');
  const lines = [`Timeline (${shown.length} events, ms since the first event; probe resolutions under Probes)`];
  lines.push(row(['seq', '+ms', 'tid', 'role'], 'symbol  detail'));
  for (const event of shown) {
    const cells = [`#${event.seq}`, elapsedMs(event, timeline), threadOf(event), roleOf(event)];
    lines.push(...eventLines(cells, symbolOf(event), detailOf(event)));
  }
  return lines;
}

function row(cells: readonly string[], rest: string): string {
  // Numbers right-aligned, names left-aligned.
  const pad = (cell: string, i: number): string =>
    i < 2 ? cell.padStart(COLUMNS[i] ?? 0) : cell.padEnd(COLUMNS[i] ?? 0);
  const fixed = cells.map(pad).join(' ');
  return `${fixed} ${rest}`.trimEnd();
}

/** One line when it fits; otherwise the detail continues below, aligned with the symbol. */
function eventLines(cells: readonly string[], symbol: string, detail: string): string[] {
  const line = row(cells, `${symbol}  ${detail}`);
  if (line.length <= WIDTH || detail === '') return [line];
  return [row(cells, symbol), ...wrap(detail, WIDTH, ' '.repeat(PREFIX_WIDTH + 2))];
}

function probesSection(report: Report): string[] {
  const probes = report.timeline.probes;
  const unresolved = probes.filter((p) => !isResolved(p));
  const lines = [`Probes: ${probes.length - unresolved.length} of ${probes.length} resolved`];
  if (unresolved.length > 0) lines.push('  did not resolve:');
  const roles = [...new Set(unresolved.map((p) => p.role))];
  for (const role of roles) {
    const names = unresolved.filter((p) => p.role === role).map((p) => `${p.symbol} #${p.seq}`);
    lines.push(...wrap(`${role}: ${names.join(', ')}`, WIDTH, '    '));
  }
  return lines;
}

function predictionSection(report: Report): string[] {
  const { timeline, prediction } = report;
  const flagged = timeline.registrations.filter((r) => r.kind !== 'other');
  const others = timeline.registrations.length - flagged.length;
  const lines = [`Prediction from ${timeline.registrations.length} atexit registrations (not evidence)`];
  for (const registration of flagged) lines.push(...wrap(describeRegistration(registration), WIDTH, '  '));
  if (others > 0) lines.push(`  and ${others} other registration${others === 1 ? '' : 's'}`);
  const order = flagged.slice().reverse().map(nameOf).join(' -> ');
  if (prediction.first !== null) lines.push(...wrap(`predicted run order: ${order}`, WIDTH, '  '));
  lines.push(...wrap(prediction.reason, WIDTH, '  '));
  return lines;
}

function verdictsSection(report: Report): string[] {
  return [
    'Verdicts',
    ...VERDICTS.flatMap((m) => verdictLines(report, report.verdicts[m.key], resultText(m, report.verdicts))),
  ];
}

function verdictLines(report: Report, verdict: Verdict<string, string>, result: string): string[] {
  const items = citeEvidence(report.timeline, verdict.evidence);
  const units = items.map((item, i) => (i < items.length - 1 ? `${item},` : item));
  return [
    `  ${verdict.name}: ${result}`,
    ...wrap(verdict.reason, WIDTH, '    '),
    ...wrapUnits(['evidence:', ...(units.length === 0 ? ['(none)'] : units)], WIDTH, '    '),
  ];
}
