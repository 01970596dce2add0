/**
 * Every file a command writes is opened before LLDB starts, so a bad path is a usage error (exit 2)
 * up front rather than a stack trace after the whole capture:
 *   - --out FORMAT=PATH: opened for writing (a missing folder, a directory, no permission: refused);
 *     a write that fails at the end (/dev/full) is one line and exit 1;
 *   - --record PATH: created with O_EXCL, so an existing file or a symlink is refused unless
 *     --force (then replaced, but never through a symlink: O_NOFOLLOW);
 *   - the default recording: .debug-exit/recordings/<program>-<UTC time with ms>-<pid>-<random>.cast, created
 *     with O_EXCL, so captures started together in one folder never share a file.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { safeText } from '../protocol/safe-text';
import { DebugExitError, usageError } from '../session/failure';
import type { OutputFormat } from './args';

export interface OpenedOutput {
  format: OutputFormat;
  path: string;
  fd: number;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW } = fs.constants;

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EEXIST':
      return 'it exists already';
    case 'ELOOP':
      return 'it is a symbolic link';
    default:
      return code ?? String(error);
  }
}

export function openOutputs(outputs: ReadonlyArray<{ format: OutputFormat; path: string }>): OpenedOutput[] {
  return outputs.map((out) => {
    try {
      return { ...out, fd: fs.openSync(out.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644) };
    } catch (error) {
      throw usageError(
        `--out ${out.format}=${safeText(out.path)}: cannot write there: ${reason(error)}`,
        'give a file in a folder that exists and that you can write to',
      );
    }
  });
}

/** Writes and closes; a failure (a full disk, /dev/full) is a one-line tool error. */
export function writeOutput(out: OpenedOutput, text: string): void {
  try {
    fs.writeSync(out.fd, text);
  } catch (error) {
    throw new DebugExitError({
      code: 'output-failed',
      message: `cannot write the ${out.format} report to ${safeText(out.path)}: ${reason(error)}`,
    });
  } finally {
    try {
      fs.closeSync(out.fd);
    } catch {
      // already closed
    }
  }
}

export function closeOutputs(outputs: readonly OpenedOutput[]): void {
  for (const out of outputs) {
    try {
      fs.closeSync(out.fd);
    } catch {
      // written (and closed) already
    }
  }
}

/**
 * .debug-exit/recordings, relative to the working directory: where the user (or the CI job) is, kept
 * after the run (the OS temp folder is not), in one hidden folder that is easy to ignore or upload,
 * and never mixed with a `recordings/` folder of the user's own.
 */
export const DEFAULT_RECORDING_DIR = path.join('.debug-exit', 'recordings');

/** DEFAULT_RECORDING_DIR/<program>-<UTC time with milliseconds>-<pid>-<random>.cast. */
export function defaultRecordingPath(
  program: string,
  now = new Date(),
  pid = process.pid,
  random = randomBytes(3).toString('hex'),
): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  return path.join(DEFAULT_RECORDING_DIR, `${path.basename(program)}-${stamp}-${pid}-${random}.cast`);
}

export interface OpenedRecording {
  path: string;
  fd: number;
}

/**
 * The recording file, created now. `explicit`: --record PATH (refused if it exists, unless
 * `force`); otherwise the default name (its folder made if needed).
 */
export function openRecording(file: string, options: { explicit: boolean; force: boolean }): OpenedRecording {
  const flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (options.explicit && options.force ? O_TRUNC : O_EXCL);
  try {
    if (!options.explicit) fs.mkdirSync(path.dirname(file), { recursive: true });
    if (options.explicit && options.force && fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw Object.assign(new Error('symlink'), { code: 'ELOOP' });
    }
    return { path: file, fd: fs.openSync(file, flags, 0o644) };
  } catch (error) {
    const why = reason(error);
    const hint =
      (error as NodeJS.ErrnoException).code === 'EEXIST'
        ? 'choose another --record PATH, or add --force to replace it'
        : 'give --record a file in a folder you can write to, or --no-record';
    throw usageError(`--record ${safeText(file)}: cannot record there: ${why}`, hint);
  }
}
