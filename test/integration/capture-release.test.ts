/**
 * The end of a capture on real LLDB: debug-exit quits once LLDB's sync marker is read (not after a
 * quiet terminal), does not wait for LLDB's teardown, and still loses nothing and leaves nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCRIPT_PATH } from '../../src/session/capture';
import { syncCommand, syncMarker } from '../../src/session/machine';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { survivors } from '../helpers/processes';
import { readCast } from '../helpers/recording';

describe('the end of a capture (real LLDB)', function () {
  this.timeout(120000);
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-release-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('quits after the sync marker, keeps the profile, leaves no LLDB running, and replays the same', async () => {
    const cast = path.join(dir, 'release.cast');
    const run = await runCli([
      'capture',
      '--quiet',
      '--format',
      'json',
      '--record',
      cast,
      '--',
      fixture('profile-first'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    // Not waiting for LLDB's teardown must not end it early: no LLDB of this clone outlives the CLI.
    assert.deepEqual(await survivors(SCRIPT_PATH, 2000), []);
    const report = JSON.parse(run.stdout) as {
      outcome: { kind: string };
      verdicts: { profile_output: { result: string } };
    };
    assert.equal(report.outcome.kind, 'exited');
    // The script's watchdog was not tripped by the release: the profile was still there to check.
    assert.equal(report.verdicts.profile_output.result, 'valid');

    const { header, events } = readCast(cast);
    const nonce = header.debug_exit.nonce;
    const at = (code: string, pred: (data: string) => boolean) =>
      events.findIndex((e) => e.code === code && pred(e.data));
    const syncSent = at('i', (d) => d === `${syncCommand(nonce)}\n`);
    const marker = at('o', (d) => d.includes(syncMarker(nonce)));
    const quit = at('i', (d) => d === 'quit\n');
    assert.ok(syncSent > 0, 'the sync command is in the recording');
    assert.ok(marker > syncSent, 'LLDB printed the marker after it was asked');
    assert.ok(quit > marker, 'quit was sent after the marker was read');
    assert.equal(events.filter((e) => e.code === 'm' && e.data === 'lldb-exit quit').length, 1);

    const replayed = await runCli(['replay', '--format', 'json', cast]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const again = JSON.parse(replayed.stdout) as typeof report & { events: unknown[] };
    assert.equal(again.outcome.kind, 'exited');
    assert.deepEqual(again.events, (JSON.parse(run.stdout) as { events: unknown[] }).events);
  });
});
