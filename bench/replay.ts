/**
 * Replay throughput and memory on synthetic recordings built with the real framing: a session
 * whose LLDB output holds `events` probe hits between chunks of program-like output, sized to
 * `megabytes`. Replay streams, so peak RSS should not grow with the recording.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeFrame } from '../src/protocol/apc-frames';
import { encodeEvent, encodeHeader, type AsciicastHeader } from '../src/recording/asciicast';
import { replay } from '../src/session/replay';

const NONCE = 'b0b0b0b0b0b0b0b0';
const PROMPT = '(lldb) ';

function header(): AsciicastHeader {
  return {
    version: 2,
    width: 200,
    height: 50,
    timestamp: 0,
    command: 'lldb-19',
    title: 'synthetic',
    env: {},
    debug_exit: {
      schema: 'debug-exit/recording@1',
      tool_version: 'bench',
      nonce: NONCE,
      channel: 'socket',
      prompt: PROMPT,
      lldb: 'lldb-19',
      lldb_version: 'synthetic',
      target: { program: '/bench/app', args: [] },
      profile_file: null,
      options: { timeout_s: 60, census: true, aslr: 'off', env: {}, mode: 'capture' },
    },
  };
}

function hit(seq: number): string {
  return encodeFrame(NONCE, {
    seq,
    t_ns: seq * 1000,
    kind: 'hit',
    role: 'atexit-register',
    symbol: '__cxa_atexit',
    module: 'libc.so.6',
    tid: 1,
    pc: '0x7ffff7e12f30',
    registered: { address: '0x401000', symbol: 'count_handler', module: 'app' },
    frames: [
      { symbol: '__cxa_atexit', module: 'libc.so.6', pc: '0x7ffff7e12f30' },
      { symbol: 'main', module: 'app', file: 'app.c', line: 12, pc: '0x401234' },
    ],
  });
}

/** Writes the recording; returns its size in bytes. */
export function writeSyntheticRecording(file: string, megabytes: number, events: number): number {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  const put = (text: string) => (size += fs.writeSync(fd, text));
  put(encodeHeader(header()));
  let t = 0;
  const o = (data: string) => put(encodeEvent({ time: (t += 0.0001), code: 'o', data }));
  const x = (data: string) => put(encodeEvent({ time: (t += 0.0001), code: 'x', data }));
  const done = (command: string) => encodeFrame(NONCE, { seq: 0, t_ns: 0, kind: 'done', command });
  x(
    encodeFrame(NONCE, {
      seq: 1,
      t_ns: 1,
      kind: 'hello',
      schema: 'debug-exit/event@1',
      lldb_version: 'x',
      platform: 'linux',
    }),
  );
  o(`${PROMPT}dx-setup\r\n`);
  x(done('dx-setup'));
  o(`${PROMPT}dx-run\r\n`);
  x(encodeFrame(NONCE, { seq: 2, t_ns: 1, kind: 'launched', pid: 1 }));
  const filler = 'program output line with some text 0123456789 abcdefghijklmnopqrstuvwxyz\r\n';
  const perEvent = Math.max(0, Math.floor((megabytes * 1024 * 1024) / events) - 400);
  const chunk = filler.repeat(Math.ceil(perEvent / filler.length)).slice(0, perEvent);
  for (let seq = 3; seq < events + 3; seq++) {
    x(hit(seq));
    o(chunk);
  }
  x(`${encodeFrame(NONCE, { seq: events + 3, t_ns: 0, kind: 'exit', status: 0 })}${done('dx-run')}`);
  o(`${PROMPT}quit\r\n`);
  put(encodeEvent({ time: t + 0.1, code: 'm', data: 'lldb-exit 0' }));
  fs.closeSync(fd);
  return size;
}

export interface ReplayMeasure {
  megabytes: number;
  seconds: number;
  events: number;
  peakRssMb: number;
}

export async function measureReplay(file: string): Promise<ReplayMeasure> {
  const bytes = fs.statSync(file).size;
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  const result = await replay({ file });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    megabytes: bytes / 1024 / 1024,
    seconds,
    events: result.session.events.length,
    peakRssMb: peak / 1024 / 1024,
  };
}

export function syntheticPath(dir: string, megabytes: number): string {
  return path.join(dir, `synthetic-${megabytes}mb.cast`);
}
