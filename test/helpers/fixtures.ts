/** Test access to the built fixtures (scripts/ensure-system.sh builds them before mocha runs). */
import * as fs from 'node:fs';
import { fixturePath } from '../../src/fixtures/bundled';

export function fixture(name: string): string {
  const file = fixturePath(name);
  if (!fs.existsSync(file)) {
    // Not a skip: in CI every integration test must run, so a missing fixture fails loudly.
    throw new Error(`fixture ${name} is not built at ${file}: run scripts/ensure-system.sh (npm test does)`);
  }
  return file;
}
