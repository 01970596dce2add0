/**
 * Where the Linux dynamic loader looks for a program's libraries, so that LLDB can load them
 * before launch (target.exec-search-paths): LLDB 19 on Linux reads a program's DT_NEEDED names
 * but finds a bare `libc.so.6` only in those directories, and without them no probe resolves in
 * a shared library until the program runs. LD_LIBRARY_PATH, /etc/ld.so.conf (with its includes),
 * then glibc's default directories; RUNPATH/RPATH are not read.
 *
 *   parseLdSoConf('include /etc/ld.so.conf.d/*.conf\n/usr/local/lib # x\n')
 *     -> { dirs: ['/usr/local/lib'], includes: ['/etc/ld.so.conf.d/*.conf'] }
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LD_SO_CONF = '/etc/ld.so.conf';
const DEFAULT_DIRS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64'];
const MAX_INCLUDE_DEPTH = 4;
/**
 * The directories go through LLDB's command parser (`settings set`), quoted: characters that
 * quoting does not neutralise there (backticks run expressions) keep a directory out.
 */
const PASSES_LLDB_PARSER = /^\/[\w.+\-/@:,= ]*$/;

export function parseLdSoConf(text: string): { dirs: string[]; includes: string[] } {
  const dirs: string[] = [];
  const includes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const include = /^include\s+(.+)$/.exec(line);
    if (include) includes.push(...include[1].split(/\s+/));
    else if (!line.startsWith('hwcap')) dirs.push(line.replace(/=.*$/, '')); // old `DIR=TYPE` lines
  }
  return { dirs, includes };
}

/** Directories, in the loader's order, that exist and can be given to LLDB. */
export function linuxLibraryDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':');
  const candidates = [...fromEnv, ...confDirs(LD_SO_CONF, 0), ...DEFAULT_DIRS];
  return [...new Set(candidates.map((d) => path.normalize(d)))].filter(
    (d) => PASSES_LLDB_PARSER.test(d) && isDirectory(d),
  );
}

function confDirs(file: string, depth: number): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const { dirs, includes } = parseLdSoConf(text);
  if (depth >= MAX_INCLUDE_DEPTH) return dirs;
  const included = includes.flatMap((pattern) => expand(path.resolve(path.dirname(file), pattern)));
  return [...dirs, ...included.flatMap((f) => confDirs(f, depth + 1))];
}

/** `dir/*.conf`: wildcards in the last component only, as ld.so.conf uses them; sorted like glob(3). */
function expand(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!/[*?[]/.test(base)) return [pattern];
  const escaped = base
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const matcher = new RegExp(`^${escaped}$`);
  try {
    return fs
      .readdirSync(dir)
      .filter((name) => matcher.test(name))
      .sort()
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
