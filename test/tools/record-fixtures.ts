/**
 * Re-records recordings/<fixture>.cast for every bundled fixture on real LLDB
 * (`npm run record-fixtures`), then `DEBUG_EXIT_UPDATE_GOLDEN=1 npm test` refreshes the golden
 * timelines beside them.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { BUNDLED_CAPTURES, captureOptionsOf, fixturePath } from '../../src/fixtures/bundled';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'debug-exit');

for (const fixture of BUNDLED_CAPTURES) {
  const record = path.join(ROOT, 'recordings', `${fixture.name}.cast`);
  const args = [
    'capture',
    '--quiet',
    '--format',
    'json',
    '--record',
    record,
    ...captureOptionsOf(fixture),
    '--',
    fixturePath(fixture.binary),
    ...fixture.args,
  ];
  const run = spawnSync(BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write(
    `${fixture.name}: ${run.status === 0 ? 'recorded' : `FAILED (${run.status})`} ${path.relative(ROOT, record)}\n`,
  );
  if (run.status !== 0) process.exitCode = 1;
}
