/**
 * `debug-exit doctor`, the pure part: facts gathered about this machine and a program (LLDB's
 * path and version, the script's events, /proc facts, the probe-resolved events of a program that
 * was not run) in, findings out. Each finding is one check: `ok`, `warn` (a capture runs, with
 * less to see or with a flag) or `FAIL` (a capture cannot run), what was found, and what to do.
 *
 *   environmentFindings({ platform: 'linux', ptrace: { yamaScope: 3, ... }, ... })
 *     -> [..., { status: 'FAIL', check: 'ptrace', finding: 'kernel.yama.ptrace_scope is 3: ...', hint: '...' }]
 */
import { EXIT_TIME_WRITER } from '../probes/catalogue';
import {
  EVENT_SCHEMA,
  type DebugExitEvent,
  type ErrorEvent,
  type ExitEvent,
  type HelloEvent,
  type ProbeRole,
} from '../timeline/events';
import { finalResolutions, isResolved, type ProbeResolution } from '../timeline/probes';

export type Status = 'ok' | 'warn' | 'FAIL';

export interface Finding {
  status: Status;
  check: string;
  finding: string;
  /** What to do: for warn and FAIL. */
  hint?: string;
  /** LLDB's last output, when LLDB failed in a way its output explains. */
  output?: string;
}

/** What one LLDB session of doctor's gave (doctor/check-session.ts): the script's events and LLDB's last output. */
export interface CheckOutcome {
  events: DebugExitEvent[];
  /** LLDB's last lines (its terminal), ANSI stripped. */
  lastOutput: string;
  /** LLDB's exit status; null when it was killed or did not exit. */
  exitCode: number | null;
  /** LLDB did not answer in time (the session machine's lldb-hung) and was killed. */
  timedOut: boolean;
  /** LLDB could not be started at all (spawn error). */
  spawnError?: string;
}

export type LldbFacts =
  | { found: true; path: string; version: string | null; versionError?: string }
  | { found: false; message: string; hint: string };

export interface PtraceFacts {
  /** kernel.yama.ptrace_scope; null when the file is absent (no Yama). */
  yamaScope: number | null;
  capSysPtrace: boolean;
  /** `docker`, `podman`, `kubernetes`, ... when this looks like a container; null otherwise. */
  container: string | null;
  /** A seccomp filter applies to this process (Docker's default profile is one). */
  seccompFilter: boolean;
}

export interface LaunchFacts {
  /** The harmless program launched under LLDB (/bin/true). */
  program: string;
  /** The launch with ASLR disabled, as a capture does by default (--aslr off). */
  aslrOff: CheckOutcome;
  /** Tried only when the first one failed: with ASLR left on (--aslr on). */
  aslrOn: CheckOutcome | null;
}

export interface ProgramFacts {
  path: string;
  /** The dx-setup run on the program (not launched). */
  setup: CheckOutcome;
  /** Linux: where LLDB looked for the program's libraries (target.exec-search-paths). */
  libraryDirs: string[] | null;
}

export interface DoctorFacts {
  /** process.platform */
  platform: string;
  scriptPath: string;
  lldb: LldbFacts;
  /** The script's first run (import, dx-setup, and on Linux dx-run of LaunchFacts.program); null without LLDB. */
  script: CheckOutcome | null;
  /** Linux only. */
  ptrace: PtraceFacts | null;
  /** null: not tried (not Linux, or LLDB or the script failed). */
  launch: LaunchFacts | null;
  /** The program asked about (absolute), or null. */
  programPath: string | null;
  /** null: no program, or LLDB missing. */
  program: ProgramFacts | null;
}

/** One role of the catalogue in the program: its probes that resolved and those that did not. */
export interface RoleProbes {
  role: ProbeRole;
  resolved: ProbeResolution[];
  unresolved: string[];
}

export interface ProgramSection {
  path: string;
  roles: RoleProbes[];
  findings: Finding[];
  libraryDirs: string[] | null;
}

export interface DoctorReport {
  environment: Finding[];
  program: ProgramSection | null;
  notes: string[];
  failed: boolean;
}

/**
 * Probes doctor adds to the catalogue's to tell "no mimalloc" from "mimalloc without symbols":
 * `mi_version` is exported, so it resolves even in a stripped libmimalloc.so.
 */
export const MARKER_PROBES: ReadonlyArray<{ role: ProbeRole; symbol: string }> = [
  { role: 'allocator-init', symbol: 'mi_version' },
];

const TESTED_LLDB_MAJOR = 19;
const SETUP_HINT = 'install it with `npm run setup` (Debian: lldb-19), or name it with `--lldb PATH`';

export function doctorReport(facts: DoctorFacts): DoctorReport {
  const environment = environmentFindings(facts);
  const program = facts.program === null ? null : programSection(facts.program, facts.platform);
  const all = [...environment, ...(program?.findings ?? [])];
  return { environment, program, notes: notesFor(facts, program), failed: all.some((f) => f.status === 'FAIL') };
}

// ---------------------------------------------------------------------------------------------
// Environment

export function environmentFindings(facts: DoctorFacts): Finding[] {
  const findings = [lldbFinding(facts.lldb)];
  if (!facts.lldb.found || facts.script === null) return findings;
  findings.push(scriptFinding(facts.script, facts.scriptPath));
  if (facts.platform === 'linux') {
    if (facts.ptrace !== null) findings.push(ptraceFinding(facts.ptrace));
    findings.push(launchFinding(facts.launch, facts.ptrace));
  } else {
    findings.push(notCheckedHere(facts.platform));
  }
  return findings;
}

function lldbFinding(lldb: LldbFacts): Finding {
  if (!lldb.found) return { status: 'FAIL', check: 'lldb', finding: lldb.message, hint: lldb.hint };
  if (lldb.version === null) {
    const why = lldb.versionError ?? 'no output';
    return {
      status: 'FAIL',
      check: 'lldb',
      finding: `${lldb.path} --version failed: ${why}`,
      hint: `check that ${lldb.path} runs; or ${SETUP_HINT}`,
    };
  }
  const major = /^lldb version (\d+)/i.exec(lldb.version)?.[1];
  const found = `${lldb.path} (${lldb.version})`;
  if (!/lldb/i.test(lldb.version)) {
    return {
      status: 'warn',
      check: 'lldb',
      finding: `${lldb.path} --version says "${lldb.version}": is it LLDB?`,
      hint: `name an LLDB with \`--lldb PATH\`, or ${SETUP_HINT}`,
    };
  }
  if (major !== undefined && Number(major) !== TESTED_LLDB_MAJOR) {
    return {
      status: 'warn',
      check: 'lldb',
      finding: `${found}: debug-exit is tested with LLDB ${TESTED_LLDB_MAJOR}`,
      hint: `if a capture misbehaves, ${SETUP_HINT}`,
    };
  }
  return { status: 'ok', check: 'lldb', finding: found };
}

function hello(outcome: CheckOutcome): HelloEvent | undefined {
  return outcome.events.find((e): e is HelloEvent => e.kind === 'hello');
}

/** Why a session said nothing useful: LLDB did not start, hung, or stopped at an error. */
function sessionTrouble(outcome: CheckOutcome): string {
  if (outcome.spawnError !== undefined) return `LLDB did not start: ${outcome.spawnError}`;
  if (outcome.timedOut) return 'LLDB did not finish in time and was killed';
  const said = outcome.lastOutput
    .split('\n')
    .filter((l) => /error/i.test(l))
    .pop();
  return said !== undefined ? `LLDB said: ${said.trim()}` : `LLDB exited with status ${outcome.exitCode}`;
}

function scriptFinding(outcome: CheckOutcome, scriptPath: string): Finding {
  const said = hello(outcome);
  if (said === undefined) {
    return {
      status: 'FAIL',
      check: 'python',
      finding: `the debug-exit script did not load in LLDB (${scriptPath}): ${sessionTrouble(outcome)}`,
      hint: "LLDB needs its Python scripting: on Debian `apt install python3-lldb-19` (lldb-19 depends on it); `lldb --batch -o 'script print(1)'` must print 1",
      output: outcome.lastOutput,
    };
  }
  if (said.schema !== EVENT_SCHEMA) {
    return {
      status: 'FAIL',
      check: 'python',
      finding: `${scriptPath} speaks ${said.schema}, this debug-exit reads ${EVENT_SCHEMA}`,
      hint: 'the script and the tool come from different versions: reinstall debug-exit',
    };
  }
  return {
    status: 'ok',
    check: 'python',
    finding: `LLDB's Python runs the debug-exit script (${said.schema}, ${said.lldb_version}, platform ${said.platform}) from ${scriptPath}`,
  };
}

/** `; in a container (docker), under a seccomp filter`, or nothing. */
function confinement(ptrace: PtraceFacts): string {
  const parts = [
    ptrace.container === null ? '' : `in a container (${ptrace.container})`,
    ptrace.seccompFilter ? 'under a seccomp filter' : '',
  ];
  const said = parts.filter((p) => p !== '').join(', ');
  return said === '' ? '' : `; ${said}`;
}

function ptraceFinding(ptrace: PtraceFacts): Finding {
  const where = confinement(ptrace);
  const scope = ptrace.yamaScope;
  if (scope === null)
    return {
      status: 'ok',
      check: 'ptrace',
      finding: `no Yama ptrace restriction (no /proc/sys/kernel/yama/ptrace_scope)${where}`,
    };
  if (scope === 0 || scope === 1) {
    const what =
      scope === 0
        ? 'any process of the same user may be traced'
        : 'a debugger may trace its own children, which is how a capture runs the program';
    return { status: 'ok', check: 'ptrace', finding: `kernel.yama.ptrace_scope is ${scope}: ${what}${where}` };
  }
  if (scope === 2) {
    const finding = `kernel.yama.ptrace_scope is 2: only a process with CAP_SYS_PTRACE may trace`;
    if (ptrace.capSysPtrace)
      return { status: 'ok', check: 'ptrace', finding: `${finding}, and this one has it${where}` };
    return {
      status: 'FAIL',
      check: 'ptrace',
      finding: `${finding}, and this one does not${where}`,
      hint: 'run as root, or `sudo sysctl kernel.yama.ptrace_scope=1`',
    };
  }
  return {
    status: 'FAIL',
    check: 'ptrace',
    finding: `kernel.yama.ptrace_scope is ${scope}: no process may be traced${where}`,
    hint: 'the setting cannot be lowered until the next boot: reboot, and do not set 3 at boot (sysctl.d)',
  };
}

function containerHint(ptrace: PtraceFacts | null): string {
  if (ptrace === null || (ptrace.container === null && !ptrace.seccompFilter)) return '';
  return `; in a container, give it ptrace: \`docker run --cap-add=SYS_PTRACE --security-opt seccomp=unconfined\``;
}

function launchFinding(launch: LaunchFacts | null, ptrace: PtraceFacts | null): Finding {
  if (launch === null)
    return { status: 'warn', check: 'launch', finding: 'not tried: the checks above failed', hint: 'fix them first' };
  const off = launchResult(launch.aslrOff);
  if (off.ok)
    return {
      status: 'ok',
      check: 'launch',
      finding: `LLDB launched ${launch.program} with ASLR disabled (a capture's default) and followed it to ${off.detail}`,
    };
  const on = launch.aslrOn === null ? null : launchResult(launch.aslrOn);
  if (on?.ok) {
    return {
      status: 'warn',
      check: 'launch',
      finding: `LLDB cannot launch with ASLR disabled here (${off.detail}); with ASLR on it launched ${launch.program} and followed it to ${on.detail}`,
      hint: 'capture with `--aslr on` (the default `--aslr off` fails here); or allow personality(ADDR_NO_RANDOMIZE): Docker blocks it unless run with `--security-opt seccomp=unconfined`',
    };
  }
  return {
    status: 'FAIL',
    check: 'launch',
    finding: `LLDB could not launch and trace ${launch.program}: ${on?.detail ?? off.detail}`,
    hint: `a debugger must be allowed to trace its child (ptrace)${containerHint(ptrace)}`,
    output: (launch.aslrOn ?? launch.aslrOff).lastOutput,
  };
}

function launchResult(outcome: CheckOutcome): { ok: boolean; detail: string } {
  const failed = outcome.events.find((e) => e.kind === 'error');
  const exit = outcome.events.find((e): e is ExitEvent => e.kind === 'exit');
  const launched = outcome.events.some((e) => e.kind === 'launched');
  if (launched && exit !== undefined) return { ok: true, detail: exitText(exit) };
  if (failed !== undefined && failed.kind === 'error') return { ok: false, detail: failed.message };
  return { ok: false, detail: sessionTrouble(outcome) };
}

function exitText(exit: ExitEvent): string {
  if (exit.signal !== undefined) return `its end (${exit.description ?? `signal ${exit.signal}`})`;
  return `its exit (status ${exit.status})`;
}

function notCheckedHere(platform: string): Finding {
  if (platform === 'darwin') {
    return {
      status: 'warn',
      check: 'launch',
      finding:
        'not checked on macOS: whether LLDB may launch and trace a program (Developer Mode, DevToolsSecurity, ' +
        'code signing; system binaries are protected by SIP) shows only when a capture launches it',
      hint: 'run a capture on the program; if LLDB cannot launch it, `sudo DevToolsSecurity -enable` and check `DevToolsSecurity -status`',
    };
  }
  return {
    status: 'warn',
    check: 'launch',
    finding: `not checked on ${platform}: debug-exit knows how to check Linux only`,
    hint: 'run a capture to find out',
  };
}

// ---------------------------------------------------------------------------------------------
// Program

const isMarker = (r: { role: ProbeRole; symbol: string }) =>
  MARKER_PROBES.some((m) => m.role === r.role && m.symbol === r.symbol);

export function programSection(program: ProgramFacts, platform: string): ProgramSection {
  const setup = program.setup;
  const base = { path: program.path, libraryDirs: program.libraryDirs };
  const error = setup.events.find((e): e is ErrorEvent => e.kind === 'error');
  if (error !== undefined && error.code === 'target-failed') {
    const finding: Finding = {
      status: 'FAIL',
      check: 'program',
      finding: `LLDB cannot load ${program.path}: ${error.message}`,
      hint: 'give doctor the executable a capture would run (a binary for this machine, not a script)',
    };
    return { ...base, roles: [], findings: [finding] };
  }
  if (error !== undefined) {
    const finding: Finding = {
      status: 'FAIL',
      check: 'program',
      finding: `the debug-exit script failed on ${program.path}: ${error.message}`,
      hint: 'this is a bug of debug-exit: report it with this output',
      output: setup.lastOutput,
    };
    return { ...base, roles: [], findings: [finding] };
  }
  if (hello(setup) === undefined) {
    const finding: Finding = {
      status: 'FAIL',
      check: 'program',
      finding: `not checked: the debug-exit script did not load in LLDB (${sessionTrouble(setup)})`,
      hint: 'see the python check above',
    };
    return { ...base, roles: [], findings: [finding] };
  }
  if (!setup.events.some((e) => e.kind === 'probe-resolved')) {
    const finding: Finding = {
      status: 'FAIL',
      check: 'program',
      finding: `LLDB did not report the probes of ${program.path}: ${sessionTrouble(setup)}`,
      hint: 'see the checks above; if they pass, run doctor again with `--log-level debug`',
      output: setup.lastOutput,
    };
    return { ...base, roles: [], findings: [finding] };
  }
  const resolutions = finalResolutions(setup.events);
  const probes = resolutions.filter((r) => !isMarker(r));
  const markers = resolutions.filter(isMarker);
  return { ...base, roles: byRole(probes), findings: programFindings(program.path, probes, markers, platform) };
}

export function byRole(probes: readonly ProbeResolution[]): RoleProbes[] {
  const roles: RoleProbes[] = [];
  for (const probe of probes) {
    let entry = roles.find((r) => r.role === probe.role);
    if (entry === undefined) roles.push((entry = { role: probe.role, resolved: [], unresolved: [] }));
    if (isResolved(probe)) entry.resolved.push(probe);
    else if (!entry.unresolved.includes(probe.symbol)) entry.unresolved.push(probe.symbol);
  }
  return roles;
}

function programFindings(
  path: string,
  probes: readonly ProbeResolution[],
  markers: readonly ProbeResolution[],
  platform: string,
): Finding[] {
  const name = path.split('/').pop() ?? path;
  const resolved = (role: ProbeRole) => probes.filter((p) => p.role === role && isResolved(p));
  const symbolsFound = resolved('main').length > 0;
  return [
    symbolsFinding(name, symbolsFound),
    writerFinding(name, resolved('profile-write'), symbolsFound),
    allocatorFinding(
      name,
      resolved('allocator-teardown'),
      markers.filter(isResolved),
      symbolsFound,
      resolved('profile-write').length > 0,
    ),
    exitFinding(resolved('process-exit'), platform),
    atexitFinding(resolved('atexit-register')),
  ];
}

/**
 * A role's resolved probes by module, in order: `libc.so.6: exit, _exit`; a symbol with more
 * locations than modules says how many (`_mi_heap_destroy_all (2 locations)`).
 */
export function resolvedByModule(resolved: readonly ProbeResolution[]): Array<{ module: string; symbols: string[] }> {
  const groups: Array<{ module: string; symbols: string[] }> = [];
  for (const probe of resolved) {
    const label =
      probe.locations > Math.max(1, probe.modules.length)
        ? `${probe.symbol} (${probe.locations} locations)`
        : probe.symbol;
    for (const module of probe.modules.length > 0 ? probe.modules : ['?']) {
      let group = groups.find((g) => g.module === module);
      if (group === undefined) groups.push((group = { module, symbols: [] }));
      group.symbols.push(label);
    }
  }
  return groups;
}

function modulesOf(probes: readonly ProbeResolution[]): string {
  return [...new Set(probes.flatMap((p) => p.modules))].join(', ');
}

function symbolsOf(probes: readonly ProbeResolution[]): string {
  return probes.map((p) => p.symbol).join(', ');
}

function symbolsFinding(name: string, found: boolean): Finding {
  if (found) return { status: 'ok', check: 'symbols', finding: `${name} has a symbol table (main resolves)` };
  return {
    status: 'warn',
    check: 'symbols',
    finding: `${name} has no symbols (main does not resolve: stripped?): probes inside it cannot resolve, only those in the libraries it loads`,
    hint: 'capture a build that is not stripped (strip after the capture, or keep an unstripped copy; cargo: `strip = false`)',
  };
}

function writerFinding(name: string, writers: readonly ProbeResolution[], symbolsFound: boolean): Finding {
  if (writers.some((p) => p.symbol === EXIT_TIME_WRITER)) {
    const exitTime = writers.filter((p) => p.symbol === EXIT_TIME_WRITER);
    return {
      status: 'ok',
      check: 'profile-write',
      finding: `the profile writer resolves: ${EXIT_TIME_WRITER}, the exit-time write, in ${modulesOf(exitTime)}`,
    };
  }
  if (writers.length > 0) {
    return {
      status: 'warn',
      check: 'profile-write',
      finding: `${symbolsOf(writers)} resolve in ${modulesOf(writers)}, but not ${EXIT_TIME_WRITER}, the exit-time writer: an exit-time write shows only as ${symbolsOf(writers)}`,
      hint: 'check that the profile runtime is linked whole and not stripped',
    };
  }
  if (!symbolsFound) {
    return {
      status: 'warn',
      check: 'profile-write',
      finding: `no profile-write probe resolves: ${name} has no symbols, so whether it is instrumented with -fprofile-generate cannot be told (the allocator-cleanup-first verdict will stay inconclusive)`,
      hint: 'capture an unstripped build',
    };
  }
  return {
    status: 'warn',
    check: 'profile-write',
    finding: `no profile-write probe resolves: ${name} is not instrumented with -fprofile-generate (the allocator-cleanup-first verdict will stay inconclusive)`,
    hint: 'capture the PGO-instrumented build (clang -fprofile-generate; cargo pgo build)',
  };
}

function allocatorFinding(
  name: string,
  teardown: readonly ProbeResolution[],
  mimalloc: readonly ProbeResolution[],
  symbolsFound: boolean,
  writerFound: boolean,
): Finding {
  if (teardown.length > 0) {
    const order = writerFound
      ? 'the order of the teardown and the profile write can be known'
      : 'the teardown will be seen (the profile writer will not: see profile-write)';
    return {
      status: 'ok',
      check: 'allocator',
      finding: `allocator probes resolve in ${modulesOf(teardown)} (${symbolsOf(teardown)}): ${order}`,
    };
  }
  const unknowable = 'the order against a teardown cannot be known';
  if (mimalloc.length > 0) {
    return {
      status: 'warn',
      check: 'allocator',
      finding: `mimalloc is in ${modulesOf(mimalloc)} (mi_version resolves) but none of its teardown does: it has no internal symbols (like Debian's libmimalloc.so, which is stripped): ${unknowable}`,
      hint: 'link a mimalloc built with symbols (`npm run setup` builds one into ~/.cache/debug-exit/mimalloc), or install its debug symbols',
    };
  }
  const why = symbolsFound
    ? "no mimalloc, or mimalloc without symbols (Debian's libmimalloc.so is stripped)"
    : `no mimalloc in the libraries LLDB found, and ${name} has no symbols`;
  return {
    status: 'warn',
    check: 'allocator',
    finding: `no allocator probe resolves: ${why}: ${unknowable}`,
    hint: 'with mimalloc, link one built with symbols; with another allocator, name its teardown: `--probe allocator-teardown=SYMBOL`',
  };
}

function exitFinding(exits: readonly ProbeResolution[], platform: string): Finding {
  const exit = exits.filter((p) => p.symbol === 'exit');
  if (exit.length > 0)
    return {
      status: 'ok',
      check: 'exit',
      finding: `exit resolves in ${modulesOf(exit)}: the start of the exit is seen`,
    };
  const where =
    platform === 'linux'
      ? 'LLDB did not find the C library on the library search path'
      : 'the C library was not loaded';
  return {
    status: 'warn',
    check: 'exit',
    finding: `exit does not resolve before launch (${where}): it resolves when the C library loads at run time, unless the program is static and stripped`,
    hint: 'nothing to do for a dynamically linked program; a capture shows whether exit is seen',
  };
}

function atexitFinding(registrations: readonly ProbeResolution[]): Finding {
  if (registrations.length > 0) {
    const where = registrations.map((p) => `${p.symbol} in ${p.modules.join(', ')}`).join(', ');
    return {
      status: 'ok',
      check: 'atexit',
      finding: `registrations of exit handlers can be seen (${where}): the order of registration (the reverse of the order they run in) can be shown`,
    };
  }
  return {
    status: 'warn',
    check: 'atexit',
    finding:
      'atexit and __cxa_atexit do not resolve before launch: which handler was registered first may not be shown',
    hint: 'nothing to do if the C library loads at run time (they resolve then); a capture with --census shows every registration',
  };
}

function notesFor(facts: DoctorFacts, program: ProgramSection | null): string[] {
  if (facts.programPath !== null && facts.program === null)
    return [`the probes of ${facts.programPath} are not checked: that needs LLDB`];
  if (facts.program === null || program === null || program.roles.length === 0) return [];
  const notes = [
    'probes are resolved without running the program: libraries it opens with dlopen are not seen, and resolve only in a capture',
  ];
  if (facts.platform === 'linux' && facts.program.libraryDirs !== null) {
    notes.push(
      "the program's libraries are looked up like the dynamic loader would, without its RUNPATH: a library found only through RUNPATH is not seen here",
    );
  }
  return notes;
}
