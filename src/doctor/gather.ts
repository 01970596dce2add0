/**
 * The doctor's I/O: find LLDB and ask its version, run the real script in LLDB sessions started as
 * a capture's are (doctor/check-session.ts: hello, a launch of /bin/true on Linux, the probes of a
 * program that is not run), read the
 * kernel's ptrace facts. Everything it finds goes into DoctorFacts; judging them is findings.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../cli/log';
import { SCRIPT_PATH, buildSpec, type SpecRequest } from '../session/capture';
import { withSessionDir } from '../session/life';
import { DebugExitError, isDebugExitError } from '../session/failure';
import { lldbQuote } from '../session/lldb-quote';
import { findExecutable, resolveLldb } from '../session/preflight';
import type { ProbeSpec, SessionSpec } from '../session/spec';
import {
  MARKER_PROBES,
  type CheckOutcome,
  type DoctorFacts,
  type LaunchFacts,
  type LldbFacts,
  type ProgramFacts,
  type PtraceFacts,
} from './findings';
import { linuxLibraryDirs } from './library-dirs';
import { runCheck } from './check-session';

const VERSION_TIMEOUT_MS = 15000;
/** dx-run kills the harmless program after this long (it exits at once). */
const LAUNCH_TIMEOUT_S = 10;
const YAMA_PTRACE_SCOPE = '/proc/sys/kernel/yama/ptrace_scope';
const CAP_SYS_PTRACE = 19;

export interface GatherRequest {
  /** --lldb, or null for the default LLDBs. */
  lldb: string | null;
  /** The program's absolute path (checked by resolveProgram), or null. */
  program: string | null;
  log: Logger;
  /** SIGINT/SIGTERM: LLDB is killed, the temp folder removed, and gathering stops. */
  abortSignal?: AbortSignal;
}

export async function gatherFacts(request: GatherRequest): Promise<DoctorFacts> {
  const platform = process.platform;
  const lldb = lldbFacts(request.lldb);
  const base = {
    platform,
    scriptPath: SCRIPT_PATH,
    lldb,
    programPath: request.program,
    ptrace: platform === 'linux' ? ptraceFacts() : null,
  };
  if (!lldb.found) return { ...base, script: null, launch: null, program: null };
  return withSessionDir('debug-exit-doctor-', async (dir) => {
    const run = (name: string, folder: SpecIn, mode: CheckMode, settings: string[] = []) =>
      runSpec(lldb.path, name, folder, mode, settings, request);
    // Linux: the script's first run also launches /bin/true, as a capture would (ASLR disabled).
    const harmless = platform === 'linux' ? (findExecutable('true') ?? '/bin/true') : process.execPath;
    const launches = platform === 'linux';
    const withRun: CheckMode = launches ? 'capture' : 'check';
    const script = await run('launch', launchSpec(harmless, dir, 'launch', true), withRun);
    let launch: LaunchFacts | null = null;
    if (launches && script.events.some((e) => e.kind === 'hello')) {
      const launchedOk =
        script.events.some((e) => e.kind === 'launched') && script.events.some((e) => e.kind === 'exit');
      // A capture's default disables ASLR, which Docker's seccomp profile forbids: try without.
      const aslrOn = launchedOk
        ? null
        : await run('launch-aslr-on', launchSpec(harmless, dir, 'launch-aslr-on', false), withRun);
      launch = { program: harmless, aslrOff: script, aslrOn };
    }
    const program =
      request.program === null
        ? null
        : await programFacts(request.program, platform, subdir(dir, 'program'), (folder, settings) =>
            run('program', folder, 'check', settings),
          );
    return { ...base, script, launch, program };
  });
}

function lldbFacts(requested: string | null): LldbFacts {
  let lldbPath: string;
  try {
    lldbPath = resolveLldb(requested);
  } catch (error) {
    if (!isDebugExitError(error) || error.failure.code !== 'lldb-not-found') throw error;
    return { found: false, message: error.failure.message, hint: error.failure.hint ?? '' };
  }
  const result = spawnSync(lldbPath, ['--version'], {
    encoding: 'utf8',
    timeout: VERSION_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const version =
    (result.stdout ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? null;
  if (result.error !== undefined || version === null) {
    const lines = (result.stderr ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const said = lines.filter((l) => /error/i.test(l)).pop() ?? lines.pop();
    const why = result.error?.message ?? said ?? `exit status ${result.status}`;
    return { found: true, path: lldbPath, version: null, versionError: why };
  }
  return { found: true, path: lldbPath, version };
}

function ptraceFacts(): PtraceFacts {
  const scope = readText(YAMA_PTRACE_SCOPE);
  const status = readText('/proc/self/status') ?? '';
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return {
    yamaScope: scope === null ? null : Number(scope.trim()),
    capSysPtrace: capEff !== undefined && (BigInt(`0x${capEff}`) & (1n << BigInt(CAP_SYS_PTRACE))) !== 0n,
    container: containerKind(),
    seccompFilter: /^Seccomp:\s*2/m.test(status),
  };
}

/** Cheap signs of a container; null when none shows (which does not prove there is none). */
function containerKind(): string | null {
  if (fs.existsSync('/.dockerenv')) return 'docker';
  if (fs.existsSync('/run/.containerenv')) return 'podman';
  if (process.env.container) return process.env.container;
  const cgroup = readText('/proc/1/cgroup') ?? '';
  return /kubepods/.exec(cgroup) ? 'kubernetes' : (/docker|containerd|lxc/.exec(cgroup)?.[0] ?? null);
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** A spec and the folder it lives in (its session's: the channel's socket goes there too). */
interface SpecIn {
  spec: SessionSpec;
  dir: string;
}

/** A spec for a launch test, in a folder of its own: the harmless program, no probes. */
function launchSpec(program: string, dir: string, name: string, disableAslr: boolean): SpecIn {
  const folder = subdir(dir, name);
  const spec = buildSpec(specRequest(disableAslr), program, folder);
  return { spec: { ...spec, probes: [] }, dir: folder };
}

function specRequest(disableAslr: boolean): SpecRequest {
  return { args: [], env: {}, timeoutS: LAUNCH_TIMEOUT_S, census: false, disableAslr };
}

function subdir(dir: string, name: string): string {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub);
  return sub;
}

type CheckMode = 'check' | 'capture';
type SpecRun = (folder: SpecIn, settings: string[]) => Promise<CheckOutcome>;

async function programFacts(program: string, platform: string, dir: string, run: SpecRun): Promise<ProgramFacts> {
  const spec = buildSpec(specRequest(true), program, dir);
  const markers: ProbeSpec[] = MARKER_PROBES.map((m) => ({
    role: m.role,
    symbols: [m.symbol],
    mode: 'once',
    reads_registered_function: false,
  }));
  // LLDB on Linux finds the program's libraries on disk only in target.exec-search-paths.
  const libraryDirs = platform === 'linux' ? linuxLibraryDirs() : null;
  // They come from LD_LIBRARY_PATH and /etc: a folder whose name LLDB's parser could misread is
  // left out rather than spliced into the command.
  const safeDirs = (libraryDirs ?? []).filter(isPlainPath);
  const settings = safeDirs.length === 0 ? [] : [`target.exec-search-paths ${safeDirs.map(lldbQuote).join(' ')}`];
  const setup = await run({ spec: { ...spec, probes: [...spec.probes, ...markers] }, dir }, settings);
  return { path: program, setup, libraryDirs };
}

/** No control characters, quotes, backslashes or `$`/backticks: nothing LLDB's parser treats specially. */
function isPlainPath(dir: string): boolean {
  return /^[^\u0000-\u001f\u007f"'`\\$]+$/.test(dir);
}

/** One session of the spec, in its folder; stops doctor when aborted. */
async function runSpec(
  lldb: string,
  name: string,
  { spec, dir }: SpecIn,
  mode: CheckMode,
  settings: string[],
  request: GatherRequest,
): Promise<CheckOutcome> {
  const { log, abortSignal } = request;
  const outcome = await runCheck({ lldb, scriptPath: SCRIPT_PATH, spec, dir, mode, settings, abortSignal });
  if (abortSignal?.aborted)
    throw new DebugExitError({ code: 'interrupted', message: 'doctor stopped before its checks were done' });
  log.debug(
    {
      run: name,
      mode,
      events: outcome.events.length,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      lastOutput: outcome.lastOutput,
    },
    'doctor: lldb session',
  );
  return outcome;
}
