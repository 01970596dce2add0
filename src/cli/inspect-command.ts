/**
 * `debug-exit inspect`: the static check of a program's profile data, nothing run. Exit 0
 * consistent or not instrumented, 4 mixed, 1 could not read; usage errors (2: a file missing,
 * an --arch a universal binary lacks) are found before any file is inspected.
 */
import * as fs from 'node:fs';
import { DebugExitError } from '../session/failure';
import type { InspectArgs } from './args';
import { fatArchs } from '../inspect/gather';
import { renderInspectJson, renderInspectText } from '../inspect/render';
import { exitCodeOf, inspectPrograms } from '../inspect/run';

export function runInspect(args: InspectArgs): number {
  for (const program of args.programs) checkFile(program, args.arch);
  const report = inspectPrograms(args.programs, args.arch);
  process.stdout.write(args.format === 'json' ? renderInspectJson(report) : renderInspectText(report));
  return exitCodeOf(report);
}

function checkFile(program: string, arch: string | null): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(program);
  } catch {
    throw new DebugExitError({
      code: 'program-not-found',
      message: `inspect: no such file: ${program}`,
      hint: 'give the path of a program, an object file (.o) or an archive (.a, .rlib)',
    });
  }
  if (!stat.isFile())
    throw new DebugExitError({
      code: 'usage',
      message: `inspect: not a regular file: ${program}`,
      hint: 'give the path of a program, an object file (.o) or an archive (.a, .rlib)',
    });
  if (arch === null) return;
  let archs: string[] | null;
  try {
    archs = fatArchs(program);
  } catch {
    return; // unreadable: inspect reports it (exit 1)
  }
  if (archs !== null && !archs.includes(arch)) {
    throw new DebugExitError({
      code: 'usage',
      message: `inspect: ${program} has no ${arch} slice (it has ${archs.join(', ')})`,
      hint: `pick one with --arch ${archs[0]}, or leave --arch out to read every slice`,
    });
  }
}
