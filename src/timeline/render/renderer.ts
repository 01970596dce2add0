/** The one renderer interface: a report in, a string out. Pure: no I/O, no clock, no randomness. */
import type { Report } from '../report';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderText } from './text';

export type ReportFormat = 'text' | 'json' | 'markdown';

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
};

export function isReportFormat(name: string): name is ReportFormat {
  return Object.prototype.hasOwnProperty.call(RENDERERS, name);
}

export function renderReport(format: ReportFormat, report: Report): string {
  return RENDERERS[format].render(report);
}
