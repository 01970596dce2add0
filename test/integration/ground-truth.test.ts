/**
 * The fixtures' ground truth, established with plain lldb-19 --batch (not the tool under test):
 * link order decides the exit order, the destroy-on-exit build and the mixed-version build crash
 * inside the profile writer, _exit runs no exit handler.
 */
import assert from 'node:assert/strict';
import { batchRun } from '../helpers/lldb-batch';
import { fixture } from '../helpers/fixtures';

const TEARDOWN = 'mi_process_done';
const EXIT_WRITE = 'writeFileWithoutReturn';

function exitOrder(stops: string[]): string[] {
  return stops.filter((s) => s === TEARDOWN || s === EXIT_WRITE);
}

describe('fixture ground truth (plain lldb --batch)', function () {
  this.timeout(120000);

  it('profile-first: writeFileWithoutReturn runs before mi_process_done', () => {
    const run = batchRun(fixture('profile-first'), [TEARDOWN, EXIT_WRITE]);
    assert.deepEqual(exitOrder(run.stops), [EXIT_WRITE, TEARDOWN], run.output);
  });

  it('allocator-first: mi_process_done runs before writeFileWithoutReturn', () => {
    const run = batchRun(fixture('allocator-first'), [TEARDOWN, EXIT_WRITE]);
    assert.deepEqual(exitOrder(run.stops), [TEARDOWN, EXIT_WRITE], run.output);
  });

  it('allocator-first with MIMALLOC_DESTROY_ON_EXIT=1 segfaults inside the profile writer after teardown', () => {
    const run = batchRun(fixture('allocator-first'), [TEARDOWN, EXIT_WRITE], { MIMALLOC_DESTROY_ON_EXIT: '1' });
    assert.deepEqual(exitOrder(run.stops), [TEARDOWN, EXIT_WRITE], run.output);
    const crash = run.output.slice(run.output.indexOf('SIGSEGV'));
    assert.match(run.output, /stop reason = signal SIGSEGV/);
    assert.match(crash, /writeFileWithoutReturn|__llvm_profile_write_file|lprofWriteData/);
  });

  it('mixed-profile-versions segfaults in initializeValueProfRuntimeRecord with no mimalloc', () => {
    const run = batchRun(fixture('mixed-profile-versions'), [EXIT_WRITE]);
    assert.match(run.output, /stop reason = signal SIGSEGV/);
    const crash = run.output.slice(run.output.indexOf('SIGSEGV'));
    assert.match(crash, /frame #0: .*`initializeValueProfRuntimeRecord/);
    assert.match(crash, /__llvm_profile_write_file/);
    assert.doesNotMatch(run.output, /mi_process_done|mimalloc/);
  });

  it('early-write: main writes the profile, then the exit-time write runs', () => {
    const run = batchRun(fixture('early-write'), ['__llvm_profile_write_file', EXIT_WRITE]);
    assert.deepEqual(
      run.stops.slice(0, 3),
      ['__llvm_profile_write_file', EXIT_WRITE, '__llvm_profile_write_file'],
      run.output,
    );
    assert.match(run.output, /frame #1: .*`main/);
  });

  it('underscore-exit: neither the exit-time write nor mi_process_done runs', () => {
    const run = batchRun(fixture('underscore-exit'), [TEARDOWN, EXIT_WRITE, '_exit']);
    assert.deepEqual(run.stops, ['_exit'], run.output);
  });
});
