/** The inspect fixtures (scripts/build-fixtures-inspect.sh, run by scripts/ensure-system.sh). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../../src/fixtures/bundled';

export const INSPECT_FIXTURES_DIR = process.env.DEBUG_EXIT_INSPECT_FIXTURES ?? `${FIXTURES_DIR}-inspect`;

export function inspectFixture(name: string): string {
  const file = path.join(INSPECT_FIXTURES_DIR, name);
  // Not a skip: in CI every test must run, so a missing fixture fails loudly.
  if (!fs.existsSync(file))
    throw new Error(`inspect fixture ${name} is not built at ${file}: run scripts/ensure-system.sh (npm test does)`);
  return file;
}
