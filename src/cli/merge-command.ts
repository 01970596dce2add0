/** `debug-exit merge REPORT.json...`: reports and repeat reports of many runs as one distribution. */
import * as fs from 'node:fs';
import { usageError } from '../session/failure';
import type { MergeArgs } from './args';
import { merge, MergeInputError, renderMergedJson, renderMergedText, type MergeInput } from '../merge/merge';

/** Every file is read and checked before anything is printed: a bad input is a usage error (exit 2). */
export function readInputs(files: readonly string[]): MergeInput[] {
  return files.map((file) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw usageError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'name report files written by `debug-exit capture --format json`',
      );
    }
    try {
      return { source: file, document: JSON.parse(text) as unknown };
    } catch (error) {
      throw usageError(
        `${file} is not JSON (${(error as Error).message})`,
        'name report files written by `debug-exit capture --format json`',
      );
    }
  });
}

export function runMerge(args: MergeArgs): number {
  const outputs = args.outputs.map((out) => {
    if (out.format !== 'text' && out.format !== 'json')
      throw usageError(`merge writes text or json; got --out ${out.format}=${out.path}`);
    return { format: out.format, path: out.path };
  });
  const inputs = readInputs(args.files);
  let merged: ReturnType<typeof merge>;
  try {
    merged = merge(inputs);
  } catch (error) {
    if (error instanceof MergeInputError)
      throw usageError(
        error.message,
        'merge takes debug-exit/report@1 and debug-exit/repeat@1 documents (--format json)',
      );
    throw error;
  }
  const render = (format: 'text' | 'json') => (format === 'json' ? renderMergedJson(merged) : renderMergedText(merged));
  process.stdout.write(render(args.format));
  for (const out of outputs) fs.writeFileSync(out.path, render(out.format));
  return 0;
}
