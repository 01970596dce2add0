/** Command-line parsing: what each command accepts, and the usage errors for what it does not. */
import assert from 'node:assert/strict';
import { parseArgs, DEFAULT_TIMEOUT_S } from '../../src/cli/args';
import { isDebugExitError } from '../../src/session/failure';

function usageErrorOf(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    assert.ok(isDebugExitError(error));
    assert.equal(error.failure.code, 'usage');
    return error.failure.message;
  }
  return assert.fail(`no usage error for ${argv.join(' ')}`);
}

describe('command-line parsing', () => {
  it('capture: defaults, and the program with its arguments after --', () => {
    const args = parseArgs(['capture', '--', './app', '--format', 'x']);
    assert.equal(args.command, 'capture');
    if (args.command !== 'capture') return;
    assert.equal(args.format, 'text');
    assert.equal(args.timeoutS, DEFAULT_TIMEOUT_S);
    assert.equal(args.aslr, 'off');
    assert.equal(args.record, undefined);
    assert.equal(args.programOutput, 'files');
    assert.equal(args.program, './app');
    assert.deepEqual(args.programArgs, ['--format', 'x']);
  });

  it('capture: every option, repeatable ones repeated, KEY=VALUE values kept whole', () => {
    const args = parseArgs([
      'capture',
      '--format=json',
      '--out',
      'json=a.json',
      '--out',
      'markdown=b.md',
      '--timeout',
      '2.5',
      '--lldb',
      '/x/lldb',
      '--env',
      'A=1',
      '--env',
      'B=x=y',
      '--census',
      '--aslr',
      'on',
      '--expect',
      'confirmed',
      '--no-record',
      '--program-output',
      'terminal',
      '--probe',
      'allocator-teardown=je_shutdown',
      '--probe=profile-write=operator new',
      '--experiment',
      'early-write',
      '--',
      'app',
    ]);
    assert.equal(args.command, 'capture');
    if (args.command !== 'capture') return;
    assert.equal(args.format, 'json');
    assert.deepEqual(args.outputs, [
      { format: 'json', path: 'a.json' },
      { format: 'markdown', path: 'b.md' },
    ]);
    assert.equal(args.timeoutS, 2.5);
    assert.equal(args.lldb, '/x/lldb');
    assert.deepEqual(args.env, { A: '1', B: 'x=y' });
    assert.equal(args.census, 'list');
    assert.equal(args.aslr, 'on');
    assert.equal(args.expect, 'confirmed');
    assert.equal(args.record, null);
    assert.equal(args.programOutput, 'terminal');
    assert.deepEqual(args.probes, [
      { role: 'allocator-teardown', symbol: 'je_shutdown' },
      { role: 'profile-write', symbol: 'operator new' },
    ]);
    assert.equal(args.experiment, 'early-write');
  });

  it('--census reads the list by default; --census=stops stops at each registration; without it, no census', () => {
    const mode = (flags: string[]) => {
      const args = parseArgs(['capture', ...flags, '--', 'app']);
      return args.command === 'capture' ? args.census : undefined;
    };
    assert.equal(mode([]), null);
    assert.equal(mode(['--census']), 'list');
    assert.equal(mode(['--census=stops']), 'stops');
    assert.equal(mode(['--census', '--timeout', '5']), 'list');
    assert.throws(
      () => parseArgs(['capture', '--census=often', '--', 'app']),
      /--census must be one of stops, list; got "often"/,
    );
    // The value is inline only: the next token is not taken as --census's value.
    assert.throws(() => parseArgs(['capture', '--census', 'stops', '--', 'app']), /unknown option: stops/);
  });

  it('merge: the report files as positionals, --format text|json, --out', () => {
    const args = parseArgs(['merge', 'a.json', '--format', 'json', 'b.json', '--out', 'text=m.txt']);
    assert.deepEqual(args, {
      command: 'merge',
      files: ['a.json', 'b.json'],
      format: 'json',
      outputs: [{ format: 'text', path: 'm.txt' }],
      logLevel: 'warn',
    });
    assert.throws(() => parseArgs(['merge']), /merge takes one or more report files/);
    assert.throws(() => parseArgs(['merge', 'a.json', '--format', 'mermaid']), /--format must be one of text, json/);
  });

  const bad: Array<[string[], RegExp]> = [
    [['capture'], /no program/],
    [['capture', '--', ''], /no program/],
    [['capture', '--format', 'xml', '--', 'a'], /--format must be one of text, json, markdown/],
    [['capture', '--timeout', '0', '--', 'a'], /above 0 and at most 604800/],
    [['capture', '--timeout', 'soon', '--', 'a'], /above 0 and at most 604800/],
    [['capture', '--timeout', '1e9', '--', 'a'], /at most 604800 \(7 days\); got "1e9"/],
    [['replay', '--play', '--speed', '1e300', 'r.cast'], /--speed takes a number from 0.01 to 1000000/],
    [['replay', '--play', '--speed', '0.0001', 'r.cast'], /--speed takes a number from 0.01/],
    [['capture', '--env', 'NOEQUALS', '--', 'a'], /KEY=VALUE/],
    [['capture', '--out', 'json', '--', 'a'], /FORMAT=PATH/],
    [['capture', '--expect', 'maybe', '--', 'a'], /--expect must be one of/],
    [['capture', '--frobnicate', '--', 'a'], /unknown option: --frobnicate/],
    [['capture', '--lldb'], /no program|needs a value/],
    [
      ['capture', '--probe', 'allocator=je_shutdown', '--', 'a'],
      /--probe takes ROLE=SYMBOL; got "allocator=je_shutdown"/,
    ],
    [['capture', '--probe', 'main=', '--', 'a'], /--probe takes ROLE=SYMBOL/],
    [['capture', '--probe', 'je_shutdown', '--', 'a'], /--probe takes ROLE=SYMBOL/],
    [['capture', '--experiment', 'late-write', '--', 'a'], /--experiment must be one of early-write/],
    [['frobnicate'], /unknown command/],
    [['replay'], /one recording/],
    [['replay', 'a.cast', 'b.cast'], /one recording/],
    [['replay', 'a.cast', '--speed', '-2'], /--speed/],
    [['--format', 'json', '--', 'a'], /not for the interactive session/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${JSON.stringify(argv)}`, () => assert.match(usageErrorOf(argv), message));
  }

  it('interactive: `debug-exit -- app` and `debug-exit interactive -- app` are the same', () => {
    const short = parseArgs(['--', './app', 'x']);
    const long = parseArgs(['interactive', '--', './app', 'x']);
    assert.deepEqual(short, long);
    assert.equal(short.command, 'interactive');
  });

  it('replay: the recording wherever it stands among the options', () => {
    const args = parseArgs(['replay', '--format', 'json', 'r.cast', '--play', '--speed', '4']);
    assert.deepEqual(args, {
      command: 'replay',
      recording: 'r.cast',
      format: 'json',
      outputs: [],
      play: true,
      raw: false,
      speed: 4,
      logLevel: 'warn',
    });
  });
});
