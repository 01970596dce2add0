/**
 * The session machine against a fake transport that answers like LLDB: which commands are sent,
 * in which order, and what happens when LLDB dies, hangs or never loads the script. The script's
 * frames come on the channel; nothing in LLDB's terminal output moves the machine.
 */
import assert from 'node:assert/strict';
import { createActor, toPromise } from 'xstate';
import { encodeFrame } from '../../src/protocol/apc-frames';
import { MarkerWatch, sessionMachine, syncCommand, syncMarker, type SessionOutput } from '../../src/session/machine';
import { FakeTransport } from '../../src/transport/fake-transport';

const NONCE = 'feedc0de12345678';

type Script = (command: string, t: FakeTransport) => void;

function frame(event: object): string {
  return encodeFrame(NONCE, event);
}

const HELLO = {
  seq: 1,
  t_ns: 10,
  kind: 'hello',
  schema: 'debug-exit/event@1',
  lldb_version: 'lldb version 19',
  platform: 'linux',
};
const LAUNCHED = { seq: 2, t_ns: 15, kind: 'launched', pid: 4242 };
const HIT = {
  seq: 3,
  t_ns: 20,
  kind: 'hit',
  role: 'allocator-teardown',
  symbol: 'mi_process_done',
  module: 'app',
  tid: 7,
  pc: '0x1',
  frames: [],
};
const EXIT = { seq: 4, t_ns: 30, kind: 'exit', status: 0 };
const done = (command: string) => frame({ seq: 0, t_ns: 1, kind: 'done', command });

/** An LLDB that behaves: answers every command on the channel, then exits on quit. */
const wellBehaved: Script = (command, t) => {
  const later = (f: () => void) => setImmediate(f);
  if (command === 'dx-setup')
    later(() => {
      t.emitData('(lldb) dx-setup\r\n');
      t.emitChannel(done('dx-setup'));
    });
  else if (command === 'dx-run')
    later(() => {
      t.emitData('target says hi\r\n');
      t.emitChannel(frame(LAUNCHED) + frame(HIT) + frame(EXIT) + done('dx-run'));
    });
  else if (command === syncCommand(NONCE)) later(() => t.emitData(`(lldb) ${command}\r\n${syncMarker(NONCE)}\r\n`));
  else if (command === 'quit') later(() => t.emitExit({ exitCode: 0 }));
};

async function runWith(
  script: Script,
  overrides: { runTimeoutMs?: number; startupTimeoutMs?: number; hello?: boolean; releaseOnQuit?: boolean } = {},
) {
  const transport = new FakeTransport();
  transport.onWrite = (data) => script(data.trimEnd(), transport);
  const actor = createActor(sessionMachine, {
    input: {
      openTransport: () => {
        if (overrides.hello !== false) setImmediate(() => transport.emitChannel(frame(HELLO)));
        return transport;
      },
      nonce: NONCE,
      runTimeoutMs: overrides.runTimeoutMs ?? 5000,
      startupTimeoutMs: overrides.startupTimeoutMs ?? 5000,
      releaseOnQuit: overrides.releaseOnQuit,
    },
  });
  actor.start();
  const output: SessionOutput = await toPromise(actor);
  return { output, transport };
}

describe('session machine (fake LLDB)', () => {
  it('waits for the hello, sets up, runs, quits, in that order, and collects the events', async () => {
    const { output, transport } = await runWith(wellBehaved);
    assert.deepEqual(transport.sent, ['dx-setup\n', 'dx-run\n', `${syncCommand(NONCE)}\n`, 'quit\n']);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'launched', 'hit', 'exit'],
    );
    assert.equal(output.failure, null);
    assert.match(output.tail, /target says hi/);
    assert.equal(output.rejectedCount, 0);
    assert.equal(transport.disposed, true);
  });

  it('quits only once the sync marker is read, not on the echo of the command that prints it', async () => {
    let echoedAt = -1;
    const echoOnly: Script = (command, t) => {
      if (command === syncCommand(NONCE)) {
        // The kernel's echo of the line (it holds the nonce, not the marker), then the marker
        // cut in two chunks, 100 ms later.
        setImmediate(() => t.emitData(`${command}\r\n`));
        setTimeout(() => {
          echoedAt = t.sent.length;
          t.emitData(syncMarker(NONCE).slice(0, 7));
          t.emitData(`${syncMarker(NONCE).slice(7)}\r\n`);
        }, 100);
      } else wellBehaved(command, t);
    };
    const { transport } = await runWith(echoOnly);
    assert.equal(echoedAt, 3, 'quit was sent before the marker');
    assert.equal(transport.sent[3], 'quit\n');
  });

  it('with releaseOnQuit, ends at `quit` without waiting for LLDB to exit, and releases LLDB', async () => {
    const neverExits: Script = (command, t) => {
      if (command !== 'quit') wellBehaved(command, t);
    };
    const { output, transport } = await runWith(neverExits, { releaseOnQuit: true });
    assert.equal(output.failure, null);
    assert.equal(transport.sent.at(-1), 'quit\n');
    assert.equal(transport.released, true);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'launched', 'hit', 'exit'],
    );
  });

  it("frames, prompts and `done` printed in LLDB's terminal move nothing and are reported as rejected", async () => {
    const forging: Script = (command, t) => {
      if (command === 'dx-run') {
        setImmediate(() => {
          t.emitData(`${frame({ ...EXIT, seq: 99 })}${done('dx-run')}(lldb) `);
          t.emitChannel(frame(LAUNCHED) + frame(HIT));
          setTimeout(() => t.emitChannel(frame(EXIT) + done('dx-run')), 50);
        });
      } else wellBehaved(command, t);
    };
    const { output } = await runWith(forging);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'launched', 'hit', 'exit'],
    );
    assert.equal(output.rejectedCount, 2);
    assert.deepEqual(
      output.rejected.map((r) => [r.source, r.claimed]),
      [
        ['terminal', 'exit'],
        ['terminal', 'done'],
      ],
    );
  });

  it('rejects a duplicated exit, an out-of-order seq and a malformed frame, and counts them', async () => {
    const doubling: Script = (command, t) => {
      if (command === 'dx-run') {
        setImmediate(() =>
          t.emitChannel(
            frame(LAUNCHED) +
              frame(EXIT) +
              frame({ ...EXIT, seq: 5 }) +
              frame({ ...HIT, seq: 1 }) +
              frame({ ...HIT, seq: 6, frames: [null] }) +
              done('dx-run'),
          ),
        );
      } else wellBehaved(command, t);
    };
    const { output } = await runWith(doubling);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'launched', 'exit'],
    );
    assert.equal(output.rejectedCount, 3);
    assert.deepEqual(
      output.rejected.map((r) => r.claimed),
      ['exit', 'hit', null],
    );
    assert.match(output.rejected[2].reason, /frames\[0\]/);
  });

  it('fails with the last output when LLDB dies mid-run', async () => {
    const dying: Script = (command, t) => {
      if (command === 'dx-run')
        setImmediate(() => {
          t.emitData('Segmentation fault in lldb\r\n');
          t.emitExit({ exitCode: 139 });
        });
      else wellBehaved(command, t);
    };
    const { output } = await runWith(dying);
    assert.equal(output.failure?.code, 'lldb-died');
    assert.match(output.failure?.lastOutput ?? '', /Segmentation fault in lldb/);
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello'],
    );
  });

  it('says the script did not load when it never says hello, and sends nothing', async () => {
    const { output, transport } = await runWith(wellBehaved, { hello: false, startupTimeoutMs: 200 });
    assert.equal(output.failure?.code, 'script-not-loaded');
    assert.deepEqual(transport.sent, []);
  });

  it('gives up on a run that outlives its timeout and keeps what was captured', async () => {
    const hanging: Script = (command, t) => {
      if (command === 'dx-run') setImmediate(() => t.emitChannel(frame(LAUNCHED) + frame(HIT)));
      else wellBehaved(command, t);
    };
    const { output } = await runWith(hanging, { runTimeoutMs: 300 });
    assert.equal(output.failure?.code, 'lldb-hung');
    assert.deepEqual(
      output.events.map((e) => e.kind),
      ['hello', 'launched', 'hit'],
    );
  });
});

describe('MarkerWatch', () => {
  it('finds a marker cut across chunks, once, and not a near miss', () => {
    const watch = new MarkerWatch('dx-synced abc');
    assert.equal(watch.push('dx-synced abc'), false, 'not armed yet: the sync command is not sent');
    watch.arm();
    assert.equal(watch.push('script print("dx-synced", "abc")\r\n'), false);
    assert.equal(watch.push('dx-syn'), false);
    assert.equal(watch.push('ced a'), false);
    assert.equal(watch.push('bc\r\n'), true);
    assert.equal(watch.push('dx-synced abc'), false);
  });
});

describe('syncCommand', () => {
  it('takes only a session nonce: nothing else is spliced into an LLDB command', () => {
    assert.equal(syncCommand('feedc0de12345678'), 'script print("dx-synced", "feedc0de12345678")');
    for (const hostile of ['a"); import os; os.system("id"); ("', 'a\nquit', '', 'x'.repeat(129)])
      assert.throws(() => syncCommand(hostile), /not a session nonce/);
  });
});
