/**
 * docs/report-allocator-first-destroy.png: a screenshot of the HTML page of a real capture of the
 * bundled allocator-first-destroy fixture, taken in headless Chromium.
 *   npm run build && node dist/test/tools/screenshot.js
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_CAPTURES, captureOptionsOf, fixturePath } from '../../src/fixtures/bundled';
import { openPage } from '../helpers/browser';
import { BIN } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const fixture = BUNDLED_CAPTURES.find((f) => f.name === 'allocator-first-destroy')!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-screenshot-'));
  try {
    const page = path.join(dir, 'report.html');
    const run = spawnSync(
      BIN,
      [
        'capture',
        '--quiet',
        '--format',
        'html',
        '--record',
        path.join(dir, 'allocator-first-destroy.cast'),
        ...captureOptionsOf(fixture),
        '--',
        fixturePath(fixture.binary),
        ...fixture.args,
      ],
      { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    if (run.status !== 0) throw new Error(`capture exited ${run.status}: ${run.stderr}`);
    fs.writeFileSync(page, run.stdout);
    const opened = await openPage(page, { width: 1200, height: 900 });
    try {
      await opened.page.waitForSelector('#player .ap-wrapper');
      await opened.page.waitForTimeout(1000);
      const out = path.join(ROOT, 'docs', 'report-allocator-first-destroy.png');
      await opened.page.screenshot({ path: out, fullPage: true });
      if (opened.problems.length > 0) throw new Error(opened.problems.join('\n'));
      process.stdout.write(`${out}\n`);
    } finally {
      await opened.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
