/**
 * The capture's side of profile_output: where LLVM_PROFILE_FILE points (the capture's temp folder,
 * or --profile-dir, checked before LLDB starts), and what is in it after the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { usageError } from '../session/failure';
import { findLlvmProfdata, isExecutableFile } from './llvm-profdata';
import { inspectProfileFolder, notCheckedProfiles, type ProfileOutputCheck } from './output';

export const PROFILE_PATTERN = 'capture-%p.profraw';

/** --profile-dir DIR: created when missing; it must be a writable folder. Absolute path back. */
export function resolveProfileDir(dir: string): string {
  const absolute = path.resolve(dir);
  try {
    makeFolders(absolute);
  } catch (error) {
    throw usageError(
      `--profile-dir ${dir}: cannot create it (${(error as Error).message})`,
      'give a folder you can write to',
    );
  }
  if (!fs.statSync(absolute).isDirectory()) throw usageError(`--profile-dir ${dir} is not a folder`);
  try {
    fs.accessSync(absolute, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw usageError(`--profile-dir ${dir} is not writable`, 'give a folder you can write to');
  }
  return absolute;
}

/** mkdir -p one level at a time (node's recursive mkdirSync spins forever under /proc). */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  while (!fs.existsSync(at)) {
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) fs.mkdirSync(folder);
}

/** --llvm-profdata PATH must be an executable file (checked before LLDB starts). */
export function resolveLlvmProfdataOption(tool: string | null): string | null {
  if (tool === null) return null;
  const absolute = path.resolve(tool);
  if (!isExecutableFile(absolute))
    throw usageError(
      `--llvm-profdata ${tool} is not an executable file`,
      'give the path of an llvm-profdata, e.g. /usr/bin/llvm-profdata-19',
    );
  return absolute;
}

export interface ProfileCheckRequest {
  folder: string;
  kept: boolean;
  /** LLVM_PROFILE_FILE was set with --env: the profile is not where debug-exit put it. */
  userProfileFile: string | undefined;
  stdoutPath: string | null;
  stderrPath: string | null;
  llvmProfdata: string | null;
}

export function checkProfiles(request: ProfileCheckRequest): ProfileOutputCheck {
  if (request.userProfileFile !== undefined) {
    return notCheckedProfiles(
      path.dirname(request.userProfileFile),
      `LLVM_PROFILE_FILE was set with --env (${request.userProfileFile}); use --profile-dir DIR to have the profile checked and kept`,
    );
  }
  return inspectProfileFolder({
    folder: request.folder,
    kept: request.kept,
    outputFiles: [request.stdoutPath, request.stderrPath],
    llvmProfdata: findLlvmProfdata(request.llvmProfdata),
  });
}
