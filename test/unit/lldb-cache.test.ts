/** Where debug-exit's LLDB cache lives, when it is not used, and how LLDB's environment is set. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cacheRoot,
  cacheSettings,
  isPrivateDirOfOurs,
  openLldbCache,
  PYC_DIR_ENV,
  RESTORE_ENV,
  withCacheEnv,
} from '../../src/session/lldb-cache';

describe('LLDB cache (session/lldb-cache.ts)', () => {
  it('lives in XDG_CACHE_HOME, else ~/.cache, under debug-exit/lldb', () => {
    assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x/cache' }, '/home/u'), '/x/cache/debug-exit/lldb');
    assert.equal(cacheRoot({}, '/home/u'), '/home/u/.cache/debug-exit/lldb');
    assert.equal(cacheRoot({}, ''), null);
  });

  it('DEBUG_EXIT_CACHE chooses the folder or switches it off; a path LLDB could misread is refused', () => {
    assert.equal(cacheRoot({ DEBUG_EXIT_CACHE: '/c/d' }, '/home/u'), '/c/d');
    assert.equal(cacheRoot({ DEBUG_EXIT_CACHE: 'off' }, '/home/u'), null);
    assert.equal(cacheRoot({ DEBUG_EXIT_CACHE: 'relative/dir' }, '/home/u'), null);
    assert.equal(cacheRoot({ DEBUG_EXIT_CACHE: '/a\nsettings set x' }, '/home/u'), null);
    assert.equal(cacheRoot({ DEBUG_EXIT_CACHE: '/a"b' }, '/home/u'), null);
  });

  it('creates private folders, and will not use one that others can write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-cache-'));
    try {
      const cache = openLldbCache({ DEBUG_EXIT_CACHE: path.join(dir, 'c') });
      assert.ok(cache);
      assert.equal(fs.statSync(cache.pyc).mode & 0o777, 0o700);
      assert.ok(isPrivateDirOfOurs(cache.index));
      fs.chmodSync(cache.pyc, 0o777);
      assert.equal(openLldbCache({ DEBUG_EXIT_CACHE: path.join(dir, 'c') }), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("turns LLDB's index cache on in the cache's index folder, and nothing without a cache", () => {
    assert.deepEqual(cacheSettings({ index: '/c/index', pyc: '/c/pyc' }), [
      'symbols.enable-lldb-index-cache true',
      'symbols.lldb-index-cache-path "/c/index"',
    ]);
    assert.deepEqual(cacheSettings(null), []);
  });

  it("puts the start-up hook first on PYTHONPATH and names the user's values to put back", () => {
    const cache = { index: '/c/index', pyc: '/c/pyc' };
    const env = withCacheEnv({ TERM: 'xterm', PYTHONDONTWRITEBYTECODE: '1' }, { PYTHONPATH: '/theirs' }, cache);
    const [boot, rest] = env.PYTHONPATH.split(path.delimiter);
    assert.match(boot, /lldb-scripts[/\\]boot$/);
    assert.ok(fs.existsSync(path.join(boot, 'sitecustomize.py')), 'the hook is where PYTHONPATH says');
    assert.equal(rest, '/theirs');
    assert.equal(env[PYC_DIR_ENV], '/c/pyc');
    assert.deepEqual(JSON.parse(env[RESTORE_ENV]), { PYTHONPATH: '/theirs', PYTHONDONTWRITEBYTECODE: null });
    assert.deepEqual(withCacheEnv({ TERM: 'xterm' }, {}, null), { TERM: 'xterm' });
  });
});
