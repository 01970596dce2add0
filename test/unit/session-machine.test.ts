/**
 * The session machine against a fake transport that answers like LLDB: which commands are sent,
 * in which order, and what happens when LLDB dies, hangs or never loads the script.
 */
import assert from 'node:assert/strict';
import { createActor, toPromise } from 'xstate';
import { encodeFrame } from '../../src/protocol/apc-frames';
import { sessionMachine, type SessionOutput } from '../../src/session/machine';
import { FakeTransport } from '../../src/transport/fake-transport';

const NONCE = 'feedc0de12345678';
const PROMPT = `(dx-${NONCE}) `;

type Script = (command: string, t: FakeTransport) => void;

function frame(event: object): string {
  return encodeFrame(NONCE, event);
}

const HELLO = { seq: 1, t_ns: 10, kind: 'hello', schema: 'debug-exit/event@1', lldb_version: 'lldb version 19', platform: 'linux' };
const HIT = {
  seq: 2, t_ns: 20, kind: 'hit', role: 'allocator-teardown', symbol: 'mi_process_done', module: 'app', tid: 7,
  pc: '0x1', frames: [],
};
const EXIT = { seq: 3, t_ns: 30, kind: 'exit', status: 0 };

/** An LLDB that behaves: answers every command, then exits on quit. */
const wellBehaved: Script = (command, t) => {
  const reply = (text: string) => setImmediate(() => t.emitData(text));
  if (command.startsWith('dx-setup')) reply(`${command}\r\n${frame(HELLO)}${PROMPT}`);
  else if (command.startsWith('dx-run')) reply(`dx-run\r\n${frame(HIT)}target says hi\r\n${frame(EXIT)}${PROMPT}`);
  else if (command.startsWith('quit')) setImmediate(() => t.emitExit({ exitCode: 0 }));
  else reply(`${command}\r\n${PROMPT}`);
};

async function runWith(script: Script, overrides: { runTimeoutMs?: number; startupTimeoutMs?: number } = {}) {
  const transport = new FakeTransport();
  transport.onWrite = (data) => script(data.trimEnd(), transport);
  const actor = createActor(sessionMachine, {
    input: {
      openTransport: () => {
        setImmediate(() => transport.emitData(`(lldb) settings set prompt "(dx-${NONCE})\\x20"\r\n${PROMPT}`));
        return transport;
      },
      nonce: NONCE,
      prompt: PROMPT,
      scriptPath: '/opt/debug exit/debug_exit.py',
      specPath: '/tmp/spec.json',
      runTimeoutMs: overrides.runTimeoutMs ?? 5000,
      startupTimeoutMs: overrides.startupTimeoutMs ?? 5000,
    },
  });
  actor.start();
  const output: SessionOutput = await toPromise(actor);
  return { output, transport };
}

describe('session machine (fake LLDB)', () => {
  it('imports the script, sets up, runs, quits, in that order, and collects the events', async () => {
    const { output, transport } = await runWith(wellBehaved);
    assert.deepEqual(transport.sent, [
      'command script import "/opt/debug exit/debug_exit.py"\n',
      'dx-setup "/tmp/spec.json"\n',
      'dx-run\n',
      'quit\n',
    ]);
    assert.deepEqual(output.events.map((e) => e.kind), ['hello', 'hit', 'exit']);
    assert.equal(output.failure, null);
    assert.match(output.tail, /target says hi/);
    assert.equal(transport.disposed, true);
  });

  it('fails with the last output when LLDB dies mid-run', async () => {
    const dying: Script = (command, t) => {
      if (command === 'dx-run') setImmediate(() => { t.emitData('Segmentation fault in lldb\r\n'); t.emitExit({ exitCode: 139 }); });
      else wellBehaved(command, t);
    };
    const { output } = await runWith(dying);
    assert.equal(output.failure?.code, 'lldb-died');
    assert.match(output.failure?.lastOutput ?? '', /Segmentation fault in lldb/);
    assert.deepEqual(output.events.map((e) => e.kind), ['hello']);
  });

  it('says the script did not load when dx-setup answers without a hello', async () => {
    const noPython: Script = (command, t) => {
      if (command.startsWith('dx-setup')) setImmediate(() => t.emitData(`error: 'dx-setup' is not a valid command.\r\n${PROMPT}`));
      else wellBehaved(command, t);
    };
    const { output, transport } = await runWith(noPython);
    assert.equal(output.failure?.code, 'script-not-loaded');
    assert.match(output.failure?.lastOutput ?? '', /not a valid command/);
    assert.ok(!transport.sent.includes('dx-run\n'), 'dx-run must not be sent');
    assert.equal(transport.sent[transport.sent.length - 1], 'quit\n');
  });

  it('gives up on a run that outlives its timeout and keeps what was captured', async () => {
    const hanging: Script = (command, t) => {
      if (command === 'dx-run') setImmediate(() => t.emitData(frame(HIT)));
      else wellBehaved(command, t);
    };
    const { output } = await runWith(hanging, { runTimeoutMs: 300 });
    assert.equal(output.failure?.code, 'lldb-hung');
    assert.deepEqual(output.events.map((e) => e.kind), ['hello', 'hit']);
  });

  it('fails when LLDB never shows its prompt', async () => {
    const transport = new FakeTransport();
    const actor = createActor(sessionMachine, {
      input: {
        openTransport: () => transport, nonce: NONCE, prompt: PROMPT, scriptPath: '/s.py', specPath: '/spec.json',
        runTimeoutMs: 1000, startupTimeoutMs: 200,
      },
    });
    actor.start();
    const output = await toPromise(actor);
    assert.equal(output.failure?.code, 'lldb-no-prompt');
    assert.deepEqual(transport.sent, []);
  });
});
