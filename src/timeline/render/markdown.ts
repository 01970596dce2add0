/**
 * The report as Markdown, for a CI step summary or an issue: the diagnosis first, then the exit as
 * a Mermaid sequence diagram (GitHub renders it), the verdicts and the timeline table, with runs of
 * repetitive hits folded (a note says how many) so that it stays under GitHub's 1 MiB limit for a
 * step summary (MARKDOWN_BUDGET_BYTES: past it, the timeline table is cut, and says so).
 */
import { describeOutcome } from '../outcome';
import { isResolved } from '../probes';
import type { Report } from '../report';
import type { Verdict } from '../verdict';
import { VERDICTS } from '../verdict-registry';
import { citeEvidence } from './cite';
import { commandLine, describeRegistration, detailOf, elapsedMs, roleOf, symbolOf, threadOf } from './describe';
import { describeFold, foldNote, foldTimeline, type Folding } from './fold';
import { renderMermaid } from './mermaid';

/** GitHub cuts a step summary at 1 MiB (1,048,576 bytes); the report stays under this, leaving room for others. */
export const MARKDOWN_BUDGET_BYTES = 1_000_000;
/** GitHub renders Mermaid diagrams up to 50,000 characters of source. */
export const MERMAID_MAX_CHARS = 50_000;

export function renderMarkdown(report: Report): string {
  const folding = foldTimeline(report);
  const before = [['# debug-exit report'], diagnosis(report), header(report), sequence(report), verdicts(report)];
  const after = [probes(report), prediction(report)];
  let limit = Infinity;
  for (;;) {
    const sections = [...before, timelineTable(report, folding, limit), ...after];
    const text = `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
    if (Buffer.byteLength(text) <= MARKDOWN_BUDGET_BYTES || limit === 0) return text;
    limit = Math.floor(Math.min(limit, folding.rows.length) / 2);
  }
}

function header(report: Report): string[] {
  const { timeline } = report;
  return [
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

/** The exit as a Mermaid sequence diagram, or a note when it is too big for GitHub to draw. */
function sequence(report: Report): string[] {
  const diagram = renderMermaid(report);
  if (diagram.length > MERMAID_MAX_CHARS) {
    return [
      '## Exit sequence',
      '',
      `The sequence diagram has ${diagram.length.toLocaleString('en-US')} characters, more than GitHub draws (${MERMAID_MAX_CHARS.toLocaleString('en-US')}): \`--format mermaid\` gives it.`,
    ];
  }
  return ['## Exit sequence', '', '```mermaid', diagram.trimEnd(), '```'];
}

/** The timeline, repetitive hits folded; at most `limit` rows (the rest cut, with a note). */
function timelineTable(report: Report, folding: Folding, limit: number): string[] {
  const { timeline } = report;
  const shown = folding.rows.slice(0, limit);
  const rows = shown
    .map((row) =>
      row.kind === 'folded'
        ? ['…', '', '', row.role, code(row.symbol), cell(describeFold(row))]
        : [
            String(row.event.seq),
            elapsedMs(row.event, timeline),
            threadOf(row.event),
            roleOf(row.event),
            code(symbolOf(row.event)),
            cell(detailOf(row.event)),
          ],
    )
    .map((cells) => `| ${cells.join(' | ')} |`);
  const note = foldNote(folding);
  const cut = folding.rows.length - shown.length;
  return [
    '## Timeline',
    '',
    '| seq | ms | tid | role | symbol | detail |',
    '|---:|---:|---|---|---|---|',
    ...rows,
    ...(note === null ? [] : ['', `_${note}_`]),
    ...(cut === 0
      ? []
      : [
          '',
          `_${cut.toLocaleString('en-US')} more rows cut to stay under GitHub's 1 MiB step-summary limit: the JSON report has them._`,
        ]),
  ];
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

/** Table cells and text: no pipes, no line breaks, no HTML (GitHub renders tags in Markdown: the target's names are not trusted). */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}
