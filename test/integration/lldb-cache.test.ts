/**
 * debug-exit's LLDB cache on real LLDB (session/lldb-cache.ts, lldb-scripts/boot/sitecustomize.py):
 * the reports are the same cold, warm and without it, and the target never sees what the tool set
 * in LLDB's environment for it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { terminalText } from '../helpers/recording';

/** A report with what differs from run to run (times, pids, temp folders) taken out. */
function comparable(stdout: string): unknown {
  return JSON.parse(
    stdout
      .replace(/"t_ns": ?\d+/g, '"t_ns": 0')
      .replace(/"(pid|tid|ppid)": ?\d+/g, '"$1": 0')
      .replace(/debug-exit-\w+/g, 'TMP')
      .replace(/capture-\d+\.profraw/g, 'capture-PID.profraw'),
  );
}

describe("debug-exit's LLDB cache (real LLDB)", function () {
  this.timeout(240000);
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-lldb-cache-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of ['profile-first', 'allocator-first']) {
    it(`${name}: the same report without the cache, cold and warm, and the cache is filled`, async () => {
      const cacheDir = path.join(dir, `cache-${name}`);
      const run = async (cache: string) => {
        const result = await runCli(['capture', '--quiet', '--format', 'json', '--', fixture(name)], {
          env: { ...process.env, DEBUG_EXIT_CACHE: cache },
        });
        assert.equal(result.code, 0, result.stderr);
        return comparable(result.stdout);
      };
      const without = await run('off');
      const cold = await run(cacheDir);
      const warm = await run(cacheDir);
      assert.deepEqual(cold, without);
      assert.deepEqual(warm, without);
      const indexed = fs.readdirSync(path.join(cacheDir, 'index'));
      assert.ok(
        indexed.some((f) => f.includes('libc.so.6')),
        `libc's index is cached: ${indexed.join(', ')}`,
      );
      const compiled = fs.readdirSync(path.join(cacheDir, 'pyc'), { recursive: true }).map(String);
      assert.ok(
        compiled.some((f) => f.endsWith('.pyc') && f.includes('lldb')),
        "LLDB's Python module is cached",
      );
    });
  }

  it("the target inherits the user's environment, not the hook's", async () => {
    const cast = path.join(dir, 'env.cast');
    const result = await runCli(
      ['capture', '--quiet', '--program-output', 'terminal', '--record', cast, '--', '/usr/bin/env'],
      { env: { ...process.env, DEBUG_EXIT_CACHE: path.join(dir, 'cache-env'), PYTHONPATH: '/users/own/path' } },
    );
    assert.equal(result.code, 0, result.stderr);
    const recorded = terminalText(cast);
    assert.match(recorded, /^PYTHONPATH=\/users\/own\/path\r?$/m);
    assert.doesNotMatch(recorded, /DX_PYC_DIR|DX_RESTORE_ENV|lldb-scripts\/boot/);
    const userValue = process.env.PYTHONDONTWRITEBYTECODE;
    const seen = /^PYTHONDONTWRITEBYTECODE=(.*?)\r?$/m.exec(recorded)?.[1];
    assert.equal(seen, userValue, "the target's PYTHONDONTWRITEBYTECODE is the user's");
  });
});
