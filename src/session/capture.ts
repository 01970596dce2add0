/**
 * One capture, end to end: check the inputs, prepare a fresh temp folder (spec, profile file,
 * the program's output), drive LLDB with the session machine, and hand back what was captured.
 * Interpreting it (timeline, verdicts) is timeline/'s job.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { probesFor, type ExtraProbe, type Platform } from '../probes/catalogue';
import type { Token } from '../protocol/output-scanner';
import { amendRecordingHeader, RecordingTransport } from '../transport/recorder';
import type { Transport } from '../transport/transport';
import { sessionTempDir } from './channel';
import { killLeftovers } from './leftovers';
import { launchLldb, lldbEnv } from './launch';
import { cacheSettings, openLldbCache } from './lldb-cache';
import type { SessionOutput } from './machine';
import { resolveLldb, resolveProgram } from './preflight';
import { SPEC_SCHEMA, toProbeSpecs, type CensusMode, type SessionSpec } from './spec';
import type { ExperimentName } from '../timeline/events';
import {
  checkProfiles,
  PROFILE_PATTERN,
  resolveLlvmProfdataOption,
  resolveProfileDir,
} from '../profile/capture-profiles';
import type { ProfileOutputCheck } from '../profile/output';
import { appendProfileCheck } from '../profile/recorded';

export const SCRIPT_PATH = path.resolve(__dirname, '../../../lldb-scripts/debug_exit.py');
const PTY_COLS = 200;
const PTY_ROWS = 50;
/** Time LLDB gets beyond the program's --timeout to kill it and report. */
const RUN_GRACE_MS = 30000;

export interface CaptureRequest {
  program: string;
  args: string[];
  env: Record<string, string>;
  timeoutS: number;
  lldb: string | null;
  census: boolean;
  /** With census: `list` (default) reads the C library's list once at exit(); `stops` stops at each call. */
  censusMode?: CensusMode;
  /** --probe ROLE=SYMBOL: added to the catalogue's probes. */
  extraProbes?: readonly ExtraProbe[];
  disableAslr: boolean;
  /** --experiment: what dx-run tries inside the target at each run (null: nothing). */
  experiment?: ExperimentName | null;
  /** `files`: the program's stdout/stderr go to files of the capture; `terminal`: through LLDB's pty. */
  programOutput?: ProgramOutput;
  onToken?: (token: Token) => void;
  onPhase?: (phase: string) => void;
  /** Lets the caller stop the capture (SIGINT/SIGTERM): the partial timeline is kept. */
  abortSignal?: AbortSignal;
  /** Run the program this many times in one LLDB session (--repeat); default 1. */
  repeat?: number;
  /** Write an asciicast recording of the session here (null: no recording). */
  recordTo: string | null;
  /** The recording, already opened by the CLI (checked before LLDB starts). */
  recordFd?: number;
  /** --record-env: the recording keeps the --env values (default: `<redacted>`). */
  recordEnv?: boolean;
  /** --profile-dir: the profiles go (and stay) there instead of the capture's temp folder. */
  profileDir?: string | null;
  /** --llvm-profdata: the tool that checks the profile written; found on PATH when null. */
  llvmProfdata?: string | null;
}

export type ProgramOutput = 'files' | 'terminal';

/**
 * What the session spec is built from: a capture's request, the interactive session's (no time
 * limit: the person decides when the program ends) and doctor's checks.
 */
export interface SpecRequest
  extends Pick<
    CaptureRequest,
    | 'args'
    | 'env'
    | 'census'
    | 'censusMode'
    | 'extraProbes'
    | 'disableAslr'
    | 'experiment'
    | 'programOutput'
    | 'profileDir'
  > {
  /** The run's time limit; null: none. */
  timeoutS: number | null;
}

export interface CaptureResult {
  spec: SessionSpec;
  lldbPath: string;
  /** The fresh LLVM_PROFILE_FILE given to the program. */
  profileFile: string;
  session: SessionOutput;
  /** The recording written, if any. */
  recording: string | null;
  /** Processes of the program's group still running at the end, killed (pid list). */
  leftRunning: number[];
  /** SHA-256 of the program file (hashed while LLDB runs); null when it could not be read. */
  programSha256: string | null;
  /** What the program left in its profile folder (profile_output). */
  profileOutput: ProfileOutputCheck;
}

/** The program's SHA-256, streamed (memory stays flat for a large binary); null on a read error. */
export function hashFile(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', () => resolve(null));
  });
}

export function platformOf(): Platform {
  return process.platform === 'darwin' ? 'darwin' : 'linux';
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

/**
 * One capture in its own 0700 temp folder (the profile file, the program's output). The spec
 * goes to the script over the channel, never to a file; the folder is removed at the end, or by
 * the script's watchdog if debug-exit itself is killed.
 */
/**
 * A capture's extra LLDB settings. symbols.load-on-demand: LLDB indexes a module's debug info only
 * when something needs it (a breakpoint's symbol, a frame); the probes resolve by symbol table, and
 * every event of every fixture is the same with it (measured: bench, item 1). Not for the
 * interactive session, where the person may ask for anything.
 */
export const CAPTURE_SETTINGS: readonly string[] = ['symbols.load-on-demand true'];

export async function capture(request: CaptureRequest): Promise<CaptureResult> {
  const program = resolveProgram(request.program);
  const lldbPath = resolveLldb(request.lldb);
  const profileDir = request.profileDir ? resolveProfileDir(request.profileDir) : null;
  const llvmProfdata = resolveLlvmProfdataOption(request.llvmProfdata ?? null);
  const dir = sessionTempDir('debug-exit-');
  try {
    const spec = buildSpec({ ...request, profileDir }, program, dir);
    const hashing = hashFile(program);
    const session = await runSession(request, spec, dir, lldbPath);
    const leftRunning = killLeftovers(session.events);
    const programSha256 = await hashing;
    const profileOutput = checkProfiles({
      folder: path.dirname(spec.env.LLVM_PROFILE_FILE),
      kept: profileDir !== null,
      userProfileFile: request.env.LLVM_PROFILE_FILE,
      stdoutPath: spec.stdout_path,
      stderrPath: spec.stderr_path,
      llvmProfdata,
    });
    if (request.recordTo !== null) appendProfileCheck(request.recordTo, profileOutput);
    if (request.recordTo !== null && programSha256 !== null && fs.existsSync(request.recordTo)) {
      amendRecordingHeader(request.recordTo, { program_sha256: programSha256 });
    }
    return {
      spec,
      lldbPath,
      profileFile: spec.env.LLVM_PROFILE_FILE,
      session,
      recording: request.recordTo,
      leftRunning,
      programSha256,
      profileOutput,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function buildSpec(request: SpecRequest, program: string, dir: string): SessionSpec {
  const profileFolder = request.profileDir ?? path.join(dir, 'profile');
  if (!request.profileDir) fs.mkdirSync(profileFolder, { mode: 0o700 });
  const toTerminal = request.programOutput === 'terminal';
  // Created here, mode 0600: LLDB opens them as they are (the folder itself is 0700).
  if (!toTerminal)
    for (const name of ['program.stdout', 'program.stderr'])
      fs.writeFileSync(path.join(dir, name), '', { mode: 0o600 });
  return {
    schema: SPEC_SCHEMA,
    nonce: newNonce(),
    program,
    args: request.args,
    // A fresh profile file: a stale or incompatible one makes the writer skip
    // (docs/ARCHITECTURE.md, "Reproducibility traps").
    env: { LLVM_PROFILE_FILE: path.join(profileFolder, PROFILE_PATTERN), ...request.env },
    stdout_path: toTerminal ? null : path.join(dir, 'program.stdout'),
    stderr_path: toTerminal ? null : path.join(dir, 'program.stderr'),
    timeout_s: request.timeoutS,
    disable_aslr: request.disableAslr,
    experiment: request.experiment ?? null,
    probes: toProbeSpecs(
      probesFor(platformOf(), request.census && request.censusMode === 'stops', request.extraProbes),
    ),
    backtrace_depth: 16,
    census: request.census ? (request.censusMode ?? 'list') : null,
  };
}

async function runSession(
  request: CaptureRequest,
  spec: SessionSpec,
  dir: string,
  lldbPath: string,
): Promise<SessionOutput> {
  const record =
    request.recordTo === null
      ? null
      : {
          to: request.recordTo,
          fd: request.recordFd,
          census: request.census,
          userEnv: request.env,
          recordEnv: request.recordEnv,
          mode: 'capture' as const,
        };
  let recorder: RecordingTransport | null = null;
  const cache = openLldbCache();
  const openTransport = (): Transport => {
    const { transport } = launchLldb({
      lldbPath,
      scriptPath: SCRIPT_PATH,
      spec,
      dir,
      cols: PTY_COLS,
      rows: PTY_ROWS,
      env: lldbEnv(cache),
      record,
      // LLDB's index cache (session/lldb-cache.ts): the same reports, without indexing libc each time.
      settings: [...CAPTURE_SETTINGS, ...cacheSettings(cache)],
    });
    if (transport instanceof RecordingTransport) recorder = transport;
    return transport;
  };
  // LLDB starts first; the machine and xstate load while it does (a microtask later: no event
  // of the transport can be dispatched before the machine listens).
  const transport = openTransport();
  let runMachine: typeof import('./life').runMachine;
  try {
    ({ runMachine } = await import('./life'));
  } catch (error) {
    transport.dispose();
    throw error;
  }
  return runMachine({
    input: {
      openTransport: () => transport,
      nonce: spec.nonce,
      runTimeoutMs: request.timeoutS * 1000 + RUN_GRACE_MS,
      onToken: (token) => {
        // LLDB's version for the recording header comes with the script's hello: no `lldb --version`.
        if (token.type === 'event' && token.event.kind === 'hello') recorder?.setLldbVersion(token.event.lldb_version);
        request.onToken?.(token);
      },
      repeat: request.repeat,
      // The sync marker is read once the last run is done: LLDB's teardown is not waited for.
      releaseOnQuit: true,
    },
    abortSignal: request.abortSignal,
    onPhase: request.onPhase,
  });
}

/** LLDB's own environment (session/launch.ts), kept here for the callers that import it from capture. */
export { lldbEnv } from './launch';
