/**
 * Finding an llvm-profdata and asking it whether it accepts a raw profile. The tool's verdict is
 * the one that matters: a training run's profile is only as good as what `llvm-profdata merge`
 * makes of it. Order: --llvm-profdata PATH, then `llvm-profdata-NN` on PATH (highest NN first),
 * `llvm-profdata`, and on macOS `xcrun -f llvm-profdata`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripAnsi } from '../protocol/ansi';

const TOOL_RE = /^llvm-profdata(?:-(\d+))?$/;
const CHECK_TIMEOUT_MS = 60000;
const MAX_TOOL_MESSAGE = 300;

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The llvm-profdata binaries on PATH, best first (highest version suffix, unsuffixed last). */
export function llvmProfdataOnPath(pathVar: string | undefined): string[] {
  const found: Array<{ file: string; version: number }> = [];
  for (const dir of (pathVar ?? '').split(path.delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = TOOL_RE.exec(name);
      const file = path.join(dir, name);
      if (match === null || !isExecutableFile(file)) continue;
      found.push({ file, version: match[1] === undefined ? -1 : Number(match[1]) });
    }
  }
  found.sort((a, b) => b.version - a.version);
  return found.map((f) => f.file);
}

function fromXcrun(): string | null {
  const result = spawnSync('xcrun', ['-f', 'llvm-profdata'], {
    encoding: 'utf8',
    timeout: 10000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const file = result.status === 0 ? result.stdout.trim() : '';
  return file !== '' && isExecutableFile(file) ? file : null;
}

/** The tool to check profiles with, or null when none is found (the verdict then says so). */
export function findLlvmProfdata(
  explicit: string | null,
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string | null {
  if (explicit !== null) return explicit;
  const onPath = llvmProfdataOnPath(env.PATH);
  if (onPath.length > 0) return onPath[0];
  return platform === 'darwin' ? fromXcrun() : null;
}

export interface ToolJudgement {
  accepted: boolean;
  /** Its first error line (escapes removed, bounded), or a summary of what it read. */
  message: string;
}

/** `llvm-profdata show FILE`: exit 0 means the file is a profile it can read. */
export function checkWithLlvmProfdata(tool: string, file: string): ToolJudgement {
  const result = spawnSync(tool, ['show', file], {
    encoding: 'utf8',
    timeout: CHECK_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error !== undefined) return { accepted: false, message: `could not run ${tool}: ${result.error.message}` };
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) =>
    stripAnsi(l)
      .replace(/[\x00-\x1f\x7f]/g, '')
      .trim(),
  );
  if (result.status === 0) {
    const summary = lines
      .filter((l) => /^(Instrumentation level|Total functions|Maximum function count):/.test(l))
      .join('; ');
    return { accepted: true, message: bounded(summary || 'accepted') };
  }
  const error = lines.find((l) => /error/i.test(l)) ?? lines.find((l) => l !== '') ?? `exit status ${result.status}`;
  // "error: /tmp/x/capture-1.profraw: malformed ...": the file is named by the verdict already.
  const message = error
    .split(`${file}: `)
    .join('')
    .split(file)
    .join(path.basename(file))
    .replace(/^error:\s*/, '');
  return { accepted: false, message: bounded(message) };
}

function bounded(text: string): string {
  return text.length > MAX_TOOL_MESSAGE ? `${text.slice(0, MAX_TOOL_MESSAGE)}...` : text;
}
