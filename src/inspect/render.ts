/**
 * inspect's report as text (for a terminal: every name taken from the file has its control
 * characters escaped) or JSON (`debug-exit/inspect@1`, schema/inspect.schema.json). Pure.
 */
import { wrap } from '../timeline/render/layout';
import type { ImageReport, InputReport, InspectReport, RecordGroup } from './analysis';

export const INSPECT_SCHEMA = 'debug-exit/inspect@1';
const WIDTH = 100;
const MAX_LISTED = 12;

/** Control characters (C0, DEL, C1) and bidi overrides as \xNN / \u{NNNN}: a name cannot drive the terminal. */
export function escapeText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

function listed(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).map(escapeText).join(', ');
  return items.length > MAX_LISTED ? `${shown} (and ${items.length - MAX_LISTED} more)` : shown;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function groupLines(group: RecordGroup, indent: string, showImages: boolean): string[] {
  const head =
    group.raw_version === null
      ? 'bytes that fit no known record layout'
      : `raw version ${group.raw_version}${group.foreign ? ' (FOREIGN)' : ''}`;
  const lines = [
    `${indent}${head}: ${count(group.records, 'record')}, ${count(group.functions.length, 'function')}, ${count(group.sources.length, 'source')}`,
  ];
  const more = `${indent}  `;
  const field = (label: string, items: string[]) => {
    if (items.length > 0)
      lines.push(...wrap(`${label.padEnd(11)}${listed(items)}`, WIDTH, more, `${more}${' '.repeat(11)}`));
  };
  field('sources:', group.sources);
  field('producers:', group.producers);
  field('functions:', group.functions);
  if (showImages) field('objects:', group.images);
  if (group.unnamed_records > 0)
    lines.push(
      `${more}${count(group.unnamed_records, 'record')} with a NameRef that names no function of __llvm_prf_names`,
    );
  return lines;
}

function imageHeader(image: ImageReport, indent: string): string[] {
  const lines: string[] = [];
  const kind = image.kind === 'shared' && image.format === 'elf' ? 'executable or shared object' : image.kind;
  lines.push(`${indent}${image.format === 'elf' ? 'ELF' : 'Mach-O'} ${image.arch} ${kind}`);
  const runtime =
    image.runtime_raw_version === null
      ? image.kind === 'relocatable'
        ? null
        : 'none linked in'
      : `raw version ${image.runtime_raw_version} (${image.runtime_version_source})`;
  if (runtime !== null) lines.push(...wrap(`profile runtime: ${runtime}`, WIDTH, `${indent}`, `${indent}  `));
  if (image.raw_version_symbol !== null)
    lines.push(
      `${indent}__llvm_profile_raw_version: ${image.raw_version_symbol} (${image.raw_version_symbol_value}, in ${escapeText(image.raw_version_symbol_section ?? '?')})`,
    );
  const names =
    image.names === null
      ? 'no __llvm_prf_names'
      : `__llvm_prf_names: ${count(image.names.count, 'name')}${image.names.compressed ? ', zlib-compressed' : ''}`;
  if (image.data_bytes !== null)
    lines.push(
      `${indent}__llvm_prf_data: ${image.data_bytes} bytes; ${names}; debug info: ${escapeText(image.debug_info)}`,
    );
  for (const problem of image.problems)
    lines.push(...wrap(`note: ${escapeText(problem)}`, WIDTH, indent, `${indent}  `));
  return lines;
}

function inputLines(input: InputReport): string[] {
  const lines = [`${escapeText(input.path)}: ${input.result.toUpperCase()}`];
  if (input.error !== null)
    return [...lines, ...wrap(`could not read it: ${escapeText(input.error)}`, WIDTH, '  ', '    ')];
  if (input.kind === 'archive' || input.kind === 'object') {
    const instrumented = input.images.filter((i) => i.result !== 'not-instrumented');
    if (input.kind === 'archive')
      lines.push(
        `  archive: ${count(input.images.length, 'object member')}, ${instrumented.length} instrumented${input.skipped_members.length > 0 ? `; not objects: ${listed(input.skipped_members)}` : ''}`,
      );
    for (const image of instrumented) {
      const v =
        image.raw_version_symbol === null
          ? 'no __llvm_profile_raw_version'
          : `__llvm_profile_raw_version ${image.raw_version_symbol}`;
      lines.push(
        `  ${escapeText(image.member ?? image.path)}: ${image.format === 'elf' ? 'ELF' : 'Mach-O'} ${image.arch} object, ${v}, ${count(
          image.groups.reduce((n, g) => n + g.records, 0),
          'record',
        )}`,
      );
    }
    return lines;
  }
  for (const image of input.images) {
    if (input.images.length > 1) lines.push(`  slice ${image.arch}: ${image.result.toUpperCase()}`);
    const indent = input.images.length > 1 ? '    ' : '  ';
    lines.push(...imageHeader(image, indent));
  }
  return lines;
}

export function renderInspectText(report: InspectReport): string {
  const lines: string[] = [];
  for (const input of report.inputs) lines.push(...inputLines(input), '');
  if (report.groups.length > 0) {
    const reference =
      report.reference_raw_version === null
        ? ''
        : ` (reference: raw version ${report.reference_raw_version}${report.runtime_raw_version === null ? ', the newest seen' : ', the runtime'})`;
    lines.push(`Profile records by raw version${reference}`);
    const showImages = report.inputs.length > 1 || report.inputs.some((i) => i.images.length > 1);
    for (const group of report.groups) lines.push(...groupLines(group, '  ', showImages));
    lines.push('');
  }
  lines.push(`Verdict: ${report.result.toUpperCase()}`);
  lines.push(...wrap(escapeText(report.verdict), WIDTH, '  ', '  '));
  if (report.fix !== null) lines.push(...wrap(`fix: ${escapeText(report.fix)}`, WIDTH, '  ', '    '));
  return `${lines.join('\n')}\n`;
}

export function renderInspectJson(report: InspectReport): string {
  return `${JSON.stringify({ schema: INSPECT_SCHEMA, ...report }, null, 2)}\n`;
}
