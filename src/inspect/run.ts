/** inspect from paths to a report: gather each file, judge each image, judge them together. */
import { isInspectReadError } from './bytes';
import {
  analyse,
  analyseImage,
  analyseInput,
  unreadableInput,
  type InputKind,
  type InputReport,
  type InspectReport,
} from './analysis';
import { inspectFile } from './gather';

export const EXIT_CONSISTENT = 0;
export const EXIT_UNREADABLE = 1;
export const EXIT_MIXED = 4;

export function inspectPrograms(files: readonly string[], arch: string | null): InspectReport {
  return analyse(files.map((file) => inspectOne(file, arch)));
}

function inspectOne(file: string, arch: string | null): InputReport {
  try {
    const input = inspectFile(file, arch);
    const universal =
      input.images.length > 0 && input.images.every((i) => i.member === null) && input.images.length > 1;
    const images = input.images.map((facts) =>
      analyseImage(facts, universal || (arch !== null && input.images.every((i) => i.format === 'macho'))),
    );
    const kind: InputKind =
      input.images.some((i) => i.member !== null) || input.skipped.length > 0
        ? 'archive'
        : images.length > 1
          ? 'universal'
          : images[0]?.kind === 'relocatable'
            ? 'object'
            : 'program';
    return analyseInput(file, kind, images, input.skipped);
  } catch (error) {
    if (isInspectReadError(error)) return unreadableInput(file, error.message);
    if (error instanceof Error && 'code' in error && typeof (error as NodeJS.ErrnoException).code === 'string')
      return unreadableInput(file, error.message);
    throw error;
  }
}

export function exitCodeOf(report: InspectReport): number {
  if (report.result === 'mixed') return EXIT_MIXED;
  if (report.result === 'unknown') return EXIT_UNREADABLE;
  return EXIT_CONSISTENT;
}
