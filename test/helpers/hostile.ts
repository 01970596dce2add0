/** The hostile programs of test/fixtures/hostile (scripts/build-fixtures-hostile.sh). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturePath } from '../../src/fixtures/bundled';

export function hostileFixture(name: string): string {
  const file = path.join(`${path.dirname(fixturePath(name))}-hostile`, name);
  if (!fs.existsSync(file))
    throw new Error(`hostile fixture ${name} is not built at ${file}: run scripts/ensure-system.sh (npm test does)`);
  return file;
}

/** `name=value` lines a hostile program wrote about what it managed. */
export function readHostileReport(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
