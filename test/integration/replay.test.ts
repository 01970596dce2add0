/**
 * Replay of the committed recordings (real sessions, recorded by `npm run record-fixtures`), with
 * no LLDB on PATH: the report matches the golden timeline beside each recording, and each
 * recording follows the asciicast v2 rules.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_CAPTURES } from '../../src/fixtures/bundled';
import { asciicastProblems } from '../helpers/asciicast-rules';
import { runCli, type JsonReport } from '../helpers/cli';
import { assertGolden, normalise } from '../helpers/golden';

const RECORDINGS = path.resolve(__dirname, '../../../recordings');

/** A PATH with node and nothing else: no lldb anywhere. */
function pathWithoutLldb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-nolldb-'));
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  return dir;
}

describe('replay of committed recordings (no LLDB)', function () {
  this.timeout(60000);
  let noLldb: string;
  before(() => {
    noLldb = pathWithoutLldb();
  });
  after(() => fs.rmSync(noLldb, { recursive: true, force: true }));

  for (const fixture of BUNDLED_CAPTURES) {
    const cast = path.join(RECORDINGS, `${fixture.name}.cast`);

    it(`${fixture.name}: replays with no lldb on PATH to its golden timeline`, async () => {
      const env = { ...process.env, PATH: noLldb };
      const run = await runCli(['replay', '--format', 'json', cast], { env });
      assert.equal(run.code, 0, run.stderr);
      const header = JSON.parse(fs.readFileSync(cast, 'utf8').split('\n')[0]) as {
        debug_exit: { target: { program: string } };
      };
      const fixturesDir = path.dirname(header.debug_exit.target.program);
      assertGolden(normalise(run.stdout, [[fixturesDir, '<fixtures>']]), cast.replace(/\.cast$/, '.timeline.json'));
      const report = JSON.parse(run.stdout) as JsonReport;
      assert.equal(report.verdicts.allocator_cleanup_first.result, fixture.expected);
      assert.equal(report.verdicts.crash_attribution.result !== 'no-crash', fixture.crashes);
      assert.equal(report.diagnosis.conclusion, fixture.diagnosis);
    });

    it(`${fixture.name}: the recording follows the asciicast v2 rules`, () => {
      assert.deepEqual(asciicastProblems(cast), []);
    });
  }
});

describe('replay --play', function () {
  this.timeout(60000);

  it('shows the recorded LLDB session (at 1000x speed) and still prints the report', async () => {
    const cast = path.join(RECORDINGS, 'allocator-first.cast');
    const run = await runCli(['replay', '--play', '--speed', '1000', '--format', 'json', cast]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /dx-run/);
    assert.match(run.stderr, /\(lldb\) /);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.equal(report.verdicts.allocator_cleanup_first.result, 'confirmed');
  });
});
