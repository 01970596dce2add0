/**
 * debug-exit's cache for LLDB, in the user's cache folder (mode 0700, ours):
 *
 *   $XDG_CACHE_HOME/debug-exit/lldb   (or ~/.cache/debug-exit/lldb; DEBUG_EXIT_CACHE=DIR or =off)
 *     index/   LLDB's own index cache (symbols.enable-lldb-index-cache): the DWARF index and
 *              symbol tables of the libraries a capture touches, built once (libc's debug info
 *              from libc6-dbg costs about 0.3 s to index on every start without it)
 *     pyc/     compiled code of LLDB's `lldb` Python module, which LLDB otherwise compiles on every
 *              start where its package has no __pycache__ (lldb-scripts/boot/sitecustomize.py)
 *
 * Both are LLDB's and Python's own checks on their own data (module UUID and mtime; the .pyc's
 * source mtime and size): what LLDB reports is the same with or without them (the bench and the
 * capture tests compare). A folder that is not ours, or not private, is not used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lldbQuote } from './lldb-quote';

export const CACHE_ENV = 'DEBUG_EXIT_CACHE';
/** Read by lldb-scripts/boot/sitecustomize.py, then removed from LLDB's environment. */
export const PYC_DIR_ENV = 'DX_PYC_DIR';
export const RESTORE_ENV = 'DX_RESTORE_ENV';
const BOOT_DIR = path.resolve(__dirname, '../../../lldb-scripts/boot');

export interface LldbCache {
  index: string;
  pyc: string;
}

/** The cache's root for an environment: null when switched off or not resolvable. */
export function cacheRoot(env: NodeJS.ProcessEnv, home: string = os.homedir()): string | null {
  const chosen = env[CACHE_ENV];
  if (chosen === 'off' || chosen === '0') return null;
  if (chosen !== undefined && chosen !== '') return usablePath(chosen);
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : home ? path.join(home, '.cache') : '';
  return base === '' ? null : usablePath(path.join(base, 'debug-exit', 'lldb'));
}

/** Absolute, and nothing LLDB's command parser or a terminal could take for more than a path. */
function usablePath(p: string): string | null {
  return path.isAbsolute(p) && !/[\u0000-\u001f\u007f"\\]/.test(p) ? path.normalize(p) : null;
}

/** Creates the cache's folders (0700) and checks they are ours; null if they cannot be used. */
export function openLldbCache(env: NodeJS.ProcessEnv = process.env): LldbCache | null {
  const root = cacheRoot(env);
  if (root === null) return null;
  const cache = { index: path.join(root, 'index'), pyc: path.join(root, 'pyc') };
  try {
    for (const dir of [root, cache.index, cache.pyc]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!isPrivateDirOfOurs(dir)) return null;
    }
  } catch {
    return null;
  }
  return cache;
}

export function isPrivateDirOfOurs(dir: string): boolean {
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.() ?? st.uid;
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/** The LLDB settings that turn its index cache on, in our folder. */
export function cacheSettings(cache: LldbCache | null): string[] {
  if (cache === null) return [];
  return ['symbols.enable-lldb-index-cache true', `symbols.lldb-index-cache-path ${lldbQuote(cache.index)}`];
}

/**
 * LLDB's environment with the start-up hook on: PYTHONPATH leads to lldb-scripts/boot, and what
 * was changed is named in DX_RESTORE_ENV so the hook puts it back before the target can inherit it.
 */
export function withCacheEnv(
  env: Record<string, string>,
  user: NodeJS.ProcessEnv,
  cache: LldbCache | null,
): Record<string, string> {
  if (cache === null) return env;
  const changed = ['PYTHONPATH', 'PYTHONDONTWRITEBYTECODE'];
  const restore: Record<string, string | null> = {};
  for (const name of changed) restore[name] = user[name] ?? null;
  const userPath = user.PYTHONPATH;
  return {
    ...env,
    PYTHONPATH: userPath ? `${BOOT_DIR}${path.delimiter}${userPath}` : BOOT_DIR,
    [PYC_DIR_ENV]: cache.pyc,
    [RESTORE_ENV]: JSON.stringify(restore),
  };
}
