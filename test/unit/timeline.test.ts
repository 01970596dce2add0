import assert from 'node:assert/strict';
import type { DebugExitEvent } from '../../src/timeline/events';
import { describeOutcome, outcomeFromEvents, type SessionOutcome } from '../../src/timeline/outcome';
import { predictExitOrder } from '../../src/timeline/prediction';
import { ALL_ROLES, Scenario } from '../../src/timeline/scenario';
import { baseSymbol, callerFrame, isProfileWriterSymbol } from '../../src/timeline/symbols';
import {
  buildTimeline,
  firstHit,
  hitsAfter,
  probeResolved,
  roleResolved,
  unresolvedProbes,
  unresolvedSymbols,
} from '../../src/timeline/timeline';

const TARGET = { program: '/tmp/app', args: [] };

describe('timeline: buildTimeline', () => {
  it('orders events by seq whatever order they arrive in', () => {
    const s = new Scenario();
    s.hit('main', 'main');
    s.hit('process-exit', 'exit');
    s.exit(0);
    const events = s.build().events;
    const shuffled = [events[2], events[0], events[1]] as DebugExitEvent[];
    const timeline = buildTimeline({ target: TARGET, profileFile: null, events: shuffled });
    assert.deepEqual(
      timeline.events.map((e) => e.seq),
      [1, 2, 3],
    );
  });

  it('keeps the target, profile file, hello facts and census flag', () => {
    const s = new Scenario();
    s.hello();
    const timeline = s.build(undefined, { profileFile: '/tmp/x/%m.profraw', census: true });
    assert.equal(timeline.profileFile, '/tmp/x/%m.profraw');
    assert.equal(timeline.lldbVersion, 'lldb-19.1.7');
    assert.equal(timeline.platform, 'linux');
    assert.equal(timeline.census, true);
    assert.deepEqual(timeline.target, { program: '/tmp/app', args: ['--work', '3'] });
  });

  it('uses the outcome it is given over the one the events suggest', () => {
    const s = new Scenario();
    s.exit(0);
    assert.deepEqual(s.build({ kind: 'lldb-died', lastOutput: 'x' }).outcome, { kind: 'lldb-died', lastOutput: 'x' });
    assert.deepEqual(s.build().outcome, { kind: 'exited', status: 0 });
  });
});

describe('timeline: probe resolution', () => {
  it('keeps the last resolution per (role, symbol), in first-reported order', () => {
    const s = new Scenario();
    s.unresolved('allocator-teardown', 'mi_process_done');
    s.resolved('process-exit', 'exit');
    const later = s.resolved('allocator-teardown', 'mi_process_done', 2); // pending breakpoint resolved
    s.unresolved('profile-write', 'mi_process_done'); // same symbol, another role: another probe
    const timeline = s.build();
    assert.deepEqual(
      timeline.probes.map((p) => [p.role, p.symbol, p.locations, p.seq]),
      [
        ['allocator-teardown', 'mi_process_done', 2, later],
        ['process-exit', 'exit', 1, 2],
        ['profile-write', 'mi_process_done', 0, 4],
      ],
    );
    assert.equal(roleResolved(timeline, 'allocator-teardown'), true);
    assert.deepEqual(
      unresolvedProbes(timeline).map((p) => p.symbol),
      ['mi_process_done'],
    );
  });

  it('a later unresolved report supersedes an earlier resolution', () => {
    const s = new Scenario();
    s.resolved('profile-write', 'writeFileWithoutReturn');
    s.unresolved('profile-write', 'writeFileWithoutReturn');
    assert.equal(probeResolved(s.build(), 'profile-write', 'writeFileWithoutReturn'), false);
  });

  it('counts a role as resolved when one of its probes was hit, reported or not', () => {
    const s = new Scenario();
    s.hit('allocator-teardown', 'mi_process_done');
    const timeline = s.build();
    assert.equal(roleResolved(timeline, 'allocator-teardown'), true);
    assert.equal(roleResolved(timeline, 'allocator-init'), false);
  });

  it('names the catalogue symbols of a role no probe of which was reported', () => {
    const s = new Scenario();
    s.resolved('allocator-teardown', 'mi_process_done');
    s.unresolved('allocator-teardown', 'mi_process_detach');
    const timeline = s.build();
    assert.deepEqual(unresolvedSymbols(timeline, 'allocator-teardown'), ['mi_process_detach']);
    assert.deepEqual(unresolvedSymbols(timeline, 'allocator-init'), [
      'mi_process_load',
      '_mi_process_init',
      '_mi_auto_process_init',
    ]);
  });
});

describe('timeline: queries', () => {
  it('finds the first hit of a role or symbol and the hits after a seq', () => {
    const s = new Scenario();
    s.hit('process-exit', '__cxa_finalize');
    const exit = s.hit('process-exit', 'exit');
    const done = s.hit('allocator-teardown', 'mi_process_done');
    const finalize = s.hit('process-exit', '__cxa_finalize');
    const timeline = s.build();
    assert.equal(firstHit(timeline, 'process-exit', 'exit')?.seq, exit);
    assert.equal(firstHit(timeline, 'process-exit')?.seq, 1);
    assert.equal(firstHit(timeline, 'main'), undefined);
    assert.deepEqual(
      hitsAfter(timeline, exit).map((h) => h.seq),
      [done, finalize],
    );
    assert.deepEqual(
      hitsAfter(timeline, exit, 'process-exit').map((h) => h.seq),
      [finalize],
    );
  });

  it('matches a hit reported under a glibc alias (__GI_exit) by the probe name', () => {
    const s = new Scenario();
    const exit = s.hit('process-exit', '__GI_exit');
    assert.equal(firstHit(s.build(), 'process-exit', 'exit')?.seq, exit);
  });
});

describe('timeline: atexit registrations', () => {
  function preMain(): Scenario {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    return s;
  }

  it('makes one registration per hit, naming the function and who registered it', () => {
    const s = preMain();
    const atexit = s.hit('atexit-register', 'atexit', {
      registered: 'mi_process_done',
      callers: ['mi_process_load', '_dl_init'],
    });
    const [registration, ...rest] = s.build().registrations;
    assert.equal(rest.length, 0);
    assert.equal(registration?.seq, atexit);
    assert.equal(registration?.via, 'atexit');
    assert.equal(registration?.tid, 4242);
    assert.equal(registration?.registered?.symbol, 'mi_process_done');
    assert.equal(registration?.registeredBy?.symbol, 'mi_process_load');
    assert.equal(registration?.kind, 'allocator-teardown');
  });

  it('skips every atexit frame (glibc aliases too) to find who registered', () => {
    const s = preMain();
    s.hit('atexit-register', '__cxa_atexit', {
      registered: 'writeFileWithoutReturn',
      frameSymbol: '__GI___cxa_atexit',
      callers: ['atexit', '_GLOBAL__sub_I_InstrProfilingRuntime.cpp'],
    });
    s.hit('atexit-register', '__cxa_atexit', { registered: '_dl_fini', callers: [] });
    assert.deepEqual(
      s.build().registrations.map((r) => [r.registered?.symbol, r.registeredBy?.symbol ?? null, r.kind]),
      [
        ['writeFileWithoutReturn', '_GLOBAL__sub_I_InstrProfilingRuntime.cpp', 'profile-writer'],
        ['_dl_fini', null, 'other'],
      ],
    );
  });

  it('has no registered function when the script could not read it', () => {
    const s = preMain();
    s.hit('atexit-register', 'atexit');
    const [registration] = s.build().registrations;
    assert.equal(registration?.registered, null);
    assert.equal(registration?.kind, 'other');
  });

  it('flags the profile writer, registered by __llvm_profile_register_write_file_atexit', () => {
    const s = preMain();
    s.hit('atexit-register', '__cxa_atexit', {
      registered: 'writeFileWithoutReturn',
      callers: ['__llvm_profile_register_write_file_atexit', '__llvm_profile_initialize'],
    });
    const [registration] = s.build().registrations;
    assert.equal(registration?.kind, 'profile-writer');
    assert.equal(registration?.registeredBy?.symbol, '__llvm_profile_register_write_file_atexit');
  });
});

describe('timeline: exit-order prediction (LIFO)', () => {
  function registered(order: string[], census = false) {
    const s = new Scenario();
    const seqs = order.map((fn) => s.hit('atexit-register', '__cxa_atexit', { registered: fn }));
    return { prediction: predictExitOrder(s.build(undefined, { census })), seqs };
  }

  it('predicts the writer first when it was registered last (profile-first link order)', () => {
    const { prediction, seqs } = registered(['mi_process_done', 'other', 'writeFileWithoutReturn']);
    assert.equal(prediction.first, 'profile-writer');
    assert.deepEqual(prediction.order, [...seqs].reverse());
    assert.deepEqual(prediction.evidence, [seqs[0], seqs[2]]);
    assert.match(prediction.reason, /writeFileWithoutReturn \(#3\) was registered after mi_process_done \(#1\)/);
    assert.match(prediction.reason, /a prediction .* not evidence/);
  });

  it('predicts the teardown first when mimalloc registered last (allocator-first link order)', () => {
    const { prediction } = registered(['writeFileWithoutReturn', 'mi_process_done']);
    assert.equal(prediction.first, 'allocator-teardown');
  });

  it('makes no prediction when only one of them was seen, suggesting --census', () => {
    const { prediction, seqs } = registered(['writeFileWithoutReturn']);
    assert.equal(prediction.first, null);
    assert.deepEqual(prediction.evidence, seqs);
    assert.match(prediction.reason, /only writeFileWithoutReturn \(#1\) was seen registered.*try --census/);
    assert.doesNotMatch(registered(['writeFileWithoutReturn'], true).prediction.reason, /--census/);
  });

  it('makes no prediction from unrelated registrations', () => {
    const { prediction } = registered(['a', 'b']);
    assert.equal(prediction.first, null);
    assert.match(prediction.reason, /neither .* among the 2 of the atexit registrations before main/);
  });
});

describe('timeline: outcome from events', () => {
  const cases: Array<[string, DebugExitEvent[], SessionOutcome]> = [];
  const ev = (build: (s: Scenario) => void): DebugExitEvent[] => {
    const scenario = new Scenario();
    build(scenario);
    return scenario.build().events;
  };
  cases.push(['exit status', ev((x) => x.exit(3)), { kind: 'exited', status: 3 }]);
  cases.push([
    'crash then death',
    ev((x) => {
      x.signal('SIGSEGV', ['f']);
      x.exit(-1, 11);
    }),
    { kind: 'signaled', signal: 'SIGSEGV' },
  ]);
  cases.push(['death by signal, no stop', ev((x) => x.exit(-1, 9)), { kind: 'signaled', signal: 'signal 9' }]);
  cases.push([
    'crash stop, never reaped',
    ev((x) => x.signal('SIGBUS', ['f'])),
    { kind: 'signaled', signal: 'SIGBUS' },
  ]);
  cases.push([
    'timeout wins over the kill',
    ev((x) => {
      x.error('timeout', 't');
      x.exit(-1, 9);
    }),
    { kind: 'timeout', seconds: null },
  ]);
  cases.push([
    'launch failed',
    ev((x) => x.error('launch-failed', 'no such file')),
    { kind: 'launch-failed', message: 'no such file' },
  ]);
  cases.push([
    'target failed',
    ev((x) => x.error('target-failed', 'bad arch')),
    { kind: 'launch-failed', message: 'bad arch' },
  ]);
  cases.push(['nothing ended it', ev((x) => x.hit('main', 'main')), { kind: 'cut' }]);
  for (const [name, events, expected] of cases) {
    it(name, () => assert.deepEqual(outcomeFromEvents(events), expected));
  }

  it('describes each outcome in words', () => {
    assert.equal(describeOutcome({ kind: 'exited', status: 0 }), 'exited with status 0');
    assert.equal(describeOutcome({ kind: 'signaled', signal: 'SIGSEGV' }), 'terminated by SIGSEGV');
    assert.equal(describeOutcome({ kind: 'timeout', seconds: 30 }), 'killed at the 30 s timeout');
    assert.equal(describeOutcome({ kind: 'cut' }), 'recording cut mid-session');
    assert.equal(describeOutcome({ kind: 'launch-failed', message: 'm' }), 'launch failed: m');
    assert.match(describeOutcome({ kind: 'lldb-died', lastOutput: 'boom\n' }), /^LLDB died \(last output: "boom"\)$/);
  });
});

describe('timeline: symbols', () => {
  const names: Array<[string, string]> = [
    ['writeOneValueProfData', 'writeOneValueProfData'],
    ['initializeValueProfRuntimeRecord.cold', 'initializeValueProfRuntimeRecord'],
    ['lprofWriteDataImpl.part.0', 'lprofWriteDataImpl'],
    ['foo(int, char**)', 'foo'],
    ['initializeValueProfRuntimeRecord + 99', 'initializeValueProfRuntimeRecord'],
    ['__GI___cxa_atexit', '__cxa_atexit'],
    ['__GI__exit', '_exit'],
    ['__GI_exit', 'exit'],
  ];
  for (const [input, expected] of names) it(`baseSymbol(${input})`, () => assert.equal(baseSymbol(input), expected));

  it('finds the calling frame past the probed function, whatever LLDB named its frame', () => {
    const s = new Scenario();
    s.hit('process-exit', 'exit', { frameSymbol: 'exit_impl_renamed', callers: ['__libc_start_call_main'] });
    s.hit('main', 'main', { callers: [] });
    const [exit, main] = s.build().events;
    assert.equal(exit?.kind === 'hit' ? callerFrame(exit)?.symbol : 'not a hit', '__libc_start_call_main');
    assert.equal(main?.kind === 'hit' ? callerFrame(main) : 'not a hit', undefined);
  });

  it('knows the writer by name and by prefix, and nothing else', () => {
    assert.ok(isProfileWriterSymbol('writeFileWithoutReturn'));
    assert.ok(isProfileWriterSymbol('lprofGetVPDataReader'));
    assert.ok(isProfileWriterSymbol('__llvm_profile_begin_data'));
    assert.ok(!isProfileWriterSymbol('mi_process_done'));
    assert.ok(!isProfileWriterSymbol('main'));
  });
});
