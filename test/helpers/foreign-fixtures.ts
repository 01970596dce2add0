/** The foreign-instrumentation fixtures (scripts/build-fixtures-foreign.sh), in their own folder. */
import * as fs from 'node:fs';
import { FIXTURES_DIR } from '../../src/fixtures/bundled';

export const FOREIGN_FIXTURES_DIR = `${FIXTURES_DIR}-foreign`;

export function foreignFixture(name: string): string {
  const file = `${FOREIGN_FIXTURES_DIR}/${name}`;
  if (!fs.existsSync(file)) {
    throw new Error(`fixture ${name} is not built at ${file}: run scripts/ensure-system.sh (npm test does)`);
  }
  return file;
}
