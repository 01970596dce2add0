/**
 * One error type for the whole tool: a code, a message saying what happened, and what to do.
 * The CLI maps codes to exit status (docs/ARCHITECTURE.md, "Exit codes"): usage errors 2, the
 * rest 1.
 */
import { stripAnsi } from '../protocol/ansi';

export type FailureCode =
  | 'usage'
  | 'program-not-found'
  | 'program-not-executable'
  | 'lldb-not-found'
  | 'lldb-no-prompt'
  | 'lldb-died'
  | 'lldb-hung'
  | 'script-not-loaded'
  | 'target-failed'
  | 'recording-invalid'
  /** A report could not be written at the end (--out to a full disk). */
  | 'output-failed'
  /** The user stopped the tool (SIGINT/SIGTERM) before it had an answer. */
  | 'interrupted';

export interface SessionFailure {
  code: FailureCode;
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** LLDB's last output, ANSI stripped, when LLDB is part of the story. */
  lastOutput?: string;
}

export class DebugExitError extends Error {
  constructor(readonly failure: SessionFailure) {
    super(failure.message);
    this.name = 'DebugExitError';
  }
}

export function isDebugExitError(value: unknown): value is DebugExitError {
  return value instanceof DebugExitError;
}

const USAGE_CODES: readonly FailureCode[] = [
  'usage',
  'program-not-found',
  'program-not-executable',
  'recording-invalid',
];

export function exitCodeFor(failure: SessionFailure): number {
  return USAGE_CODES.includes(failure.code) ? 2 : 1;
}

const LAST_LINES = 15;

/** The last lines of LLDB's output, readable: escapes removed, blank lines dropped. */
export function lastOutputOf(tail: string): string {
  const lines = stripAnsi(tail)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
  return lines.slice(-LAST_LINES).join('\n');
}

export const usageError = (message: string, hint?: string) => new DebugExitError({ code: 'usage', message, hint });

export const programNotFound = (program: string) =>
  new DebugExitError({
    code: 'program-not-found',
    message: `program not found: ${program}`,
    hint: 'give the path of the program to capture after `--`, e.g. `debug-exit capture -- ./app`',
  });

export const programNotExecutable = (program: string) =>
  new DebugExitError({
    code: 'program-not-executable',
    message: `program is not an executable file: ${program}`,
    hint: `check its permissions (chmod +x ${program}) and that it is a binary, not a directory`,
  });

export const lldbNotFound = (lldb: string) =>
  new DebugExitError({
    code: 'lldb-not-found',
    message: `LLDB not found: ${lldb}`,
    hint: 'install it with `npm run setup` (Debian: lldb-19), or name it with `--lldb PATH`',
  });

export function formatFailure(failure: SessionFailure): string {
  const parts = [`debug-exit: error: ${failure.message}`];
  if (failure.hint) parts.push(`  what to do: ${failure.hint}`);
  if (failure.lastOutput) parts.push(`  LLDB's last output:\n${indent(failure.lastOutput, '    ')}`);
  return parts.join('\n');
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
