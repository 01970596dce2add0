/**
 * Golden files: compare text to a committed file; on mismatch write `<file>.actual` beside it.
 * DEBUG_EXIT_UPDATE_GOLDEN=1 rewrites the golden files instead.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';

export const UPDATE_GOLDEN = process.env.DEBUG_EXIT_UPDATE_GOLDEN === '1';

export function assertGolden(actual: string, goldenFile: string): void {
  const actualFile = `${goldenFile}.actual`;
  if (UPDATE_GOLDEN) {
    fs.writeFileSync(goldenFile, actual);
    fs.rmSync(actualFile, { force: true });
    return;
  }
  const expected = fs.existsSync(goldenFile) ? fs.readFileSync(goldenFile, 'utf8') : null;
  if (expected === actual) {
    fs.rmSync(actualFile, { force: true });
    return;
  }
  fs.writeFileSync(actualFile, actual);
  assert.fail(
    expected === null
      ? `no golden file ${goldenFile}: wrote ${actualFile} (DEBUG_EXIT_UPDATE_GOLDEN=1 to accept)`
      : `${goldenFile} differs: see ${actualFile} (DEBUG_EXIT_UPDATE_GOLDEN=1 to accept)`,
  );
}

/** Volatile values replaced by placeholders: the clone's path, temp folders. */
export function normalise(text: string, replacements: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of replacements) if (from) out = out.split(from).join(to);
  return out.replace(/\/tmp\/debug-exit-[A-Za-z0-9]+/g, '<capture-tmp>');
}
