/** The one renderer interface: a report in, a string out. Pure: no I/O, no clock, no randomness. */
import { safeDeep, safeLines } from '../../protocol/safe-text';
import type { Report } from '../report';
import { renderChrome } from './chrome';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderMermaid } from './mermaid';
import { renderText } from './text';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'mermaid' | 'chrome' | 'html';

export interface Renderer {
  format: ReportFormat;
  /** File extension for `--out FORMAT=PATH` defaults. */
  extension: string;
  render(report: Report): string;
}

export const RENDERERS: Readonly<Record<ReportFormat, Renderer>> = {
  text: { format: 'text', extension: 'txt', render: renderText },
  json: { format: 'json', extension: 'json', render: renderJson },
  markdown: { format: 'markdown', extension: 'md', render: renderMarkdown },
  mermaid: { format: 'mermaid', extension: 'mmd', render: renderMermaid },
  // `trace.json`, not `json`: a Chrome trace is not the report@1 document that `json` names.
  chrome: { format: 'chrome', extension: 'trace.json', render: renderChrome },
  // The page without the session; the CLI renders it with the recording (cli/html-page.ts).
  html: { format: 'html', extension: 'html', render: (report) => renderHtml(report) },
};

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(RENDERERS, name);
}

/**
 * Text formats get a report whose strings are safe for a terminal (protocol/safe-text.ts): what
 * the target named (threads, symbols, modules, paths, args) has every control character escaped,
 * newlines included; the rest keeps its newlines. JSON formats escape control characters already.
 */
export function renderReport(format: ReportFormat, report: Report): string {
  if (format === 'json' || format === 'chrome') return RENDERERS[format].render(report);
  return RENDERERS[format].render(terminalSafe(report));
}

function terminalSafe(report: Report): Report {
  const { timeline } = report;
  const safeTimeline = {
    ...timeline,
    ...safeDeep({
      target: timeline.target,
      profileFile: timeline.profileFile,
      events: timeline.events,
      probes: timeline.probes,
      registrations: timeline.registrations,
    }),
  };
  return { ...safeDeep({ ...report, timeline: undefined }, safeLines), timeline: safeTimeline };
}
