/**
 * The interactive session end to end: the real CLI in a real pty, a person typing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture } from '../helpers/fixtures';
import { survivors } from '../helpers/processes';
// This clone's LLDBs: their command line imports this clone's script (other clones run tests too).
import { SCRIPT_PATH } from '../../src/session/capture';
import { runCli } from '../helpers/cli';
import { PtySession } from '../helpers/pty-session';

const PROMPT = /\(lldb\) $/m;

/** Ctrl-C until LLDB reports the program stopped (a keystroke can land before LLDB listens). */
async function interrupt(s: PtySession): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    s.type('\x03');
    try {
      await s.expect(/Process \d+ stopped/, 3000);
      return;
    } catch {
      // not yet: type it again
    }
  }
  throw new Error('LLDB never reported the program stopped after Ctrl-C');
}

describe('interactive session (real pty, real LLDB)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-interactive-'));
  });
  afterEach(() => {
    PtySession.disposeAll(); // a failed test must not leave its LLDB behind for the next one
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mixed-profile-versions: run, crash report, bt in the writer, run again, quit', async () => {
    const cast = path.join(dir, 'mixed.cast');
    const s = new PtySession(['--record', cast, '--', fixture('mixed-profile-versions')]);
    await s.expect(/probes in place.*Type `run`/);
    await s.expect(PROMPT);
    s.type('run\r');
    await s.expect(/\[debug-exit\] #\d+ profile-write writeFileWithoutReturn/);
    const crash = await s.expect(/crash-attribution: ATTRIBUTED-TO-CORRUPT-PROFILE-DATA/);
    assert.match(crash, /debug-exit: run 1 crashed/);
    assert.match(crash, /allocator-cleanup-first: INCONCLUSIVE/);
    assert.doesNotMatch(s.screen, /\x1b_dx|dx;[0-9a-f]{16};/, 'no raw frames on screen');
    await s.expect(PROMPT);
    s.type('bt\r');
    const bt = await s.expect(PROMPT);
    assert.match(bt, /frame #0: .*initializeValueProfRuntimeRecord/);
    assert.match(bt, /__llvm_profile_write_file/);
    s.type('run\r');
    await s.expect(/debug-exit: run 1 ended/);
    await s.expect(/debug-exit: run 2 \(pid \d+\)/);
    await s.expect(/debug-exit: run 2 crashed/);
    await s.expect(PROMPT);
    s.type('quit\r');
    assert.equal(await s.exited, 0);
    assert.match(s.screen, new RegExp(`recording: ${cast.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.deepEqual(await survivors(fixture('mixed-profile-versions')), []);
  });

  it('allocator-first: the verdict is printed when the program exits, and the prompt stays', async () => {
    const s = new PtySession(['--no-record', '--', fixture('allocator-first')]);
    await s.expect(PROMPT);
    s.type('run\r');
    const report = await s.expect(/allocator-cleanup-first: CONFIRMED/);
    assert.match(report, /\[debug-exit\] #\d+ allocator-teardown mi_process_done/);
    assert.match(report, /debug-exit: run 1 ended/);
    await s.expect(PROMPT);
    s.type('quit\r');
    assert.equal(await s.exited, 0);
  });

  it('Ctrl-C reaches LLDB: the looping program stops and the session goes on', async () => {
    const s = new PtySession(['--no-record', '--', fixture('loop-forever')]);
    await s.expect(PROMPT);
    s.type('run\r');
    await s.expect(/\[debug-exit\] #\d+ main main/);
    await interrupt(s);
    await s.expect(PROMPT);
    // The session goes on: the program resumes, and is interrupted again.
    s.type('continue\r');
    await s.expect(/Process \d+ resuming/);
    await interrupt(s);
    await s.expect(PROMPT);
    s.type('process kill\r');
    await s.expect(/Process \d+ exited with status = 9/);
    s.type('quit\r');
    assert.equal(await s.exited, 0);
    assert.deepEqual(await survivors(fixture('loop-forever')), []);
  });

  it('SIGTERM to debug-exit: no LLDB or program left, and the recording replays', async () => {
    const cast = path.join(dir, 'term.cast');
    const s = new PtySession(['--record', cast, '--', fixture('loop-forever')]);
    await s.expect(PROMPT);
    s.type('run\r');
    await s.expect(/\[debug-exit\] #\d+ main main/);
    s.kill('SIGTERM');
    await s.exited;
    assert.deepEqual(await survivors(fixture('loop-forever')), []);
    assert.deepEqual(await survivors(SCRIPT_PATH), []);
    const replayed = await runCli(['replay', cast]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stdout, /run 1/);
  });

  it('without a terminal, says to use capture (exit 2)', async () => {
    const run = await runCli(['--', fixture('profile-first')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /needs a terminal/);
    assert.match(run.stderr, /debug-exit capture/);
  });
});
