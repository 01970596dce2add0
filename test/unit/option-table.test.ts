/** The option table: the usage text is generated from it, and the parser accepts exactly what it lists. */
import assert from 'node:assert/strict';
import { COMMANDS, OPTIONS, parseArgs, usage, USAGE } from '../../src/cli/args';
import { isDebugExitError } from '../../src/session/failure';
import {
  option,
  optionLabel,
  readTokens,
  rowsFor,
  wrap,
  USAGE_WIDTH,
  type CommandName,
} from '../../src/cli/option-table';

const COMMAND_NAMES: CommandName[] = ['capture', 'interactive', 'replay', 'demo', 'doctor', 'inspect'];

const SAMPLES: Record<string, string> = {
  'FORMAT=PATH': 'json=r.json',
  'K=V': 'A=1',
  'ROLE=SYMBOL': 'profile-write=f',
  ARCH: 'arm64',
};

/** The argv that gives `flag` (with a valid value when it takes one) to `command`. */
function argvWith(command: CommandName, flag: string, placeholder: string | undefined): string[] {
  const value =
    placeholder === undefined
      ? undefined
      : (SAMPLES[placeholder] ?? (/^[a-z-]+(\|[a-z-]+)*$/.test(placeholder) ? placeholder.split('|')[0] : '1'));
  const given = value === undefined ? [flag] : [`${flag}=${value}`];
  if (command === 'replay') return ['replay', 'r.cast', ...given];
  if (command === 'demo' || command === 'doctor') return [command, ...given];
  if (command === 'inspect') return [command, ...given, './app'];
  return [command, ...given, '--', './app'];
}

function messageOf(argv: string[]): string | null {
  try {
    parseArgs(argv);
    return null;
  } catch (error) {
    assert.ok(isDebugExitError(error), String(error));
    assert.equal(error.failure.code, 'usage');
    return error.failure.message;
  }
}

function section(text: string, command: CommandName): string {
  const start = text.indexOf(`\n${command} options:\n`);
  assert.ok(start >= 0, `no "${command} options:" section`);
  const end = text.indexOf('\n\n', start + 1);
  return text.slice(start, end < 0 ? text.length : end);
}

describe('option table', () => {
  it('no command has two rows for the same flag', () => {
    for (const command of COMMAND_NAMES) {
      const flags = rowsFor(OPTIONS, command).map((row) => row.flag);
      assert.deepEqual(flags, [...new Set(flags)], command);
    }
  });

  it('every row is in the usage section of every command that takes it, under its label', () => {
    for (const command of COMMAND_NAMES) {
      const text = section(USAGE, command);
      for (const row of rowsFor(OPTIONS, command)) {
        const asForCapture = command !== 'capture' && rowsFor(OPTIONS, 'capture').includes(row);
        const shown = asForCapture
          ? new RegExp(`${row.flag}[,:]`)
          : new RegExp(`^  ${optionLabel(row).replace(/[|.*+?()[\]]/g, '\\$&')}( |$)`, 'm');
        assert.match(text, shown, `${command}: ${row.flag}`);
      }
    }
  });

  it('every command of the table is in the usage, and no line is wider than the usage width', () => {
    for (const { synopsis } of COMMANDS) assert.ok(USAGE.includes(`  debug-exit ${synopsis}`), synopsis);
    for (const line of USAGE.split('\n')) assert.ok(line.length <= USAGE_WIDTH, `too wide: ${line}`);
  });

  it('each command accepts the flags of its rows and refuses the others', () => {
    for (const command of COMMAND_NAMES) {
      const own = rowsFor(OPTIONS, command);
      for (const row of OPTIONS) {
        const message = messageOf(argvWith(command, row.flag, row.value)) ?? '';
        if (own.some((ownRow) => ownRow.flag === row.flag)) {
          assert.equal(message, '', `${command} ${row.flag}`);
        } else if (command === 'interactive' && rowsFor(OPTIONS, 'capture').some((c) => c.flag === row.flag)) {
          assert.match(message, new RegExp(`${row.flag}: not for the interactive session`), row.flag);
        } else {
          assert.match(message, new RegExp(`unknown option: ${row.flag}`), `${command} ${row.flag}`);
        }
      }
    }
  });

  it('a row added to the table is in the usage and read by the token reader', () => {
    const extra = option({
      flag: '--colour',
      value: 'WHEN',
      commands: ['capture'],
      help: 'when to colour the report',
      key: 'colour',
      read: (v) => v,
    });
    const text = usage([...OPTIONS, extra]);
    assert.match(section(text, 'capture'), /^ {2}--colour WHEN {13}when to colour the report$/m);
    const read = readTokens(['--colour', 'never', '--colour=always'], [extra], false);
    assert.equal(read.problem, null);
    assert.deepEqual(read.given.get('--colour'), ['never', 'always']);
  });

  it('the token reader: a switch with a value and a missing value are problems, positionals only where allowed', () => {
    const rows = rowsFor(OPTIONS, 'replay');
    assert.match(readTokens(['--play=yes'], rows, true).problem?.message ?? '', /unknown option: --play=yes/);
    assert.match(readTokens(['--speed'], rows, true).problem?.message ?? '', /--speed needs a value/);
    assert.deepEqual(readTokens(['a.cast', '--speed', '2', 'b'], rows, true).positionals, ['a.cast', 'b']);
    assert.match(readTokens(['a.cast'], rows, false).problem?.message ?? '', /unknown option: a.cast/);
  });

  it('wrap: greedy, at most the width unless a word is longer', () => {
    assert.deepEqual(wrap('aa bb cc dd', 5), ['aa bb', 'cc dd']);
    assert.deepEqual(wrap('aaaaaaa b', 5), ['aaaaaaa', 'b']);
    assert.deepEqual(wrap('  one  ', 10), ['one']);
  });
});
