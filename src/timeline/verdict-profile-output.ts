/**
 * The profile the run left behind (`profile_output`): was a `.profraw` written, is it empty, does
 * its header say a raw profile, and does llvm-profdata accept it; with the profile runtime's own
 * error lines. Pure: the facts come from profile/output.ts after the capture (a replayed
 * recording has none: `not-checked`).
 *
 *   valid        a non-empty profile llvm-profdata accepts
 *   not-written  no profile file for the run
 *   empty        only 0-byte files (the runtime creates the file at start-up and writes at exit)
 *   invalid      not a raw profile, or llvm-profdata rejects it
 *   not-checked  nothing to look at (replay, interactive, LLVM_PROFILE_FILE set by --env), or no
 *                llvm-profdata to check a file whose header looks right
 */
import type { ProfileFileFacts, ProfileOutputCheck } from '../profile/output';
import type { LaunchedEvent } from './events';
import type { Json } from './render/json-values';
import type { Timeline } from './timeline';
import type { ProfileOutputResult, ProfileOutputVerdict, VerdictModule } from './verdict-types';

export type { ProfileOutputResult, ProfileOutputVerdict } from './verdict-types';

export const profileOutputVerdict: VerdictModule<'profileOutput'> = {
  key: 'profileOutput',
  name: 'profile-output',
  jsonKey: 'profile_output',
  needs: [],
  judge: (timeline, _judged, options) => judgeProfileOutput(timeline, options.profileOutput),
  json: profileOutputJson,
};

function profileOutputJson(v: ProfileOutputVerdict): Json {
  const files = v.files.map((f) => ({
    path: f.path,
    size: f.size,
    magic: f.magic,
    raw_version: f.rawVersion,
    accepted: f.accepted,
    tool_message: f.toolMessage,
  }));
  return {
    name: v.name,
    result: v.result,
    folder: v.folder,
    kept: v.kept,
    files,
    runtime_messages: [...v.runtimeMessages],
    llvm_profdata: v.llvmProfdata,
    exit_status: v.exitStatus,
    reason: v.reason,
    evidence: [...v.evidence],
  };
}

export function judgeProfileOutput(timeline: Timeline, check: ProfileOutputCheck | undefined): ProfileOutputVerdict {
  const exitStatus = timeline.outcome.kind === 'exited' ? timeline.outcome.status : null;
  return { ...judge(timeline, check), exitStatus };
}

function judge(timeline: Timeline, check: ProfileOutputCheck | undefined): Omit<ProfileOutputVerdict, 'exitStatus'> {
  const exits = timeline.events.filter((e) => e.kind === 'exit').map((e) => e.seq);
  if (check === undefined) {
    return verdict(
      'not-checked',
      'not checked: no profile folder was inspected for this run (a replayed recording or an interactive session)',
      null,
      exits,
    );
  }
  if (check.notChecked !== null) return verdict('not-checked', `not checked: ${check.notChecked}`, check, exits);
  const launch = timeline.events.find((e): e is LaunchedEvent => e.kind === 'launched');
  if (launch === undefined) return verdict('not-checked', 'not checked: the program was not launched', check, exits);
  const files = check.files.filter((f) => ownedBy(f.path, launch.pid));
  const run = { ...check, files };
  const messages = quoteMessages(check.runtimeMessages);
  const where = check.kept
    ? `in ${check.folder} (kept)`
    : `in the capture's profile folder (removed after the capture; --profile-dir DIR keeps it)`;
  if (files.length === 0) {
    return verdict('not-written', `no profile file was written ${where}${messages}`, run, exits);
  }
  const written = files.filter((f) => f.size > 0);
  if (written.length === 0) {
    return verdict(
      'empty',
      `${list(files)} ${where}: the runtime created the file but wrote nothing${messages}`,
      run,
      exits,
    );
  }
  const foreign = written.filter((f) => f.magic !== 'raw-64' && f.magic !== 'raw-32');
  if (foreign.length > 0) {
    return verdict('invalid', `${list(foreign)} ${where}: no raw profile magic at the start${messages}`, run, exits);
  }
  const rejected = written.filter((f) => f.accepted === false);
  if (rejected.length > 0) {
    const why = rejected.map((f) => `${baseName(f.path)}: ${f.toolMessage ?? 'rejected'}`).join('; ');
    return verdict(
      'invalid',
      `${list(rejected)} ${where}: ${baseName(check.llvmProfdata ?? 'llvm-profdata')} rejects it (${why})${messages}`,
      run,
      exits,
    );
  }
  if (written.some((f) => f.accepted === null)) {
    const reason = `${list(written)} ${where}: the header is a raw profile, but no llvm-profdata was found to check it (--llvm-profdata PATH)${messages}`;
    return verdict('not-checked', reason, run, exits);
  }
  return verdict(
    'valid',
    `${list(written)} ${where}: ${baseName(check.llvmProfdata ?? 'llvm-profdata')} accepts it${messages}`,
    run,
    exits,
  );
}

/** The results that mean the run's profile is not usable. */
export const FAILED_PROFILE_OUTPUTS: readonly ProfileOutputResult[] = ['not-written', 'empty', 'invalid'];

/** LLVM_PROFILE_FILE is capture-%p.profraw: each run's file carries its pid. */
function ownedBy(file: string, pid: number): boolean {
  return new RegExp(`(^|[^0-9])${pid}([^0-9]|$)`).test(baseName(file));
}

function baseName(file: string): string {
  return file.split('/').pop() ?? file;
}

function list(files: readonly ProfileFileFacts[]): string {
  return files
    .map((f) => {
      const version = f.rawVersion === null ? '' : `, raw version ${f.rawVersion}`;
      return `${baseName(f.path)} (${f.size} bytes${version})`;
    })
    .join(', ');
}

function quoteMessages(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  return `; the profile runtime printed: ${messages.map((m) => JSON.stringify(m)).join(', ')}`;
}

function verdict(
  result: ProfileOutputResult,
  reason: string,
  check: ProfileOutputCheck | null,
  evidence: number[],
): Omit<ProfileOutputVerdict, 'exitStatus'> {
  return {
    name: 'profile-output',
    result,
    reason,
    evidence,
    folder: check?.folder ?? null,
    kept: check?.kept ?? false,
    files: check?.files ?? [],
    runtimeMessages: check?.runtimeMessages ?? [],
    llvmProfdata: check?.llvmProfdata ?? null,
  };
}
