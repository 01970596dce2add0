/**
 * Command-line parsing: pure, no I/O. `debug-exit capture [options] -- PROGRAM [ARGS]`.
 * One table of options (OPTIONS) gives the parser, the argument types and the usage text: adding an
 * option is one row. Every mistake becomes a usage error that says what was wrong and what is accepted.
 */
import { MACHO_ARCHS } from '../inspect/macho';
import { usageError } from '../session/failure';
import type { ExtraProbe } from '../probes/catalogue';
import { PROBE_ROLES, type ExperimentName, type ProbeRole } from '../timeline/events';
import type { CensusMode } from '../session/spec';
import {
  last,
  modifier,
  oneOf,
  option,
  optionLines,
  readTokens,
  readValues,
  rowsFor,
  wrap,
  USAGE_WIDTH,
  type AnyRow,
  type CommandName,
  type ValuesFor,
} from './option-table';

export type OutputFormat = 'text' | 'json' | 'markdown' | 'mermaid' | 'chrome' | 'html';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown', 'mermaid', 'chrome', 'html'];
export type Expectation = 'confirmed' | 'refuted';

export const DEFAULT_TIMEOUT_S = 60;
/** Node's timers hold at most 2^31-1 ms (24.8 days): a week, well inside. */
export const MAX_TIMEOUT_S = 7 * 24 * 3600;
const MIN_SPEED = 0.01;
const MAX_SPEED = 1e6;

const ALL_COMMANDS = ['capture', 'interactive', 'replay', 'demo', 'doctor', 'inspect', 'merge'] as const;

/**
 * Every option of every command, in the order of the usage text and of the checks of their values (so
 * with two wrong values, the first row's error is the one reported).
 */
export const OPTIONS = [
  option({
    flag: '--play',
    commands: ['replay'],
    help: 'also show the session in the terminal at the recorded speed',
    key: 'play',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--speed',
    value: 'N',
    commands: ['replay'],
    help: 'with --play: N times the recorded speed (default 1)',
    key: 'speed',
    read: (values) => parseSpeed(last(values)),
  }),
  option({
    flag: '--format',
    value: OUTPUT_FORMATS.join('|'),
    commands: ['capture', 'replay'],
    help: 'report on stdout (default text); mermaid: a sequence diagram of the exit; chrome: a trace for chrome://tracing or Perfetto; html: one self-contained page with the session replayed (--repeat: text or json only)',
    key: 'format',
    read: (values) => oneOf(last(values) ?? 'text', OUTPUT_FORMATS, '--format'),
  }),
  option({
    flag: '--format',
    value: 'text|json',
    commands: ['demo', 'doctor', 'inspect', 'merge'],
    help: 'report on stdout (default text)',
    key: 'format',
    read: (values) => oneOf(last(values) ?? 'text', ['text', 'json'] as const, '--format'),
  }),
  option({
    flag: '--arch',
    value: 'ARCH',
    commands: ['inspect'],
    help: `the slice of universal (fat) Mach-O files to read (default every slice): ${MACHO_ARCHS.join(', ')}`,
    key: 'arch',
    read: (values) => maybe(last(values), MACHO_ARCHS, '--arch'),
  }),
  option({
    flag: '--out',
    value: 'FORMAT=PATH',
    commands: ['capture', 'replay', 'merge'],
    help: 'also write the report in FORMAT to PATH (repeatable)',
    key: 'outputs',
    read: (values) => values.map(parseOut),
  }),
  option({
    flag: '--timeout',
    value: 'S',
    commands: ['capture'],
    help: `kill the program after S seconds (default ${DEFAULT_TIMEOUT_S})`,
    key: 'timeoutS',
    read: (values) => parseTimeout(last(values)),
  }),
  option({
    flag: '--lldb',
    value: 'PATH',
    commands: ['capture', 'interactive', 'demo', 'doctor'],
    help: 'the LLDB to use (default lldb-19, then lldb, from PATH)',
    key: 'lldb',
    read: (values): string | null => last(values) ?? null,
  }),
  option({
    flag: '--env',
    value: 'K=V',
    commands: ['capture', 'interactive'],
    help: 'set an environment variable for the program (repeatable)',
    key: 'env',
    read: parseEnv,
  }),
  option({
    flag: '--census',
    value: 'stops',
    inlineOnly: true,
    commands: ['capture', 'interactive'],
    help: "record every atexit/__cxa_atexit registration: read once from the C library's list at exit() (default), or with =stops one debugger stop per registration (also gives who registered each)",
    key: 'census',
    read: (values): CensusMode | null =>
      values.length === 0
        ? null
        : last(values) === ''
          ? 'list'
          : oneOf(last(values)!, ['stops', 'list'] as const, '--census'),
  }),
  option({
    flag: '--probe',
    value: 'ROLE=SYMBOL',
    commands: ['capture', 'interactive'],
    help: "also probe SYMBOL as ROLE (repeatable), e.g. another allocator's teardown: --probe allocator-teardown=je_shutdown",
    key: 'probes',
    read: (values) => values.map(parseProbe),
  }),
  option({
    flag: '--expect',
    value: 'confirmed|refuted',
    commands: ['capture'],
    help: 'exit with 3 when the allocator-cleanup-first verdict differs',
    key: 'expect',
    read: (values): Expectation | null => maybe(last(values), ['confirmed', 'refuted'] as const, '--expect'),
  }),
  option({
    flag: '--summary',
    commands: ['capture'],
    help: 'append the Markdown report to $GITHUB_STEP_SUMMARY (the job summary on GitHub Actions)',
    key: 'summary',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--aslr',
    value: 'on|off',
    commands: ['capture', 'interactive'],
    help: 'LLDB turns ASLR off by default (off)',
    key: 'aslr',
    read: (values) => oneOf(last(values) ?? 'off', ['on', 'off'] as const, '--aslr'),
  }),
  option({
    flag: '--experiment',
    value: 'early-write',
    commands: ['capture'],
    help: 'at the first exit() call, before any exit handler runs, call __llvm_profile_write_file() in the program and record whether it crashes and where; then let the exit go on',
    key: 'experiment',
    read: (values) => maybe(last(values), ['early-write'] as const satisfies readonly ExperimentName[], '--experiment'),
  }),
  option({
    flag: '--log-level',
    value: 'LEVEL',
    commands: ALL_COMMANDS,
    help: 'pino level on stderr (default warn)',
    key: 'logLevel',
    read: (values) => last(values) ?? 'warn',
  }),
  option({
    flag: '--quiet',
    commands: ['capture'],
    help: 'no progress lines on stderr',
    key: 'quiet',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--record',
    value: 'PATH',
    commands: ['capture', 'interactive'],
    help: 'record the session (asciicast v2) here (default .debug-exit/recordings/<program>-<UTC time>.cast)',
    key: 'record',
    /** Where to record: an explicit --record PATH, the default path (undefined), or off (--no-record). */
    read: (values, given): string | null | undefined => (given.has('--no-record') ? null : last(values)),
  }),
  modifier({ flag: '--no-record', commands: ['capture', 'interactive'], help: 'do not record' }),
  option({
    flag: '--repeat',
    value: 'N',
    commands: ['capture'],
    help: 'run the program N times in one session; report the distribution',
    key: 'repeat',
    read: (values) => parseRepeat(last(values)),
  }),
  option({
    flag: '--program-output',
    value: 'files|terminal',
    commands: ['capture'],
    help: "where the program's stdout/stderr go: files of the capture (default), or LLDB's terminal (then they are in the recording too)",
    key: 'programOutput',
    read: (values) => oneOf(last(values) ?? 'files', ['files', 'terminal'] as const, '--program-output'),
  }),
  option({
    flag: '--record-env',
    commands: ['capture', 'interactive'],
    help: 'keep the --env values in the recording (default: NAME=<redacted>)',
    key: 'recordEnv',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--force',
    commands: ['capture', 'interactive'],
    help: '--record may replace an existing file (never through a symlink)',
    key: 'force',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--raw',
    commands: ['replay'],
    help: "with --play: write the recording's bytes as they are (default: OSC, DCS, APC and terminal queries dropped)",
    key: 'raw',
    read: (values) => values.length > 0,
  }),
  option({
    flag: '--profile-dir',
    value: 'DIR',
    commands: ['capture'],
    help: "write the program's profiles to DIR (created if missing) and keep them; the report says which files and whether llvm-profdata accepts them",
    key: 'profileDir',
    read: (values): string | null => nonEmpty(last(values), '--profile-dir'),
  }),
  option({
    flag: '--llvm-profdata',
    value: 'PATH',
    commands: ['capture'],
    help: 'the llvm-profdata that checks the profile written (default: the highest llvm-profdata-NN on PATH, then llvm-profdata; xcrun on macOS)',
    key: 'llvmProfdata',
    read: (values): string | null => nonEmpty(last(values), '--llvm-profdata'),
  }),
] as const;

function nonEmpty(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  if (value === '') throw usageError(`${flag} needs a path`, `${flag} PATH`);
  return value;
}

type Row = (typeof OPTIONS)[number];
/** Spells an intersection out as one object type (for readable hovers and errors). */
type Flat<T> = { [K in keyof T]: T[K] };

export type CaptureArgs = Flat<
  { command: 'capture' } & ValuesFor<Row, 'capture'> & { program: string; programArgs: string[] }
>;
export type InteractiveArgs = Flat<
  { command: 'interactive' } & ValuesFor<Row, 'interactive'> & { program: string; programArgs: string[] }
>;
export type ReplayArgs = Flat<{ command: 'replay'; recording: string } & ValuesFor<Row, 'replay'>>;
export type DemoArgs = Flat<{ command: 'demo' } & ValuesFor<Row, 'demo'>>;
export type DoctorArgs = Flat<
  { command: 'doctor' } & ValuesFor<Row, 'doctor'> & {
      /** The program whose probes to resolve (not run), or null for the environment checks only. */
      program: string | null;
    }
>;
export type InspectArgs = Flat<{ command: 'inspect' } & ValuesFor<Row, 'inspect'> & { programs: string[] }>;
/** `merge REPORT.json...`: --out takes text or json only (checked in merge-command). */
export type MergeArgs = Flat<{ command: 'merge'; files: string[] } & ValuesFor<Row, 'merge'>>;
export interface HelpArgs {
  command: 'help';
}

export type CliArgs =
  | CaptureArgs
  | DemoArgs
  | ReplayArgs
  | InteractiveArgs
  | DoctorArgs
  | InspectArgs
  | MergeArgs
  | HelpArgs;

/** The commands, in the order of the usage text: how each is called and what it does. */
export const COMMANDS: ReadonlyArray<{ name: CommandName | 'help'; synopsis: string; summary: string }> = [
  {
    name: 'interactive',
    synopsis: '[interactive] [options] -- PROGRAM [ARGS...]',
    summary: 'LLDB at your prompt with the probes in place',
  },
  {
    name: 'capture',
    synopsis: 'capture [options] -- PROGRAM [ARGS...]',
    summary: 'capture the exit of PROGRAM under LLDB',
  },
  { name: 'replay', synopsis: 'replay RECORDING [options]', summary: 'rebuild the report from a recording, no LLDB' },
  { name: 'demo', synopsis: 'demo [options]', summary: 'build the bundled fixtures, capture each' },
  {
    name: 'doctor',
    synopsis: 'doctor [options] [PROGRAM]',
    summary: 'check LLDB, its Python, ptrace; with PROGRAM, which probes resolve in it (it is not run)',
  },
  {
    name: 'inspect',
    synopsis: 'inspect [options] PROGRAM...',
    summary:
      'read the profile data of programs, objects, archives (ELF, Mach-O): does it mix LLVM versions, and which code is foreign (nothing is run)',
  },
  {
    name: 'merge',
    synopsis: 'merge [options] REPORT.json...',
    summary:
      'reports and --repeat reports of many runs and runners as one distribution (debug-exit/repeat@1), per platform, LLDB version and program hash',
  },
  { name: 'help', synopsis: 'help', summary: 'this text' },
];

const EXIT_CODES = `exit codes: 0 capture complete (whatever the verdict), 1 tool or environment error,
            2 usage error, 3 verdict differs from --expect;
            doctor: 0 no check fails, 1 a check fails, 2 usage error;
            inspect: 0 consistent or not instrumented, 4 mixed, 1 could not read, 2 usage error`;

/** The usage text, generated from COMMANDS and OPTIONS. */
export function usage(rows: readonly AnyRow[] = OPTIONS): string {
  const synopsisWidth = 50;
  const commandLines = COMMANDS.flatMap(({ synopsis, summary }) => {
    const call = `debug-exit ${synopsis}`;
    const text = wrap(summary, USAGE_WIDTH - synopsisWidth - 4).map(
      (line) => `${' '.repeat(synopsisWidth + 4)}${line}`,
    );
    return call.length > synopsisWidth
      ? [`  ${call}`, ...text]
      : [`  ${call.padEnd(synopsisWidth)}  ${text[0].trimStart()}`, ...text.slice(1)];
  });
  const sections = ALL_COMMANDS.map((command) => optionSection(rows, command));
  return ['usage:', ...commandLines, '', ...sections.flatMap((lines) => [...lines, '']), EXIT_CODES].join('\n');
}

/** `capture options:` and a line per option; options already described for capture say so. */
function optionSection(rows: readonly AnyRow[], command: CommandName): string[] {
  const own = rowsFor(rows, command);
  if (command === 'capture') return ['capture options:', ...own.flatMap(optionLines)];
  const captureRows = rowsFor(rows, 'capture');
  const shared = own.filter((row) => captureRows.includes(row));
  const lines = own.filter((row) => !captureRows.includes(row)).flatMap(optionLines);
  if (shared.length > 0) {
    const text = `${shared.map((row) => row.flag).join(', ')}: as for capture`;
    lines.unshift(...wrap(text, USAGE_WIDTH - 2).map((line) => `  ${line}`));
  }
  return [`${command} options:`, ...lines];
}

export const USAGE = usage();

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command === 'capture') return parseCapture(rest);
  if (command === 'interactive') return parseInteractive(rest);
  if (command.startsWith('--')) return parseInteractive(argv);
  if (command === 'demo') return parseDemo(rest);
  if (command === 'replay') return parseReplay(rest);
  if (command === 'doctor') return parseDoctor(rest);
  if (command === 'inspect') return parseInspect(rest);
  if (command === 'merge') return parseMerge(rest);
  throw usageError(`unknown command: ${command}`, 'run `debug-exit help` for the commands');
}

/** Splits at the first `--`: the options before it, the program and its arguments after. */
function splitAtSeparator(argv: readonly string[]): [readonly string[], readonly string[]] {
  const separator = argv.indexOf('--');
  return separator < 0 ? [argv, []] : [argv.slice(0, separator), argv.slice(separator + 1)];
}

function parseCapture(argv: readonly string[]): CaptureArgs {
  const [optionPart, programPart] = splitAtSeparator(argv);
  if (programPart.length === 0 || programPart[0] === '') {
    throw usageError('no program to capture', 'put it after `--`: debug-exit capture [options] -- ./app [args]');
  }
  const rows = rowsFor(OPTIONS, 'capture');
  const read = readTokens(optionPart, rows, false);
  if (read.problem !== null) throw read.problem;
  const values = readValues(rows, read.given) as ValuesFor<Row, 'capture'>;
  return { command: 'capture', ...values, program: programPart[0], programArgs: programPart.slice(1) };
}

/**
 * Read as capture (the same checks, in the same order), then refuse the options that are capture's only,
 * wherever they are named before `--` (even as another option's value: `--lldb --format` is a slip).
 */
function parseInteractive(argv: readonly string[]): InteractiveArgs {
  const args = parseCapture(argv);
  const [optionPart] = splitAtSeparator(argv);
  const interactive = rowsFor(OPTIONS, 'interactive');
  const named = (flag: string) => optionPart.some((token) => token === flag || token.startsWith(`${flag}=`));
  const unsupported = rowsFor(OPTIONS, 'capture').filter((row) => !interactive.includes(row) && named(row.flag));
  if (unsupported.length > 0) {
    throw usageError(
      `${unsupported.map((row) => row.flag).join(', ')}: not for the interactive session`,
      'these are `debug-exit capture` options',
    );
  }
  const values: Record<string, unknown> = {};
  for (const row of interactive) if (row.key !== undefined) values[row.key] = args[row.key as keyof CaptureArgs];
  return {
    command: 'interactive',
    ...(values as ValuesFor<Row, 'interactive'>),
    program: args.program,
    programArgs: args.programArgs,
  };
}

function parseDemo(argv: readonly string[]): DemoArgs {
  const rows = rowsFor(OPTIONS, 'demo');
  const read = readTokens(argv, rows, false);
  if (read.problem !== null) throw read.problem;
  return { command: 'demo', ...(readValues(rows, read.given) as ValuesFor<Row, 'demo'>) };
}

/** `doctor [options] [PROGRAM]` (or `doctor [options] -- PROGRAM`): at most one program, no arguments. */
export function parseDoctor(argv: readonly string[]): DoctorArgs {
  const [optionPart, afterSeparator] = splitAtSeparator(argv);
  const rows = rowsFor(OPTIONS, 'doctor');
  const read = readTokens(optionPart, rows, true);
  const positional = [...read.positionals, ...afterSeparator];
  if (positional.length > 1) {
    throw usageError(
      `doctor takes at most one program; got ${positional.map((p) => `"${p}"`).join(', ')}`,
      'debug-exit doctor [--lldb PATH] [--format text|json] [./app] (the program is not run: no arguments)',
    );
  }
  if (positional[0] === '') throw usageError('doctor: the program is an empty string', 'debug-exit doctor ./app');
  if (read.problem !== null) throw read.problem;
  return {
    command: 'doctor',
    ...(readValues(rows, read.given) as ValuesFor<Row, 'doctor'>),
    program: positional[0] ?? null,
  };
}

/** `inspect [options] PROGRAM...` (or `inspect [options] -- PROGRAM...`): one or more files, none run. */
export function parseInspect(argv: readonly string[]): InspectArgs {
  const [optionPart, afterSeparator] = splitAtSeparator(argv);
  const rows = rowsFor(OPTIONS, 'inspect');
  const read = readTokens(optionPart, rows, true);
  const programs = [...read.positionals, ...afterSeparator];
  const hint =
    'debug-exit inspect [--format text|json] [--arch ARCH] PROGRAM... (programs, .o files, .a/.rlib archives)';
  if (read.problem !== null) throw read.problem;
  if (programs.length === 0) throw usageError('inspect: no program given', hint);
  if (programs.includes('')) throw usageError('inspect: a program is an empty string', hint);
  return { command: 'inspect', ...(readValues(rows, read.given) as ValuesFor<Row, 'inspect'>), programs };
}

function parseReplay(argv: readonly string[]): ReplayArgs {
  const rows = rowsFor(OPTIONS, 'replay');
  const read = readTokens(argv, rows, true);
  if (read.positionals.length !== 1)
    throw usageError('replay takes one recording', 'debug-exit replay recordings/x.cast [--format json]');
  if (read.problem !== null) throw read.problem;
  return {
    command: 'replay',
    recording: read.positionals[0],
    ...(readValues(rows, read.given) as ValuesFor<Row, 'replay'>),
  };
}

function parseMerge(argv: readonly string[]): MergeArgs {
  const rows = rowsFor(OPTIONS, 'merge');
  const read = readTokens(argv, rows, true);
  if (read.positionals.length === 0)
    throw usageError(
      'merge takes one or more report files',
      'debug-exit merge [--format text|json] a.json b.json ... (reports of capture --format json)',
    );
  if (read.problem !== null) throw read.problem;
  return { command: 'merge', files: read.positionals, ...(readValues(rows, read.given) as ValuesFor<Row, 'merge'>) };
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
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_S) {
    throw usageError(
      `--timeout takes a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (7 days); got "${value}"`,
    );
  }
  return seconds;
}

function parseRepeat(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw usageError(`--repeat takes a whole number from 1 to 1000; got "${value}"`);
  return n;
}

function parseSpeed(value: string | undefined): number {
  const speed = Number(value ?? '1');
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED)
    throw usageError(`--speed takes a number from ${MIN_SPEED} to ${MAX_SPEED}; got "${value}"`);
  return speed;
}

function parseEnv(values: readonly string[]): Record<string, string> {
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
  if (eq <= 0 || eq === value.length - 1)
    throw usageError(`--out takes FORMAT=PATH (e.g. json=report.json); got "${value}"`);
  return { format: oneOf(value.slice(0, eq), OUTPUT_FORMATS, '--out'), path: value.slice(eq + 1) };
}
