/**
 * Command-line parsing: pure, no I/O. `debug-exit capture [options] -- PROGRAM [ARGS]`.
 * Every mistake becomes a usage error that says what was wrong and what is accepted.
 */
import { usageError } from '../session/failure';

export type OutputFormat = 'text' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json'];
export type Expectation = 'confirmed' | 'refuted';

export interface CaptureArgs {
  command: 'capture';
  format: OutputFormat;
  outputs: Array<{ format: OutputFormat; path: string }>;
  timeoutS: number;
  lldb: string | null;
  env: Record<string, string>;
  census: boolean;
  expect: Expectation | null;
  aslr: 'on' | 'off';
  logLevel: string;
  quiet: boolean;
  program: string;
  programArgs: string[];
}

export interface DemoArgs {
  command: 'demo';
  format: OutputFormat;
  lldb: string | null;
  logLevel: string;
}

export interface HelpArgs {
  command: 'help';
}

export type CliArgs = CaptureArgs | DemoArgs | HelpArgs;

export const DEFAULT_TIMEOUT_S = 60;

export const USAGE = `usage:
  debug-exit capture [options] -- PROGRAM [ARGS...]   capture the exit of PROGRAM under LLDB
  debug-exit demo [--format text|json] [--lldb PATH]  build the bundled fixtures, capture each
  debug-exit help

capture options:
  --format text|json        report on stdout (default text)
  --out FORMAT=PATH         also write the report in FORMAT to PATH (repeatable)
  --timeout S               kill the program after S seconds (default ${DEFAULT_TIMEOUT_S})
  --lldb PATH               the LLDB to use (default lldb-19, then lldb, from PATH)
  --env K=V                 set an environment variable for the program (repeatable)
  --census                  record every atexit/__cxa_atexit registration (one stop each)
  --aslr on|off             LLDB turns ASLR off by default (off)
  --expect confirmed|refuted  exit with 3 when the allocator-cleanup-first verdict differs
  --log-level LEVEL         pino level on stderr (default warn)
  --quiet                   no progress lines on stderr

exit codes: 0 capture complete (whatever the verdict), 1 tool or environment error,
            2 usage error, 3 verdict differs from --expect`;

type Flags = Map<string, string[]>;
const VALUE_FLAGS = ['--format', '--out', '--timeout', '--lldb', '--env', '--expect', '--aslr', '--log-level'];
const BOOLEAN_FLAGS = ['--census', '--quiet'];

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'capture') return parseCapture(rest);
  if (command === 'demo') return parseDemo(rest);
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
    expect: maybe(last(flags, '--expect'), ['confirmed', 'refuted'] as const, '--expect'),
    aslr: oneOf(last(flags, '--aslr') ?? 'off', ['on', 'off'] as const, '--aslr'),
    logLevel: last(flags, '--log-level') ?? 'warn',
    quiet: flags.has('--quiet'),
    program: programPart[0],
    programArgs: programPart.slice(1),
  };
}

function parseDemo(argv: readonly string[]): DemoArgs {
  const flags = readFlags(argv, ['--format', '--lldb', '--log-level'], []);
  return {
    command: 'demo',
    format: oneOf(last(flags, '--format') ?? 'text', OUTPUT_FORMATS, '--format'),
    lldb: last(flags, '--lldb') ?? null,
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

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_S;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`--timeout takes a positive number of seconds; got "${value}"`);
  return seconds;
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
