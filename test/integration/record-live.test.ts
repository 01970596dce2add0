/**
 * Every live capture is recorded; replaying the recording gives the byte-identical JSON report.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_CAPTURES, captureOptionsOf, fixturePath } from '../../src/fixtures/bundled';
import { asciicastProblems } from '../helpers/asciicast-rules';
import { runCli } from '../helpers/cli';

describe('live capture, recording and replay', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-record-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const fixture of BUNDLED_CAPTURES) {
    it(`${fixture.name}: the replayed report is byte-identical to the live one`, async () => {
      const cast = path.join(dir, `${fixture.name}.cast`);
      const live = await runCli([
        'capture',
        '--quiet',
        '--format',
        'json',
        '--record',
        cast,
        ...captureOptionsOf(fixture),
        '--',
        fixturePath(fixture.binary),
        ...fixture.args,
      ]);
      assert.equal(live.code, 0, live.stderr);
      assert.match(live.stderr, new RegExp(`recording: ${cast.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const replayed = await runCli(['replay', '--format', 'json', cast]);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.equal(replayed.stdout, live.stdout);
      assert.deepEqual(asciicastProblems(cast), []);
    });
  }

  it('records to .debug-exit/recordings/<program>-<UTC time with ms>-<pid>-<random>.cast by default', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
    const { spawnSync } = await import('node:child_process');
    const bin = path.resolve(__dirname, '../../../bin/debug-exit');
    const run = spawnSync(bin, ['capture', '--quiet', '--', fixturePath('profile-first')], { cwd, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const files = fs.readdirSync(path.join(cwd, '.debug-exit', 'recordings'));
    assert.equal(files.length, 1);
    assert.match(files[0], /^profile-first-\d{8}T\d{6}\.\d{3}Z-\d+-[0-9a-f]{6}\.cast$/);
  });
});
