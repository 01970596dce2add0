/**
 * A session's life (session/life.ts) against a fake transport that answers like LLDB: doctor's
 * `check` mode sets up and quits without running anything, an abort ends the session, the signal
 * wiring turns a real signal into an abort, and the temp folder is 0700 and removed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { encodeFrame } from '../../src/protocol/apc-frames';
import { abortOnSignals, runMachine, withSessionDir } from '../../src/session/life';
import type { SessionInput } from '../../src/session/machine';
import { FakeTransport } from '../../src/transport/fake-transport';

const NONCE = 'feedc0de12345678';
const frame = (event: object) => encodeFrame(NONCE, event);
const HELLO = {
  seq: 1,
  t_ns: 10,
  kind: 'hello',
  schema: 'debug-exit/event@1',
  lldb_version: 'lldb version 19',
  platform: 'linux',
};
const RESOLVED = {
  seq: 2,
  t_ns: 11,
  kind: 'probe-resolved',
  role: 'main',
  symbol: 'main',
  locations: 1,
  modules: ['app'],
};
const done = (command: string) => frame({ seq: 0, t_ns: 1, kind: 'done', command });

/** An LLDB that says hello, resolves one probe at dx-setup, and exits on quit. */
function fakeLldb(): FakeTransport {
  const t = new FakeTransport();
  t.onWrite = (data) => {
    const command = data.trimEnd();
    if (command === 'dx-setup') setImmediate(() => t.emitChannel(frame(RESOLVED) + done('dx-setup')));
    else if (command === 'dx-run') setImmediate(() => t.emitChannel(done('dx-run')));
    else if (command === 'quit') setImmediate(() => t.emitExit({ exitCode: 0 }));
  };
  return t;
}

function input(t: FakeTransport, mode: SessionInput['mode']): SessionInput {
  return {
    openTransport: () => {
      setImmediate(() => t.emitChannel(frame(HELLO)));
      return t;
    },
    nonce: NONCE,
    runTimeoutMs: 5000,
    startupTimeoutMs: 5000,
    mode,
  };
}

describe('session life', () => {
  it('check mode (doctor): dx-setup, then quit; no dx-run; the probes resolved are kept', async () => {
    const t = fakeLldb();
    const phases: string[] = [];
    const output = await runMachine({ input: input(t, 'check'), onPhase: (p) => phases.push(p) });
    assert.deepEqual(t.sent, ['dx-setup\n', 'quit\n']);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'probe-resolved'],
    );
    assert.equal(output.failure, null);
    assert.equal(output.aborted, false);
    assert.ok(phases.includes('settingUp') && phases.includes('quitting') && !phases.includes('running'), `${phases}`);
  });

  it('capture mode through the same runner runs the program (the contrast to check)', async () => {
    const t = fakeLldb();
    await runMachine({ input: input(t, 'capture') });
    assert.deepEqual(t.sent.slice(0, 2), ['dx-setup\n', 'dx-run\n']);
  });

  it('an abort already signalled ends the session at once: aborted, nothing sent, LLDB closed', async () => {
    const t = fakeLldb();
    const abort = new AbortController();
    abort.abort();
    const output = await runMachine({ input: input(t, 'check'), abortSignal: abort.signal });
    assert.equal(output.aborted, true);
    assert.deepEqual(t.sent, []);
    assert.equal(t.disposed, true);
  });

  it('abortOnSignals: a real SIGHUP aborts, is told to the caller, and dispose gives the signal back', async () => {
    const before = process.listenerCount('SIGHUP');
    const beforeTerm = process.listenerCount('SIGTERM');
    const seen: string[] = [];
    const stop = abortOnSignals(['SIGHUP', 'SIGTERM'], (signal) => seen.push(signal));
    assert.equal(process.listenerCount('SIGHUP'), before + 1);
    const aborted = new Promise((resolve) => stop.signal.addEventListener('abort', resolve));
    process.kill(process.pid, 'SIGHUP');
    await aborted;
    assert.deepEqual(seen, ['SIGHUP']);
    stop.dispose();
    assert.equal(process.listenerCount('SIGHUP'), before);
    assert.equal(process.listenerCount('SIGTERM'), beforeTerm);
  });

  it('withSessionDir: a 0700 folder, removed after the body, even when it throws', async () => {
    let kept = '';
    await assert.rejects(
      withSessionDir('dx-life-test-', async (dir) => {
        kept = dir;
        assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
        throw new Error('body failed');
      }),
      /body failed/,
    );
    assert.equal(fs.existsSync(kept), false);
  });
});
