/** The integrity verdict, and how it changes what a writer crash is attributed to. */
import assert from 'node:assert/strict';
import { judgeTimeline } from '../../src/timeline/verdict';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';

const WRITER_CRASH = [
  'initializeValueProfRuntimeRecord',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  '__llvm_profile_write_file',
];

/** The trap: the allocator does tear down first, and the profile data is corrupt as well. */
function trap(status: 'consistent' | 'corrupt') {
  const s = new Scenario();
  s.hello();
  s.resolveRoles(ALL_ROLES);
  s.hit('process-exit', 'exit');
  s.hit('allocator-teardown', 'mi_process_done', { callers: ['__run_exit_handlers'] });
  s.hit('profile-write', 'writeFileWithoutReturn', { callers: ['__run_exit_handlers'] });
  const check = s.integrity(
    status,
    status === 'corrupt' ? 'record 3 of 9: NumValueSites 40000 in a 48-byte v8 record' : 'all 9 records fit v10',
  );
  const crash = s.signal('SIGSEGV', WRITER_CRASH);
  return { timeline: s.build(), check, crash };
}

describe('profile-data integrity', () => {
  it('corrupt data explains the writer crash even after a teardown (the trap)', () => {
    const { timeline, check, crash } = trap('corrupt');
    const v = judgeTimeline(timeline);
    assert.equal(v.allocatorFirst.result, 'confirmed', 'ordering alone says allocator first');
    assert.equal(v.integrity.result, 'corrupt');
    assert.deepEqual(v.integrity.evidence, [check]);
    assert.equal(v.crash.result, 'attributed-to-corrupt-profile-data');
    assert.ok(v.crash.evidence.includes(check) && v.crash.evidence.includes(crash));
  });

  it('consistent data leaves the crash consistent with allocator-first', () => {
    const v = judgeTimeline(trap('consistent').timeline);
    assert.equal(v.integrity.result, 'consistent');
    assert.equal(v.crash.result, 'consistent-with-allocator-first');
  });

  it('no check made: unknown, and the verdict says why', () => {
    const s = new Scenario();
    s.hello();
    s.resolveRoles(NO_ALLOCATOR_ROLES);
    s.hit('process-exit', '_exit');
    s.exit(0);
    const v = judgeTimeline(s.build());
    assert.equal(v.integrity.result, 'unknown');
    assert.match(v.integrity.reason, /not checked/);
  });
});
