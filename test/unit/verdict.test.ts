import assert from 'node:assert/strict';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';
import type { Timeline } from '../../src/timeline/timeline';
import {
  judgeAllocatorFirst,
  judgeExplicitWrites,
  type AllocatorFirstResult,
  type InconclusiveCause,
  type WriteWitness,
} from '../../src/timeline/verdict';

interface Expected {
  result: AllocatorFirstResult;
  cause?: InconclusiveCause;
  witness?: WriteWitness | null;
  evidence: number[];
  reason: RegExp[];
}

interface Case {
  name: string;
  build(): { timeline: Timeline; expected: Expected };
}

const AT_EXIT = ['__run_exit_handlers', 'exit'];

/** Probes resolved, main entered. */
function begin(roles = ALL_ROLES): Scenario {
  const s = new Scenario();
  s.hello();
  s.resolveRoles(roles);
  s.hit('main', 'main', { callers: ['__libc_start_call_main'] });
  return s;
}

/** ... then exit entered from main's return. */
function start(roles = ALL_ROLES): { s: Scenario; exit: number } {
  const s = begin(roles);
  return { s, exit: s.hit('process-exit', 'exit', { callers: ['__libc_start_call_main'] }) };
}

/** As lldb-19 shows it on Linux: writeFileWithoutReturn tail-calls __llvm_profile_write_file. */
function exitTimeWrite(s: Scenario): number {
  const writer = s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  s.hit('profile-write', '__llvm_profile_write_file', { callers: AT_EXIT });
  return writer;
}

/** The mixed-profile-versions crash as lldb-19 shows it: no writeFileWithoutReturn frame. */
const WRITER_CRASH = [
  'initializeValueProfRuntimeRecord + 99',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  'lprofWriteData',
  'writeFile',
  '__llvm_profile_write_file',
  '__run_exit_handlers',
  '__GI_exit',
  '__libc_start_call_main',
];

const CASES: Case[] = [
  {
    name: 'allocator-first order: teardown before the exit-time writer -> confirmed',
    build() {
      const { s, exit } = start();
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const release = s.hit('allocator-release', '_mi_heap_destroy_all', { callers: ['mi_process_done', ...AT_EXIT] });
      const writer = exitTimeWrite(s);
      s.hit('process-exit', '_exit', { callers: AT_EXIT }); // exit ends in _exit: not an abrupt exit
      s.exit(0);
      const reason = [/mi_process_done \(#\d+\) ran before the exit-time writer writeFileWithoutReturn/];
      return {
        timeline: s.build(),
        expected: { result: 'confirmed', witness: 'exit-time-writer', evidence: [exit, done, release, writer], reason },
      };
    },
  },
  {
    name: 'profile-first order: exit-time writer before teardown -> refuted',
    build() {
      const { s, exit } = start();
      const writer = exitTimeWrite(s);
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      s.exit(0);
      const reason = [
        /began before any allocator teardown/,
        new RegExp(`mi_process_done ran only afterwards \\(#${done}\\)`),
      ];
      return {
        timeline: s.build(),
        expected: { result: 'refuted', witness: 'exit-time-writer', evidence: [exit, writer, done], reason },
      };
    },
  },
  {
    name: 'teardown probes resolved but no teardown ran -> refuted, resting on the resolutions',
    build() {
      const s = new Scenario();
      const resolutions = s.resolveRoles(['allocator-teardown']);
      s.resolveRoles(['profile-write', 'process-exit']);
      const exit = s.hit('process-exit', 'exit');
      const writer = exitTimeWrite(s);
      s.exit(0);
      const reason = [/no teardown entry point ran before it \(resolved: mi_process_done, mi_process_detach/];
      return { timeline: s.build(), expected: { result: 'refuted', evidence: [...resolutions, exit, writer], reason } };
    },
  },
  {
    name: 'no mimalloc probes resolved -> inconclusive, naming the probes',
    build() {
      const { s, exit } = start(NO_ALLOCATOR_ROLES);
      const teardown = ['mi_process_done', 'mi_process_detach', '_mi_process_done', '_mi_auto_process_done'].map(
        (sym) => s.unresolved('allocator-teardown', sym),
      );
      const writer = exitTimeWrite(s);
      s.exit(0);
      const reason = [
        /allocator-teardown probes did not resolve \(mi_process_done, mi_process_detach, _mi_process_done, _mi_auto_process_done\)/,
      ];
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'teardown-unresolved',
          witness: 'exit-time-writer',
          evidence: [exit, ...teardown, writer].sort((a, b) => a - b),
          reason,
        },
      };
    },
  },
  {
    name: 'teardown probes never reported at all -> inconclusive, naming the catalogue symbols',
    build() {
      const s = new Scenario();
      s.resolveRoles(['profile-write', 'process-exit']);
      const exit = s.hit('process-exit', 'exit');
      const writer = exitTimeWrite(s);
      s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'teardown-unresolved',
          evidence: [exit, writer],
          reason: [/\(mi_process_done, mi_process_detach/],
        },
      };
    },
  },
  {
    name: 'left through _exit -> inconclusive, no exit handler ran',
    build() {
      const s = begin();
      const underscore = s.hit('process-exit', '_exit', { callers: ['main'] });
      s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'exit-handlers-skipped',
          evidence: [underscore],
          reason: [/left through _exit \(#\d+\) from main: no exit handler ran/],
        },
      };
    },
  },
  {
    name: 'killed at the timeout before exit -> inconclusive',
    build() {
      const s = begin();
      const timeout = s.error('timeout', 'the program outlived the 5 s timeout and was killed');
      s.exit(-1, 9);
      return {
        timeline: s.build({ kind: 'timeout', seconds: 5 }),
        expected: {
          result: 'inconclusive',
          cause: 'timeout',
          evidence: [timeout],
          reason: [/killed at the 5 s timeout before exit was entered/],
        },
      };
    },
  },
  {
    name: 'killed at the timeout inside exit (a handler hangs) -> inconclusive, saying exit was entered',
    build() {
      const { s, exit } = start();
      const timeout = s.error('timeout', 'killed');
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'timeout',
          evidence: [exit, timeout],
          reason: [/killed at the timeout after exit was entered \(#\d+\)/],
        },
      };
    },
  },
  {
    name: 'crash in writer frames after teardown, writer probes unresolved -> confirmed by the crash',
    build() {
      const { s, exit } = start();
      s.unresolved('profile-write', 'writeFileWithoutReturn'); // supersedes the earlier resolution
      s.unresolved('profile-write', '__llvm_profile_write_file');
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', [
        'strlen',
        'getCurFilenameLength',
        'lprofWriteDataImpl',
        '__llvm_profile_write_file',
        ...AT_EXIT,
      ]);
      s.exit(-1, 11);
      return {
        timeline: s.build(),
        expected: {
          result: 'confirmed',
          witness: 'writer-crash',
          evidence: [exit, done, crash],
          reason: [/the exit-time write \(seen only in the SIGSEGV inside lprofWriteDataImpl, #\d+\)/],
        },
      };
    },
  },
  {
    name: 'crash in writer frames with no teardown before it -> refuted by the crash',
    build() {
      const { s, exit } = start();
      s.unresolved('profile-write', 'writeFileWithoutReturn');
      s.unresolved('profile-write', '__llvm_profile_write_file');
      const crash = s.signal('SIGSEGV', ['initializeValueProfRuntimeRecord', 'writeOneValueProfData', ...AT_EXIT]);
      return {
        timeline: s.build(),
        expected: {
          result: 'refuted',
          witness: 'writer-crash',
          reason: [/began before any allocator teardown/],
          evidence: [exit, crash, ...teardownSeqs(s.build())],
        },
      };
    },
  },
  {
    name: 'crash in the writer seen only in its frames (exit and writer probes unresolved) -> confirmed after teardown',
    build() {
      const s = begin();
      for (const sym of ['writeFileWithoutReturn', '__llvm_profile_write_file']) s.unresolved('profile-write', sym);
      s.unresolved('process-exit', 'exit');
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', WRITER_CRASH);
      return {
        timeline: s.build(),
        expected: {
          result: 'confirmed',
          witness: 'writer-crash',
          evidence: [done, crash],
          reason: [/inside initializeValueProfRuntimeRecord \+ 99, #\d+\)/],
        },
      };
    },
  },
  {
    name: 'a writer crash with a backtrace cut short still counts when exit was entered before it',
    build() {
      const { s, exit } = start();
      for (const sym of ['writeFileWithoutReturn', '__llvm_profile_write_file']) s.unresolved('profile-write', sym);
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', WRITER_CRASH.slice(0, 3));
      return {
        timeline: s.build(),
        expected: {
          result: 'confirmed',
          witness: 'writer-crash',
          evidence: [exit, done, crash],
          reason: [/ran before the exit-time write/],
        },
      };
    },
  },
  {
    name: 'a crash in writer frames that are not at exit is not the exit-time write',
    build() {
      const s = begin();
      for (const sym of ['writeFileWithoutReturn', '__llvm_profile_write_file']) s.unresolved('profile-write', sym);
      s.unresolved('process-exit', 'exit');
      s.hit('allocator-teardown', 'mi_process_done', { callers: ['main'] });
      const crash = s.signal('SIGSEGV', [
        'writeOneValueProfData',
        'lprofWriteDataImpl',
        '__llvm_profile_write_file',
        'main',
      ]);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'crashed-before-exit',
          evidence: [crash],
          reason: [/a write the program made itself/],
        },
      };
    },
  },
  {
    name: 'a teardown nested inside the writer does not count as running before it',
    build() {
      const { s, exit } = start();
      s.unresolved('profile-write', 'writeFileWithoutReturn');
      s.unresolved('profile-write', '__llvm_profile_write_file');
      s.hit('allocator-teardown', 'mi_process_done', { callers: ['lprofWriteDataImpl', ...AT_EXIT] });
      const crash = s.signal('SIGSEGV', ['lprofWriteDataImpl', ...AT_EXIT]);
      return {
        timeline: s.build(),
        expected: {
          result: 'refuted',
          witness: 'writer-crash',
          reason: [/began before any allocator teardown/],
          evidence: [exit, crash, ...teardownSeqs(s.build())],
        },
      };
    },
  },
  {
    name: 'crash in writer frames before exit (an explicit write) -> inconclusive, crashed before exit',
    build() {
      const s = begin();
      s.hit('allocator-release', '_mi_heap_destroy_all', { callers: ['mi_collect', 'main'] });
      const crash = s.signal('SIGSEGV', [
        'writeOneValueProfData',
        'lprofWriteDataImpl',
        '__llvm_profile_write_file',
        'main',
      ]);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'crashed-before-exit',
          evidence: [crash],
          reason: [/inside the profile writer \(writeOneValueProfData: a write the program made itself\) before exit/],
        },
      };
    },
  },
  {
    name: 'crash at exit outside the writer, before the write -> inconclusive, crashed at exit',
    build() {
      const { s, exit } = start();
      s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', ['_mi_segment_free', 'mi_process_done', ...AT_EXIT]);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'crashed-at-exit',
          evidence: [exit, crash],
          reason: [/after exit was entered \(#\d+\), before the exit-time write ran/],
        },
      };
    },
  },
  {
    name: 'early explicit write, then the exit-time write after teardown -> confirmed on the exit-time write',
    build() {
      const s = begin();
      s.hit('profile-write', '__llvm_profile_write_file', { callers: ['main'] });
      const exit = s.hit('process-exit', 'exit');
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      const writer = exitTimeWrite(s);
      s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'confirmed',
          witness: 'exit-time-writer',
          evidence: [exit, done, writer],
          reason: [/ran before the exit-time writer/],
        },
      };
    },
  },
  {
    name: 'writeFileWithoutReturn unresolved: the first write after exit stands for it',
    build() {
      const s = new Scenario();
      s.resolveRoles(ALL_ROLES);
      s.unresolved('profile-write', 'writeFileWithoutReturn');
      s.unresolved('process-exit', 'exit');
      const fini = s.hit('process-exit', '_dl_fini', { callers: ['__run_exit_handlers', 'exit'] });
      const done = s.hit('allocator-teardown', 'mi_process_done', { callers: ['__cxa_finalize', '_dl_fini'] });
      const write = s.hit('profile-write', '__llvm_profile_write_file', { callers: ['??', ...AT_EXIT] });
      s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'confirmed',
          witness: 'write-after-exit',
          evidence: [fini, done, write],
          reason: [/the first profile write after exit \(writeFileWithoutReturn did not resolve\)/],
        },
      };
    },
  },
  {
    name: 'writer resolved but never ran; a write from another exit handler does not stand for it',
    build() {
      const { s, exit } = start();
      const register = s.hit('profile-register', '__llvm_profile_register_write_file_atexit');
      s.hit('profile-write', '__llvm_profile_write_file', { callers: ['my_handler', ...AT_EXIT] });
      s.hit('process-exit', '_exit', { callers: AT_EXIT }); // the end of exit, not an abrupt exit
      const gone = s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'exit-time-write-missing',
          evidence: [exit, register, gone].sort((a, b) => a - b),
          reason: [
            /writeFileWithoutReturn did not run although __llvm_profile_register_write_file_atexit registered it/,
          ],
        },
      };
    },
  },
  {
    name: 'cut recording after exit was entered -> inconclusive, cut',
    build() {
      const { s, exit } = start();
      return {
        timeline: s.build({ kind: 'cut' }),
        expected: {
          result: 'inconclusive',
          cause: 'cut',
          evidence: [exit],
          reason: [new RegExp(`recording ends \\(last event #${exit}\\) after exit was entered`)],
        },
      };
    },
  },
  {
    name: 'LLDB died mid-session -> inconclusive, lldb-died',
    build() {
      const s = new Scenario();
      s.resolveRoles(ALL_ROLES);
      const main = s.hit('main', 'main');
      return {
        timeline: s.build({ kind: 'lldb-died', lastOutput: 'Segmentation fault (core dumped)' }),
        expected: {
          result: 'inconclusive',
          cause: 'lldb-died',
          evidence: [main],
          reason: [/^LLDB died before exit was entered/],
        },
      };
    },
  },
  {
    name: 'launch failed -> inconclusive, launch-failed',
    build() {
      const s = new Scenario();
      const error = s.error('launch-failed', 'no such file: /tmp/app');
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'launch-failed',
          evidence: [error],
          reason: [/never ran: no such file/],
        },
      };
    },
  },
  {
    name: 'program not instrumented -> inconclusive, naming the profile-write probes',
    build() {
      const s = new Scenario();
      s.resolveRoles(['main', 'process-exit', 'allocator-teardown']);
      const unresolved = s.resolveRoles(['profile-write'], 0);
      s.hit('process-exit', 'exit');
      s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'writer-unresolved',
          evidence: unresolved,
          reason: [
            /profile-write probes did not resolve \(writeFileWithoutReturn, __llvm_profile_write_file, lprofWriteDataImpl/,
          ],
        },
      };
    },
  },
  {
    name: 'ended by a signal with no crash stop (SIGKILL from outside) -> inconclusive, killed',
    build() {
      const { s, exit } = start();
      const gone = s.exit(-1, 9);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'killed',
          evidence: [exit, gone],
          reason: [/ended by signal 9 after exit was entered/],
        },
      };
    },
  },
  {
    name: 'exit never seen entered although the process exited -> inconclusive, exit-not-observed',
    build() {
      const s = new Scenario();
      s.resolveRoles(['profile-write', 'allocator-teardown']);
      s.unresolved('process-exit', 'exit');
      const gone = s.exit(3);
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'exit-not-observed',
          evidence: [gone],
          reason: [/exited with status 3, but exit was never seen entered \(the exit probe did not resolve\)/],
        },
      };
    },
  },
  {
    name: 'a missing write with no mimalloc either says both',
    build() {
      const s = new Scenario();
      s.resolveRoles(NO_ALLOCATOR_ROLES);
      const teardown = s.unresolved('allocator-teardown', 'mi_process_done');
      const underscore = s.hit('process-exit', '_Exit', { callers: ['main'] });
      return {
        timeline: s.build(),
        expected: {
          result: 'inconclusive',
          cause: 'exit-handlers-skipped',
          evidence: [teardown, underscore],
          reason: [/left through _Exit/, /also, the allocator-teardown probes did not resolve \(mi_process_done\)/],
        },
      };
    },
  },
];

function teardownSeqs(timeline: Timeline): number[] {
  return timeline.probes.filter((p) => p.role === 'allocator-teardown').map((p) => p.seq);
}

describe('verdict: allocator-cleanup-first', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const { timeline, expected } = testCase.build();
      const verdict = judgeAllocatorFirst(timeline);
      assert.equal(verdict.name, 'allocator-cleanup-first');
      assert.equal(verdict.result, expected.result, verdict.reason);
      assert.equal(verdict.cause, expected.cause ?? null, verdict.reason);
      if (expected.witness !== undefined) assert.equal(verdict.witness, expected.witness);
      assert.deepEqual(
        verdict.evidence,
        [...new Set(expected.evidence)].sort((a, b) => a - b),
        verdict.reason,
      );
      for (const pattern of expected.reason) assert.match(verdict.reason, pattern);
    });
  }
});

describe('verdict: explicit writes', () => {
  it('reports an early write apart, with its caller, saying it tells nothing about exit order', () => {
    const s2 = begin();
    const early = s2.hit('profile-write', '__llvm_profile_write_file', { callers: ['main'] });
    s2.hit('process-exit', 'exit');
    exitTimeWrite(s2);
    const verdict = judgeExplicitWrites(s2.build());
    assert.equal(verdict.result, 'present');
    assert.deepEqual(verdict.evidence, [early]);
    assert.deepEqual(
      verdict.writes.map((w) => [w.seq, w.caller?.symbol]),
      [[early, 'main']],
    );
    assert.match(
      verdict.reason,
      /^1 profile write the program made itself before exit \(#\d+ from main\): they say nothing about exit order$/,
    );
  });

  it('finds none when the only write is the exit-time one', () => {
    const { s } = start();
    exitTimeWrite(s);
    const verdict = judgeExplicitWrites(s.build());
    assert.equal(verdict.result, 'none');
    assert.deepEqual(verdict.evidence, []);
  });

  it('counts writes when exit was never entered (the program left through _exit)', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    const a = s.hit('profile-write', '__llvm_profile_write_file', { callers: ['main'] });
    const b = s.hit('profile-write', '__llvm_profile_write_file', { callers: ['flush_profile', 'main'] });
    s.hit('process-exit', '_exit', { callers: ['main'] });
    const verdict = judgeExplicitWrites(s.build());
    assert.deepEqual(verdict.evidence, [a, b]);
    assert.match(verdict.reason, /^2 profile writes/);
  });

  it('does not count the write writeFileWithoutReturn tail-calls, even with exit unobserved', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.unresolved('process-exit', 'exit');
    const explicit = s.hit('profile-write', '__llvm_profile_write_file', { callers: ['main'] });
    exitTimeWrite(s);
    s.hit('profile-write', '__llvm_profile_write_file', { callers: AT_EXIT, tid: 7 }); // another thread's own write
    const verdict = judgeExplicitWrites(s.build());
    assert.deepEqual(verdict.evidence, [explicit, explicit + 3]);
  });

  it('does not count the fallback exit-time write (writeFileWithoutReturn unresolved)', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.unresolved('profile-write', 'writeFileWithoutReturn');
    s.hit('process-exit', 'exit');
    s.hit('profile-write', '__llvm_profile_write_file', { callers: AT_EXIT });
    assert.equal(judgeExplicitWrites(s.build()).result, 'none');
  });
});
