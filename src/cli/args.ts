/**
 * Command-line parsing: pure, no I/O. `debug-exit capture [options] -- PROGRAM [ARGS]`.
 * Every mistake becomes a usage error that says what was wrong and what is accepted.
 */
import { usageError } from '../session/failure';
import type { ExtraProbe } from '../probes/catalogue';
import { PROBE_ROLES, type ExperimentName, type ProbeRole } from '../timeline/events';

export type OutputFormat = 'text' | 'json' | 'markdown' | 'mermaid' | 'chrome' | 'html';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown', 'mermaid', 'chrome', 'html'];
export type Expectation = 'confirmed' | 'refuted';

export interface CaptureArgs {
  command: 'capture';
  format: OutputFormat;
  outputs: Array<{ format: OutputFormat; path: string }>;
  timeoutS: number;
  lldb: string | null;
  env: Record<string, string>;
  census: boolean;
  probes: ExtraProbe[];
  expect: Expectation | null;
  aslr: 'on' | 'off';
  experiment: ExperimentName | null;
  logLevel: string;
  quiet: boolean;
  programOutput: 'files' | 'terminal';
  repeat: number;
  /** Append the Markdown report to $GITHUB_STEP_SUMMARY (--summary). */
  summary: boolean;
  /** Where to record: an explicit --record PATH, the default path (undefined), or off (--no-record). */
  record: string | null | undefined;
  program: string;
  programArgs: string[];
}

export interface ReplayArgs {
  command: 'replay';
  recording: string;
  format: OutputFormat;
  outputs: Array<{ format: OutputFormat; path: string }>;
  play: boolean;
  speed: number;
  logLevel: string;
}

export interface DemoArgs {
  command: 'demo';
  format: OutputFormat;
  lldb: string | null;
  logLevel: string;
}

export interface InteractiveArgs {
  command: 'interactive';
  lldb: string | null;
  env: Record<string, string>;
  census: boolean;
  probes: ExtraProbe[];
  aslr: 'on' | 'off';
  logLevel: string;
  record: string | null | undefined;
  program: string;
  programArgs: string[];
}

export interface DoctorArgs {
  command: 'doctor';
  lldb: string | null;
  format: 'text' | 'json';
  logLevel: string;
  /** The program whose probes to resolve (not run), or null for the environment checks only. */
  program: string | null;
}

export interface HelpArgs {
  command: 'help';
}

export type CliArgs = CaptureArgs | DemoArgs | ReplayArgs | InteractiveArgs | DoctorArgs | HelpArgs;

export const DEFAULT_TIMEOUT_S = 60;

export const USAGE = `usage:
  debug-exit [interactive] [options] -- PROGRAM [ARGS...]
                                                      LLDB at your prompt with the probes in place
  debug-exit capture [options] -- PROGRAM [ARGS...]   capture the exit of PROGRAM under LLDB
  debug-exit replay RECORDING [options]               rebuild the report from a recording, no LLDB
  debug-exit demo [--format text|json] [--lldb PATH]  build the bundled fixtures, capture each
  debug-exit doctor [--lldb PATH] [--format text|json] [PROGRAM]
                                                      check LLDB, its Python, ptrace; with PROGRAM,
                                                      which probes resolve in it (it is not run)
  debug-exit help

capture options:
  --format text|json|markdown|mermaid|chrome|html
                            report on stdout (default text); mermaid: a sequence diagram of the
                            exit; chrome: a trace for chrome://tracing or Perfetto; html: one
                            self-contained page with the session replayed (--repeat: text or
                            json only)
  --out FORMAT=PATH         also write the report in FORMAT to PATH (repeatable)
  --timeout S               kill the program after S seconds (default ${DEFAULT_TIMEOUT_S})
  --lldb PATH               the LLDB to use (default lldb-19, then lldb, from PATH)
  --env K=V                 set an environment variable for the program (repeatable)
  --census                  record every atexit/__cxa_atexit registration (one stop each)
  --probe ROLE=SYMBOL       also probe SYMBOL as ROLE (repeatable), e.g. another allocator's
                            teardown: --probe allocator-teardown=je_shutdown
  --repeat N                run the program N times in one session; report the distribution
  --aslr on|off             LLDB turns ASLR off by default (off)
  --experiment early-write  at the first exit() call, before any exit handler runs, call
                            __llvm_profile_write_file() in the program and record whether it
                            crashes and where; then let the exit go on
  --expect confirmed|refuted  exit with 3 when the allocator-cleanup-first verdict differs
  --summary                 append the Markdown report to $GITHUB_STEP_SUMMARY (GitHub Actions)
  --log-level LEVEL         pino level on stderr (default warn)
  --quiet                   no progress lines on stderr
  --record PATH             record the session (asciicast v2) here
                            (default .debug-exit/recordings/<program>-<UTC time>.cast)
  --no-record               do not record
  --program-output files|terminal
                            where the program's stdout/stderr go: files of the capture (default),
                            or LLDB's terminal (then they are in the recording too)

replay options:
  --format, --out           as for capture
  --play [--speed N]        also show the session in the terminal at recorded (N times) speed

exit codes: 0 capture complete (whatever the verdict), 1 tool or environment error,
            2 usage error, 3 verdict differs from --expect;
            doctor: 0 no check fails, 1 a check fails, 2 usage error`;

type Flags = Map<string, string[]>;
const VALUE_FLAGS = ['--format', '--out', '--timeout', '--lldb', '--env', '--expect', '--aslr', '--log-level', '--record', '--program-output', '--repeat', '--experiment', '--probe'];
const BOOLEAN_FLAGS = ['--census', '--quiet', '--no-record', '--summary'];

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'capture') return parseCapture(rest);
  if (command === 'interactive') return parseInteractive(rest);
  if (command.startsWith('--')) return parseInteractive(argv);
  if (command === 'demo') return parseDemo(rest);
  if (command === 'replay') return parseReplay(rest);
  if (command === 'doctor') return parseDoctor(rest);
  throw usageError(`unknown command: ${command}`, 'run `debug-exit help` for the commands');
}

function parseCapture(argv: readonly string[]): CaptureArgs {
  const separator = argv.indexOf('--');
  const optionPart = separator < 0 ? argv : argv.slice(0, separator);
  const programPart = separator < 0 ? [] : argv.slice(separator + 1);
  if (programPart.length === 0 || programPart[0] === '') {
    throw usageError('no program to capture', 'put it after `--`: debug-exit capture [options] -- ./app [args]');
  }
  const flags = readFlags(optionPart, [...VALUE_FLAGS], [...BOOLEAN_FLAGS]);
  return {
    command: 'capture',
    format: oneOf(last(flags, '--format') ?? 'text', OUTPUT_FORMATS, '--format'),
    outputs: (flags.get('--out') ?? []).map(parseOut),
    timeoutS: parseTimeout(last(flags, '--timeout')),
    lldb: last(flags, '--lldb') ?? null,
    env: parseEnv(flags.get('--env') ?? []),
    census: flags.has('--census'),
    probes: (flags.get('--probe') ?? []).map(parseProbe),
    expect: maybe(last(flags, '--expect'), ['confirmed', 'refuted'] as const, '--expect'),
    aslr: oneOf(last(flags, '--aslr') ?? 'off', ['on', 'off'] as const, '--aslr'),
    experiment: maybe(last(flags, '--experiment'), ['early-write'] as const, '--experiment'),
    logLevel: last(flags, '--log-level') ?? 'warn',
    quiet: flags.has('--quiet'),
    record: flags.has('--no-record') ? null : last(flags, '--record'),
    repeat: parseRepeat(last(flags, '--repeat')),
    summary: flags.has('--summary'),
    programOutput: oneOf(last(flags, '--program-output') ?? 'files', ['files', 'terminal'] as const, '--program-output'),
    program: programPart[0],
    programArgs: programPart.slice(1),
  };
}

function parseInteractive(argv: readonly string[]): InteractiveArgs {
  const capture = parseCapture(argv);
  const unsupported = ['--format', '--out', '--timeout', '--expect', '--program-output', '--quiet', '--repeat', '--experiment', '--summary'].filter((flag) => argv.slice(0, argv.indexOf('--')).some((a) => a === flag || a.startsWith(`${flag}=`)));
  if (unsupported.length > 0) throw usageError(`${unsupported.join(', ')}: not for the interactive session`, 'these are `debug-exit capture` options');
  const { lldb, env, census, probes, aslr, logLevel, record, program, programArgs } = capture;
  return { command: 'interactive', lldb, env, census, probes, aslr, logLevel, record, program, programArgs };
}

function parseDemo(argv: readonly string[]): DemoArgs {
  const flags = readFlags(argv, ['--format', '--lldb', '--log-level'], []);
  return {
    command: 'demo',
    format: oneOf(last(flags, '--format') ?? 'text', ['text', 'json'] as const, '--format'),
    lldb: last(flags, '--lldb') ?? null,
    logLevel: last(flags, '--log-level') ?? 'warn',
  };
}

/** `doctor [options] [PROGRAM]` (or `doctor [options] -- PROGRAM`): at most one program, no arguments. */
export function parseDoctor(argv: readonly string[]): DoctorArgs {
  const valueFlags = ['--lldb', '--format', '--log-level'];
  const separator = argv.indexOf('--');
  const optionPart = separator < 0 ? argv : argv.slice(0, separator);
  const isPositional = (a: string, i: number) => !a.startsWith('--') && !valueFlags.includes(optionPart[i - 1]);
  const positional = [...optionPart.filter(isPositional), ...(separator < 0 ? [] : argv.slice(separator + 1))];
  if (positional.length > 1) throw usageError(`doctor takes at most one program; got ${positional.map((p) => `"${p}"`).join(', ')}`, 'debug-exit doctor [--lldb PATH] [--format text|json] [./app] (the program is not run: no arguments)');
  if (positional[0] === '') throw usageError('doctor: the program is an empty string', 'debug-exit doctor ./app');
  const flags = readFlags(optionPart.filter((a, i) => !isPositional(a, i)), valueFlags, []);
  return {
    command: 'doctor',
    lldb: last(flags, '--lldb') ?? null,
    format: oneOf(last(flags, '--format') ?? 'text', ['text', 'json'] as const, '--format'),
    logLevel: last(flags, '--log-level') ?? 'warn',
    program: positional[0] ?? null,
  };
}

function parseReplay(argv: readonly string[]): ReplayArgs {
  const valueFlags = ['--format', '--out', '--speed', '--log-level'];
  const isPositional = (a: string, i: number) => !a.startsWith('--') && !valueFlags.includes(argv[i - 1]);
  const positional = argv.filter(isPositional);
  if (positional.length !== 1) throw usageError('replay takes one recording', 'debug-exit replay recordings/x.cast [--format json]');
  const flags = readFlags(argv.filter((a, i) => !isPositional(a, i)), valueFlags, ['--play']);
  const speed = Number(last(flags, '--speed') ?? '1');
  if (!Number.isFinite(speed) || speed <= 0) throw usageError(`--speed takes a positive number; got "${last(flags, '--speed')}"`);
  return {
    command: 'replay',
    recording: positional[0],
    format: oneOf(last(flags, '--format') ?? 'text', OUTPUT_FORMATS, '--format'),
    outputs: (flags.get('--out') ?? []).map(parseOut),
    play: flags.has('--play'),
    speed,
    logLevel: last(flags, '--log-level') ?? 'warn',
  };
}

function readFlags(argv: readonly string[], valueFlags: string[], booleanFlags: string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = splitInline(argv[i]);
    if (booleanFlags.includes(name) && inline === undefined) {
      flags.set(name, ['true']);
      continue;
    }
    if (!valueFlags.includes(name)) {
      throw usageError(`unknown option: ${argv[i]}`, 'run `debug-exit help`; the program and its arguments go after `--`');
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usageError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function last(flags: Flags, name: string): string | undefined {
  const values = flags.get(name);
  return values?.[values.length - 1];
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
}

function maybe<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | null {
  return value === undefined ? null : oneOf(value, allowed, flag);
}

/** `ROLE=SYMBOL`: a role of the catalogue and a non-empty symbol (spaces allowed: `operator new`). */
function parseProbe(value: string): ExtraProbe {
  const eq = value.indexOf('=');
  const role = eq < 0 ? '' : value.slice(0, eq);
  const symbol = eq < 0 ? '' : value.slice(eq + 1).trim();
  if (!(PROBE_ROLES as readonly string[]).includes(role) || symbol === '') {
    throw usageError(`--probe takes ROLE=SYMBOL; got "${value}"`, `ROLE is one of ${PROBE_ROLES.join(', ')}`);
  }
  return { role: role as ProbeRole, symbol };
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`--timeout takes a positive number of seconds; got "${value}"`);
  return seconds;
}

function parseRepeat(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw usageError(`--repeat takes a whole number from 1 to 1000; got "${value}"`);
  return n;
}

function parseEnv(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--env takes KEY=VALUE; got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function parseOut(value: string): { format: OutputFormat; path: string } {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw usageError(`--out takes FORMAT=PATH (e.g. json=report.json); got "${value}"`);
  return { format: oneOf(value.slice(0, eq), OUTPUT_FORMATS, '--out'), path: value.slice(eq + 1) };
}
