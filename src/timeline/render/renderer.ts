/** The one renderer interface: a report in, a string out. Pure: no I/O, no clock, no randomness. */
import type { Report } from '../report';
import { renderChrome } from './chrome';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderMermaid } from './mermaid';
import { renderText } from './text';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'mermaid' | 'chrome';

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
};

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(RENDERERS, name);
}

export function renderReport(format: ReportFormat, report: Report): string {
  return RENDERERS[format].render(report);
}
