import assert from 'node:assert/strict';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';
import type { ProbeRole } from '../../src/timeline/events';
import type { Timeline } from '../../src/timeline/timeline';
import {
  attributeCrash,
  type AllocatorState,
  type CrashResult,
  type ProfileIntegrity,
} from '../../src/timeline/verdict';

const AT_EXIT = ['__run_exit_handlers', 'exit'];
/** As lldb-19 shows the mixed-profile-versions crash (writeFileWithoutReturn tail-called away). */
const WRITER_STACK = [
  'initializeValueProfRuntimeRecord',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  'lprofWriteData',
  'writeFile',
  '__llvm_profile_write_file',
  '__run_exit_handlers',
  '__GI_exit',
];

interface Expected {
  result: CrashResult;
  allocator: AllocatorState | null;
  writerFrame: string | null;
  evidence: number[];
  reason: RegExp[];
}

interface Case {
  name: string;
  integrity?: ProfileIntegrity;
  build(): { timeline: Timeline; expected: Expected };
}

function exitingWith(roles: readonly ProbeRole[]): Scenario {
  const s = new Scenario();
  s.resolveRoles(roles);
  s.hit('main', 'main');
  s.hit('process-exit', 'exit');
  return s;
}

/** allocator-first with MIMALLOC_DESTROY_ON_EXIT=1: teardown, then the writer crashes. */
function tornDownThenWriterCrash(): { s: Scenario; done: number; crash: number } {
  const s = exitingWith(ALL_ROLES);
  const done = s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
  s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
  const crash = s.signal('SIGSEGV', WRITER_STACK);
  return { s, done, crash };
}

const CASES: Case[] = [
  {
    name: 'no signal -> no-crash',
    build() {
      const s = exitingWith(ALL_ROLES);
      const gone = s.exit(0);
      return {
        timeline: s.build(),
        expected: {
          result: 'no-crash',
          allocator: null,
          writerFrame: null,
          evidence: [gone],
          reason: [/did not stop on a crash signal/],
        },
      };
    },
  },
  {
    name: 'an interrupt (SIGINT) is not a crash -> no-crash',
    build() {
      const s = exitingWith(ALL_ROLES);
      s.signal('SIGINT', ['writeOneValueProfData', ...AT_EXIT]);
      return {
        timeline: s.build({ kind: 'cut' }),
        expected: { result: 'no-crash', allocator: null, writerFrame: null, evidence: [], reason: [/did not stop/] },
      };
    },
  },
  {
    name: 'ended by SIGKILL with no stop -> no-crash, saying so',
    build() {
      const s = exitingWith(ALL_ROLES);
      const gone = s.exit(-1, 9);
      return {
        timeline: s.build(),
        expected: {
          result: 'no-crash',
          allocator: null,
          writerFrame: null,
          evidence: [gone],
          reason: [/ended by signal 9 without a crash stop/],
        },
      };
    },
  },
  {
    name: 'in writer frames after teardown -> consistent-with-allocator-first (integrity not checked)',
    build() {
      const { s, done, crash } = tornDownThenWriterCrash();
      const reason = [
        /inside the profile writer \(initializeValueProfRuntimeRecord\) after allocator teardown mi_process_done/,
        /: consistent with allocator-cleanup-first; profile data integrity was not checked$/,
      ];
      return {
        timeline: s.build(),
        expected: {
          result: 'consistent-with-allocator-first',
          allocator: 'torn-down',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [done, crash],
          reason,
        },
      };
    },
  },
  {
    name: 'in writer frames after teardown, data consistent -> consistent, saying the data is',
    integrity: { status: 'consistent', evidence: [2] },
    build() {
      const { s, done, crash } = tornDownThenWriterCrash();
      return {
        timeline: s.build(),
        expected: {
          result: 'consistent-with-allocator-first',
          allocator: 'torn-down',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [2, done, crash],
          reason: [/the profile data is consistent$/],
        },
      };
    },
  },
  {
    name: 'in writer frames after teardown with corrupt data -> attributed to the corruption',
    integrity: { status: 'corrupt', reason: 'record size 64, runtime expects 72', evidence: [3] },
    build() {
      const { s, crash } = tornDownThenWriterCrash();
      const reason = [
        /with corrupt profile data \(see profile-data-integrity, #3\); the allocator was torn down first, and that does not explain it: the corruption explains the crash whatever the allocator order/,
      ];
      return {
        timeline: s.build(),
        expected: {
          result: 'attributed-to-corrupt-profile-data',
          allocator: 'torn-down',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [3, crash],
          reason,
        },
      };
    },
  },
  {
    name: 'in writer frames, allocator live (profile-first) -> not explained by the allocator',
    build() {
      const s = exitingWith(ALL_ROLES);
      s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', WRITER_STACK);
      const teardown = s
        .build()
        .probes.filter((p) => p.role === 'allocator-teardown')
        .map((p) => p.seq);
      const reason = [
        /while the allocator was live/,
        /not explained by allocator-cleanup-first; check the profile data/,
      ];
      return {
        timeline: s.build(),
        expected: {
          result: 'not-explained-by-allocator',
          allocator: 'live',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [...teardown, crash],
          reason,
        },
      };
    },
  },
  {
    name: 'in writer frames, no allocator at all (mixed profile versions) -> not explained by the allocator',
    build() {
      const s = exitingWith(NO_ALLOCATOR_ROLES);
      const absent = s.resolveRoles(['allocator-init', 'allocator-teardown'], 0);
      s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
      const crash = s.signal('SIGSEGV', WRITER_STACK);
      const reason = [/with no allocator probe resolved \(no mimalloc\): not explained/];
      return {
        timeline: s.build(),
        expected: {
          result: 'not-explained-by-allocator',
          allocator: 'absent',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [...absent, crash],
          reason,
        },
      };
    },
  },
  {
    name: 'in writer frames, allocator live, corrupt data -> attributed to the corruption',
    integrity: { status: 'corrupt' },
    build() {
      const s = exitingWith(ALL_ROLES);
      const crash = s.signal('SIGSEGV', WRITER_STACK);
      return {
        timeline: s.build(),
        expected: {
          result: 'attributed-to-corrupt-profile-data',
          allocator: 'live',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [crash],
          reason: [/corrupt profile data: the corruption/],
        },
      };
    },
  },
  {
    name: 'in writer frames, allocator present but its teardown unresolvable -> allocator-state-unknown',
    build() {
      const s = exitingWith(NO_ALLOCATOR_ROLES);
      const init = s.resolved('allocator-init', 'mi_process_load');
      s.unresolved('allocator-teardown', 'mi_process_done');
      const crash = s.signal('SIGSEGV', WRITER_STACK);
      return {
        timeline: s.build(),
        expected: {
          result: 'allocator-state-unknown',
          allocator: 'unknown',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [init, crash],
          reason: [/cannot tell whether the allocator was torn down/],
        },
      };
    },
  },
  {
    name: 'outside the writer (a crash in the program) -> outside-profile-writer',
    build() {
      const s = exitingWith(ALL_ROLES);
      const crash = s.signal('SIGSEGV', ['parse_config', 'main']);
      return {
        timeline: s.build(),
        expected: {
          result: 'outside-profile-writer',
          allocator: null,
          writerFrame: null,
          evidence: [crash],
          reason: [/^SIGSEGV in app`parse_config \(#\d+\), outside the profile writer's frames$/],
        },
      };
    },
  },
  {
    name: 'writer frames by name pattern: lprof*, __llvm_profile*, .cold suffixes',
    build() {
      const s = exitingWith(NO_ALLOCATOR_ROLES);
      const crash = s.signal('SIGBUS', [
        'memcpy',
        'lprofBufferIOWrite.cold',
        '__llvm_profile_write_buffer_internal',
        'main',
      ]);
      return {
        timeline: s.build(),
        expected: {
          result: 'not-explained-by-allocator',
          allocator: 'absent',
          writerFrame: 'lprofBufferIOWrite.cold',
          evidence: [crash],
          reason: [/SIGBUS in app`memcpy/],
        },
      };
    },
  },
  {
    name: 'the first crash counts, and only a teardown before it',
    build() {
      const s = exitingWith(ALL_ROLES);
      const crash = s.signal('SIGSEGV', WRITER_STACK);
      s.hit('allocator-teardown', 'mi_process_done', { callers: AT_EXIT });
      s.signal('SIGABRT', ['abort', 'mi_process_done']);
      const teardown = s
        .build()
        .probes.filter((p) => p.role === 'allocator-teardown')
        .map((p) => p.seq);
      return {
        timeline: s.build(),
        expected: {
          result: 'not-explained-by-allocator',
          allocator: 'live',
          writerFrame: 'initializeValueProfRuntimeRecord',
          evidence: [...teardown, crash],
          reason: [/live/],
        },
      };
    },
  },
];

describe('verdict: crash attribution', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const { timeline, expected } = testCase.build();
      const verdict = attributeCrash(timeline, testCase.integrity);
      assert.equal(verdict.name, 'crash-attribution');
      assert.equal(verdict.result, expected.result, verdict.reason);
      assert.equal(verdict.allocator, expected.allocator);
      assert.equal(verdict.writerFrame?.symbol ?? null, expected.writerFrame);
      assert.equal(verdict.integrity, testCase.integrity?.status ?? 'unknown');
      assert.deepEqual(
        verdict.evidence,
        [...expected.evidence].sort((a, b) => a - b),
        verdict.reason,
      );
      for (const pattern of expected.reason) assert.match(verdict.reason, pattern);
    });
  }
});
