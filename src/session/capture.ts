/**
 * One capture, end to end: check the inputs, prepare a fresh temp folder (spec, profile file,
 * the program's output), drive LLDB with the session machine, and hand back what was captured.
 * Interpreting it (timeline, verdicts) is timeline/'s job.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createActor, toPromise } from 'xstate';
import { probesFor, type ExtraProbe, type Platform } from '../probes/catalogue';
import type { Token } from '../protocol/output-scanner';
import { recordingHeader } from '../recording/header';
import { PtyTransport } from '../transport/pty-transport';
import { RecordingTransport } from '../transport/recorder';
import type { Transport } from '../transport/transport';
import { sessionMachine, type SessionOutput } from './machine';
import { resolveLldb, resolveProgram } from './preflight';
import { SPEC_SCHEMA, toProbeSpecs, type SessionSpec } from './spec';
import type { DebugExitEvent, ExperimentName } from '../timeline/events';
import { checkProfiles, PROFILE_PATTERN, resolveLlvmProfdataOption, resolveProfileDir } from '../profile/capture-profiles';
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
  /** --profile-dir: the profiles go (and stay) there instead of the capture's temp folder. */
  profileDir?: string | null;
  /** --llvm-profdata: the tool that checks the profile written; found on PATH when null. */
  llvmProfdata?: string | null;
}

export type ProgramOutput = 'files' | 'terminal';

export interface CaptureResult {
  spec: SessionSpec;
  lldbPath: string;
  /** The fresh LLVM_PROFILE_FILE given to the program. */
  profileFile: string;
  session: SessionOutput;
  /** The recording written, if any. */
  recording: string | null;
  /** What the program left in its profile folder (profile_output). */
  profileOutput: ProfileOutputCheck;
}

export function platformOf(): Platform {
  return process.platform === 'darwin' ? 'darwin' : 'linux';
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

export function promptFor(nonce: string): string {
  return `(dx-${nonce}) `;
}

/**
 * LLDB's command line. LLDB echoes each -O command after its current prompt; the prompt's spaces
 * are written as \x20 so the echo of `settings set prompt` does not itself contain the prompt.
 */
export function lldbArgs(prompt: string): string[] {
  const escaped = prompt.replace(/ /g, '\\x20');
  const settings = ['auto-confirm true', 'show-progress false', 'use-color false', `prompt "${escaped}"`];
  return ['--no-lldbinit', '--no-use-colors', ...settings.flatMap((s) => ['-O', `settings set ${s}`])];
}

export async function capture(request: CaptureRequest): Promise<CaptureResult> {
  const program = resolveProgram(request.program);
  const lldbPath = resolveLldb(request.lldb);
  const profileDir = request.profileDir ? resolveProfileDir(request.profileDir) : null;
  const llvmProfdata = resolveLlvmProfdataOption(request.llvmProfdata ?? null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'debug-exit-'));
  try {
    const spec = buildSpec({ ...request, profileDir }, program, dir);
    const specPath = path.join(dir, 'spec.json');
    fs.writeFileSync(specPath, JSON.stringify(spec, null, 2));
    const session = await runSession(request, spec, specPath, lldbPath);
    killOrphanedInferiors(session.events);
    const profileOutput = checkProfiles({
      folder: path.dirname(spec.env.LLVM_PROFILE_FILE), kept: profileDir !== null, userProfileFile: request.env.LLVM_PROFILE_FILE,
      stdoutPath: spec.stdout_path, stderrPath: spec.stderr_path, llvmProfdata,
    });
    if (request.recordTo !== null) appendProfileCheck(request.recordTo, profileOutput);
    return { spec, lldbPath, profileFile: spec.env.LLVM_PROFILE_FILE, session, recording: request.recordTo, profileOutput };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function buildSpec(request: CaptureRequest, program: string, dir: string): SessionSpec {
  const profileFolder = request.profileDir ?? path.join(dir, 'profile');
  if (!request.profileDir) fs.mkdirSync(profileFolder);
  const toTerminal = request.programOutput === 'terminal';
  return {
    schema: SPEC_SCHEMA,
    nonce: newNonce(),
    program,
    args: request.args,
    // A fresh profile file: a stale or incompatible one makes the writer skip (DESIGN.md section 7).
    env: { LLVM_PROFILE_FILE: path.join(profileFolder, PROFILE_PATTERN), ...request.env },
    stdout_path: toTerminal ? null : path.join(dir, 'program.stdout'),
    stderr_path: toTerminal ? null : path.join(dir, 'program.stderr'),
    timeout_s: request.timeoutS,
    disable_aslr: request.disableAslr,
    experiment: request.experiment ?? null,
    probes: toProbeSpecs(probesFor(platformOf(), request.census, request.extraProbes)),
    backtrace_depth: 16,
  };
}

async function runSession(request: CaptureRequest, spec: SessionSpec, specPath: string, lldbPath: string): Promise<SessionOutput> {
  const prompt = promptFor(spec.nonce);
  const args = lldbArgs(prompt);
  const openTransport = (): Transport => {
    const pty = new PtyTransport({ file: lldbPath, args, env: lldbEnv(), cols: PTY_COLS, rows: PTY_ROWS });
    if (request.recordTo === null) return pty;
    const header = recordingHeader({
      spec, prompt, lldbPath, lldbArgs: args, census: request.census, userEnv: request.env,
      mode: 'capture', width: PTY_COLS, height: PTY_ROWS,
    });
    return new RecordingTransport(pty, request.recordTo, header);
  };
  const actor = createActor(sessionMachine, {
    input: {
      openTransport,
      nonce: spec.nonce,
      prompt,
      scriptPath: SCRIPT_PATH,
      specPath,
      runTimeoutMs: request.timeoutS * 1000 + RUN_GRACE_MS,
      onToken: request.onToken,
      repeat: request.repeat,
    },
  });
  const onAbort = () => actor.send({ type: 'ABORT' });
  request.abortSignal?.addEventListener('abort', onAbort, { once: true });
  actor.subscribe((snapshot) => request.onPhase?.(String(snapshot.value)));
  actor.start();
  try {
    return await toPromise(actor);
  } finally {
    request.abortSignal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A traced process outlives its tracer: when LLDB died or the capture was stopped before the
 * program's exit was seen, the program is killed here so that nothing is left running.
 */
export function killOrphanedInferiors(events: readonly DebugExitEvent[]): void {
  // Each launch is followed by its exit, if LLDB saw it: a launch still open is an orphan.
  let open: number | null = null;
  for (const event of events) {
    if (event.kind === 'launched') open = event.pid;
    if (event.kind === 'exit') open = null;
  }
  if (open === null) return;
  try {
    process.kill(open, 'SIGKILL');
  } catch {
    // ESRCH: it is gone already.
  }
}

/** LLDB's own environment: the user's, with a plain terminal type (no colour negotiation). */
export function lldbEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.TERM = 'xterm-256color';
  // `command script import` would otherwise write __pycache__ into the package.
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}
