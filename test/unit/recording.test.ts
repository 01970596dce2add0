/**
 * Recordings: bad files get an error naming the file and line; a recording cut mid-line replays
 * up to the cut. The recordings here are synthetic (built with the real framing), so no LLDB.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeFrame } from '../../src/protocol/apc-frames';
import { encodeEvent, encodeHeader, type AsciicastHeader } from '../../src/recording/asciicast';
import { replay } from '../../src/session/replay';
import { reportFrom } from '../../src/cli/analyse';
import { runCli } from '../helpers/cli';

const NONCE = '0123456789abcdef';
const PROMPT = '(lldb) ';

const HEADER: AsciicastHeader = {
  version: 2,
  width: 200,
  height: 50,
  timestamp: 1764000000,
  command: 'lldb-19',
  title: 't',
  env: { TERM: 'xterm' },
  debug_exit: {
    schema: 'debug-exit/recording@1',
    tool_version: '0.1.0',
    nonce: NONCE,
    channel: 'socket',
    prompt: PROMPT,
    lldb: 'lldb-19',
    lldb_version: 'lldb version 19.1.7',
    target: { program: '/x/app', args: [] },
    profile_file: '/tmp/p/%p.profraw',
    options: { timeout_s: 60, census: false, aslr: 'off', env: {}, mode: 'capture' },
  },
};

const hit = (seq: number, role: string, symbol: string) =>
  encodeFrame(NONCE, {
    seq,
    t_ns: seq * 1000,
    kind: 'hit',
    role,
    symbol,
    module: 'app',
    tid: 1,
    pc: '0x1',
    frames: [],
  });
const resolved = (seq: number, role: string, symbol: string) =>
  encodeFrame(NONCE, { seq, t_ns: seq * 1000, kind: 'probe-resolved', role, symbol, locations: 1, modules: ['app'] });

const done = (command: string) => encodeFrame(NONCE, { seq: 0, t_ns: 1, kind: 'done', command });

/** An allocator-first session: LLDB's terminal as `o` events, the script's channel as `x` events. */
function sessionLines(): Array<[string, string]> {
  return [
    [
      'x',
      encodeFrame(NONCE, {
        seq: 1,
        t_ns: 1,
        kind: 'hello',
        schema: 'debug-exit/event@1',
        lldb_version: 'lldb 19',
        platform: 'linux',
      }),
    ],
    ['o', `${PROMPT}dx-setup\r\n`],
    [
      'x',
      resolved(2, 'allocator-teardown', 'mi_process_done') +
        resolved(3, 'profile-write', 'writeFileWithoutReturn') +
        resolved(4, 'process-exit', 'exit') +
        done('dx-setup'),
    ],
    ['o', `${PROMPT}dx-run\r\n`],
    ['x', encodeFrame(NONCE, { seq: 5, t_ns: 4500, kind: 'launched', pid: 42 }) + hit(6, 'process-exit', 'exit')],
    ['x', hit(7, 'allocator-teardown', 'mi_process_done')],
    ['x', hit(8, 'profile-write', 'writeFileWithoutReturn')],
    ['x', `${encodeFrame(NONCE, { seq: 9, t_ns: 8000, kind: 'exit', status: 0 })}${done('dx-run')}`],
    ['o', `${PROMPT}quit\r\n`],
  ];
}

function encodedLines(): string[] {
  const lines = sessionLines().map(([code, data], i) => encodeEvent({ time: i * 0.01, code: code as 'o' | 'x', data }));
  lines.push(encodeEvent({ time: 0.2, code: 'm', data: 'lldb-exit 0' }));
  return lines;
}

describe('recordings', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-rec-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  async function replayReport(file: string) {
    const result = await replay({ file });
    const { debug_exit: meta } = result.header;
    return reportFrom({
      target: meta.target,
      profileFile: meta.profile_file,
      census: false,
      aslr: meta.options.aslr,
      session: result.session,
      cut: !result.end.lldbExited,
    });
  }

  it('a synthetic allocator-first recording replays to confirmed', async () => {
    const report = await replayReport(write('ok.cast', encodeHeader(HEADER) + encodedLines().join('')));
    assert.equal(report.verdicts.allocatorFirst.result, 'confirmed');
    assert.equal(report.timeline.outcome.kind, 'exited');
  });

  const bad: Array<[string, () => string, RegExp]> = [
    [
      'not JSON',
      () =>
        encodeHeader(HEADER) +
        encodedLines().slice(0, 3).join('') +
        '[0.5, "o", oops]\n' +
        encodedLines().slice(3).join(''),
      /:5: an event is not valid JSON/,
    ],
    [
      'wrong version',
      () => encodeHeader({ ...HEADER, version: 1 as unknown as 2 }) + encodedLines().join(''),
      /:1: unsupported asciicast version 1/,
    ],
    [
      'missing header fields',
      () => JSON.stringify({ version: 2, height: 50, debug_exit: HEADER.debug_exit }) + '\n',
      /:1: header field "width" must be a positive integer/,
    ],
    [
      'missing nonce',
      () => encodeHeader({ ...HEADER, debug_exit: { ...HEADER.debug_exit, nonce: '' } }) + encodedLines().join(''),
      /:1: header is missing debug_exit.nonce/,
    ],
    [
      'event out of order',
      () =>
        encodeHeader(HEADER) +
        encodedLines().slice(0, 4).join('') +
        '[0.001, "o", "x"]\n' +
        encodedLines().slice(4).join(''),
      /:6: event out of order/,
    ],
    [
      'not a debug-exit recording',
      () => JSON.stringify({ version: 2, width: 80, height: 24 }) + '\n',
      /:1: header has no "debug_exit" object/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects a recording with ${name}, naming the file and line (exit 2)`, async () => {
      const file = write(`${name.replace(/ /g, '-')}.cast`, text());
      const run = await runCli(['replay', file]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`bad recording: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(run.stderr, message);
    });
  }

  it('a recording cut mid-line after the deciding events replays up to the cut, verdict kept', async () => {
    const lines = encodedLines();
    const cutLine = lines[7].slice(0, 20); // the exit event's line, cut mid-write
    const file = write('cut-late.cast', encodeHeader(HEADER) + lines.slice(0, 7).join('') + cutLine);
    const report = await replayReport(file);
    assert.equal(report.timeline.outcome.kind, 'cut');
    assert.equal(report.verdicts.allocatorFirst.result, 'confirmed');
    const run = await runCli(['replay', file]);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /the session was cut/);
  });

  it('a recording cut before the exit-time write is inconclusive because it was cut', async () => {
    const lines = encodedLines();
    const file = write('cut-early.cast', encodeHeader(HEADER) + lines.slice(0, 6).join('') + lines[6].slice(0, 15));
    const report = await replayReport(file);
    assert.equal(report.timeline.outcome.kind, 'cut');
    assert.equal(report.verdicts.allocatorFirst.result, 'inconclusive');
    assert.equal(report.verdicts.allocatorFirst.cause, 'cut');
  });

  it('missing recording file: exit 2', async () => {
    const run = await runCli(['replay', path.join(dir, 'nope.cast')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /recording not found/);
  });
});
