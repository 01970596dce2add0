/**
 * The machinery under the option table of `args.ts`: a row type, a token reader and the usage layout.
 * Pure, no I/O. The rows themselves (which options exist, for which commands) live in `args.ts`.
 */
import { type DebugExitError, usageError } from '../session/failure';

export type CommandName = 'capture' | 'interactive' | 'replay' | 'demo' | 'doctor' | 'inspect' | 'merge';

/** What was given on the command line: every value of every option, in order (a switch gives `''`). */
export type Given = ReadonlyMap<string, readonly string[]>;

interface RowBase<C extends CommandName> {
  flag: `--${string}`;
  /** The value's placeholder in the usage (`S`, `PATH`, `text|json`); absent for a switch (no value). */
  value?: string;
  /** The value may only be given inline (`--census=stops`); the flag alone gives `''`. */
  inlineOnly?: boolean;
  /** The commands that accept it. */
  commands: readonly C[];
  /** One paragraph for the usage; wrapped to the usage's width. */
  help: string;
}

/** An option that sets `key` in the parsed arguments to `read(its values, everything given)`. */
export interface OptionRow<K extends string, V, C extends CommandName> extends RowBase<C> {
  key: K;
  read: (values: readonly string[], given: Given) => V;
}

/** An option that sets no key of its own: another row reads it (`--no-record` for `--record`). */
export interface ModifierRow<C extends CommandName> extends RowBase<C> {
  key?: undefined;
}

export type AnyRow = OptionRow<string, unknown, CommandName> | ModifierRow<CommandName>;

/** A row whose key and command list keep their literal types, so the argument types follow the table. */
export function option<const K extends string, V, const C extends CommandName>(
  row: OptionRow<K, V, C>,
): OptionRow<K, V, C> {
  return row;
}

export function modifier<const C extends CommandName>(row: ModifierRow<C>): ModifierRow<C> {
  return row;
}

/** The parsed values that the rows of `Rows` accepted by command `C` produce. */
export type ValuesFor<Rows extends AnyRow, C extends CommandName> = {
  [R in Rows as R extends OptionRow<infer K, unknown, infer RC>
    ? C extends RC
      ? K
      : never
    : never]: R extends OptionRow<string, infer V, CommandName> ? V : never;
};

export function rowsFor(rows: readonly AnyRow[], command: CommandName): AnyRow[] {
  return rows.filter((row) => (row.commands as readonly CommandName[]).includes(command));
}

export interface ReadTokens {
  given: Map<string, string[]>;
  positionals: string[];
  /** The first unknown option or missing value, thrown by the caller after its own positional checks. */
  problem: DebugExitError | null;
}

/**
 * Reads `--flag VALUE`, `--flag=VALUE` and `--switch`. When `positionals` is true, a token is a
 * positional if it does not start with `--` and does not follow the name of an option that takes a
 * value; every other token is read as an option (a token that is not one is an unknown option).
 */
export function readTokens(tokens: readonly string[], rows: readonly AnyRow[], positionals: boolean): ReadTokens {
  const byFlag = new Map(rows.map((row) => [row.flag as string, row]));
  const takesValue = (token: string | undefined) =>
    token !== undefined && byFlag.get(token)?.value !== undefined && byFlag.get(token)?.inlineOnly !== true;
  const result: ReadTokens = { given: new Map(), positionals: [], problem: null };
  const isPositional = (token: string, i: number) =>
    positionals && !token.startsWith('--') && !takesValue(tokens[i - 1]);
  result.positionals = tokens.filter(isPositional);
  const options = tokens.filter((token, i) => !isPositional(token, i));
  const fail = (error: DebugExitError) => (result.problem ??= error);
  for (let i = 0; i < options.length; i++) {
    const token = options[i];
    const [name, inline] = splitInline(token);
    const row = byFlag.get(name);
    if (row === undefined || (row.value === undefined && inline !== undefined)) {
      fail(
        usageError(`unknown option: ${token}`, 'run `debug-exit help`; the program and its arguments go after `--`'),
      );
      continue;
    }
    const value = row.value === undefined ? '' : row.inlineOnly ? (inline ?? '') : (inline ?? options[++i]);
    if (value === undefined) {
      fail(usageError(`${name} needs a value`));
      continue;
    }
    result.given.set(name, [...(result.given.get(name) ?? []), value]);
  }
  return result;
}

function splitInline(token: string): [string, string | undefined] {
  const eq = token.indexOf('=');
  return token.startsWith('--') && eq > 0 ? [token.slice(0, eq), token.slice(eq + 1)] : [token, undefined];
}

/** Each row's `read` over what was given, in table order (so the first invalid value is the one reported). */
export function readValues(rows: readonly AnyRow[], given: Given): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const row of rows) if (row.key !== undefined) values[row.key] = row.read(given.get(row.flag) ?? [], given);
  return values;
}

/** The last value given for `flag`, or undefined. */
export function last(values: readonly string[]): string | undefined {
  return values[values.length - 1];
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
}

// The usage layout: options in a column of LABEL_WIDTH, their help beside it, wrapped at USAGE_WIDTH.
export const USAGE_WIDTH = 100;
const LABEL_WIDTH = 24;
const HELP_INDENT = 2 + LABEL_WIDTH + 2;

export function optionLabel(row: AnyRow): string {
  if (row.value === undefined) return row.flag;
  return row.inlineOnly ? `${row.flag}[=${row.value}]` : `${row.flag} ${row.value}`;
}

/** `  --timeout S               kill the program after S seconds`, the help wrapped under itself. */
export function optionLines(row: AnyRow): string[] {
  const label = optionLabel(row);
  const help = wrap(row.help, USAGE_WIDTH - HELP_INDENT).map((line) => `${' '.repeat(HELP_INDENT)}${line}`);
  if (label.length > LABEL_WIDTH) return [`  ${label}`, ...help];
  return [`  ${label.padEnd(LABEL_WIDTH)}  ${help[0].trimStart()}`, ...help.slice(1)];
}

/** Greedy word wrap; a word longer than the width stands alone on its line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}
