/** The report as Markdown, for a CI summary or an issue: verdicts first, then the evidence. */
import { describeOutcome } from '../outcome';
import { isResolved } from '../probes';
import type { Report } from '../report';
import type { Verdict } from '../verdict';
import { VERDICTS } from '../verdict-registry';
import { citeEvidence } from './cite';
import {
  commandLine,
  describeRegistration,
  detailOf,
  elapsedMs,
  roleOf,
  symbolOf,
  threadOf,
} from './describe';

export function renderMarkdown(report: Report): string {
  const sections = [header(report), diagnosis(report), verdicts(report), timelineTable(report), probes(report), prediction(report)];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function header(report: Report): string[] {
  const { timeline } = report;
  return [
    '# debug-exit report',
    '',
    `- **Target:** ${code(commandLine(timeline))}`,
    `- **Profile file:** ${timeline.profileFile === null ? '(not set)' : code(timeline.profileFile)}`,
    `- **ASLR:** ${timeline.aslr ?? 'not recorded'}`,
    `- **Outcome:** ${describeOutcome(timeline.outcome)}`,
  ];
}

function diagnosis(report: Report): string[] {
  const { diagnosis: d } = report;
  return [
    `## Diagnosis: ${d.conclusion}`,
    '',
    d.summary,
    '',
    ...d.hypotheses.map((h) => `- **${h.status}**: ${h.id}: ${cell(h.reason)}`),
    '',
    `**Next step:** ${cell(d.nextStep)}`,
  ];
}

function verdicts(report: Report): string[] {
  const all: Verdict<string, string>[] = VERDICTS.map((m) => report.verdicts[m.key]);
  const rows = all.map((v) => {
    const evidence = citeEvidence(report.timeline, v.evidence).join(', ');
    return `| ${v.name} | **${v.result}** | ${cell(v.reason)} | ${cell(evidence)} |`;
  });
  return ['## Verdicts', '', '| verdict | result | reason | evidence |', '|---|---|---|---|', ...rows];
}

function timelineTable(report: Report): string[] {
  const { timeline } = report;
  const rows = timeline.events
    .filter((e) => e.kind !== 'probe-resolved')
    .map((e) => [String(e.seq), elapsedMs(e, timeline), threadOf(e), roleOf(e), code(symbolOf(e)), cell(detailOf(e))])
    .map((cells) => `| ${cells.join(' | ')} |`);
  return ['## Timeline', '', '| seq | ms | tid | role | symbol | detail |', '|---:|---:|---|---|---|---|', ...rows];
}

function probes(report: Report): string[] {
  const unresolved = report.timeline.probes.filter((p) => !isResolved(p));
  if (unresolved.length === 0) return ['## Probes', '', 'Every probe resolved.'];
  return ['## Probes that did not resolve', '', ...unresolved.map((p) => `- ${p.role}: ${code(p.symbol)} (#${p.seq})`)];
}

function prediction(report: Report): string[] {
  const flagged = report.timeline.registrations.filter((r) => r.kind !== 'other');
  return [
    '## Prediction from atexit registrations (not evidence)',
    '',
    ...flagged.map((r) => `- ${cell(describeRegistration(r))}`),
    ...(flagged.length > 0 ? [''] : []),
    cell(report.prediction.reason),
  ];
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** Table cells: no pipes, no line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
