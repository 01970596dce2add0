/** Checks made before LLDB starts: the program and LLDB exist and can run. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lldbNotFound, programNotExecutable, programNotFound } from './failure';

/** LLDBs tried in order when --lldb is not given. */
export const DEFAULT_LLDBS = ['lldb-19', 'lldb'];

/** Looks a bare name up in PATH like a shell would; a name with a slash is a path. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | null {
  if (name.includes('/')) return isExecutableFile(name) ? path.resolve(name) : null;
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of the program to capture, or a usage error saying what is wrong with it. */
export function resolveProgram(program: string): string {
  const found = findExecutable(program);
  if (found) return found;
  const asPath = path.resolve(program);
  if (program.includes('/') && fs.existsSync(asPath)) throw programNotExecutable(program);
  throw programNotFound(program);
}

export function resolveLldb(requested: string | null): string {
  if (requested !== null) {
    const found = findExecutable(requested);
    if (!found) throw lldbNotFound(requested);
    return found;
  }
  for (const name of DEFAULT_LLDBS) {
    const found = findExecutable(name);
    if (found) return found;
  }
  throw lldbNotFound(DEFAULT_LLDBS.join(' or '));
}
