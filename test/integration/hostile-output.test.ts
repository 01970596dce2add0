/**
 * Issue 12, continued: terminal-safe output, secrets, nothing lost or overwritten, bounded and
 * clear on bad recordings. Real LLDB and real hostile programs where a capture is involved.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeHeader, type AsciicastHeader } from '../../src/recording/asciicast';
import { BIN, runCli, type CliRun } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { hostileFixture } from '../helpers/hostile';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dx-hostile-output-'));
}

/** The CLI in a folder of the test's choosing (default recordings land there). */
function runIn(cwd: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const OSC52 = '\x1b]52;c;SGk=\x07';
const ESCAPED_OSC52 = '\\x1b]52;c;SGk=\\x07';

describe('hostile targets (issue 12): terminal-safe output', function () {
  this.timeout(180000);

  for (const format of ['text', 'markdown', 'mermaid'] as const) {
    it(`a thread named with OSC 52, in a folder named with it, prints escaped (${format})`, async () => {
      const dir = tempDir();
      const folder = path.join(dir, OSC52);
      fs.mkdirSync(folder);
      const program = path.join(folder, 'osc-thread');
      fs.copyFileSync(hostileFixture('osc-thread'), program);
      fs.chmodSync(program, 0o755);
      const run = await runCli(['capture', '--quiet', '--no-record', '--format', format, '--', program]);
      fs.rmSync(dir, { recursive: true });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!run.stdout.includes('\x1b') && !run.stdout.includes('\x07'), 'no raw ESC or BEL in the report');
      // Mermaid writes `;` as `#59;` on top: the escape is there either way.
      assert.ok(
        run.stdout.includes(format === 'mermaid' ? '\\x1b]52#59;c#59;SGk=\\x07' : ESCAPED_OSC52),
        run.stdout.slice(0, 3000),
      );
      if (format === 'text') assert.match(run.stdout, /threads .*\\x1b\]52;c;SGk=\\x07/);
    });
  }

  it('the JSON report keeps the real name (JSON escapes it)', async () => {
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--format',
      'json',
      '--',
      hostileFixture('osc-thread'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes('\x1b'));
    const report = JSON.parse(run.stdout) as { events: Array<{ kind: string; thread_name?: string }> };
    assert.ok(report.events.some((e) => e.thread_name === OSC52));
  });

  it('replay --play keeps colours but drops OSC, DCS, APC and queries; --raw writes them', async () => {
    const dir = tempDir();
    const cast = path.join(dir, 'forger.cast');
    const live = await runCli([
      'capture',
      '--quiet',
      '--program-output',
      'terminal',
      '--record',
      cast,
      '--',
      hostileFixture('tty-forger'),
    ]);
    assert.equal(live.code, 0, live.stderr);
    const played = await runCli(['replay', '--play', '--speed', '1000', cast]);
    const raw = await runCli(['replay', '--play', '--raw', '--speed', '1000', cast]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(played.code, 0, played.stderr);
    for (const sequence of ['\x1b]52;', '\x1b]0;', '\x1b[6n', '\x1bP', '\x1b_dx;']) {
      assert.ok(!played.stderr.includes(sequence), `--play wrote ${JSON.stringify(sequence)}`);
      assert.ok(raw.stderr.includes(sequence), `--raw did not write ${JSON.stringify(sequence)}`);
    }
    assert.match(played.stderr, /\(lldb\) /);
  });
});

describe('hostile targets (issue 12): secrets', function () {
  this.timeout(180000);

  it('--env API_TOKEN=... does not appear in the recording; --record-env keeps it', async () => {
    const dir = tempDir();
    const secret = `s3cr3t-${process.pid}-token`;
    const cast = path.join(dir, 'secret.cast');
    const kept = path.join(dir, 'kept.cast');
    const run = await runCli([
      'capture',
      '--quiet',
      '--record',
      cast,
      '--env',
      `API_TOKEN=${secret}`,
      '--',
      fixture('print-args'),
    ]);
    const withEnv = await runCli([
      'capture',
      '--quiet',
      '--record',
      kept,
      '--record-env',
      '--env',
      `API_TOKEN=${secret}`,
      '--',
      fixture('print-args'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(withEnv.code, 0, withEnv.stderr);
    const text = fs.readFileSync(cast, 'utf8');
    const header = JSON.parse(text.split('\n')[0]) as AsciicastHeader;
    assert.deepEqual(header.debug_exit.options.env, { API_TOKEN: '<redacted>' });
    assert.ok(!text.includes(secret), 'the secret is nowhere in the recording');
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'nor in the report');
    assert.ok(fs.readFileSync(kept, 'utf8').includes(secret), '--record-env keeps it');
    fs.rmSync(dir, { recursive: true });
  });

  it("the capture's temp folder is 0700 with no spec file, its files 0600, all gone at the end", async () => {
    const tmp = tempDir();
    const child = spawn(BIN, ['capture', '--quiet', '--no-record', '--timeout', '3', '--', fixture('loop-forever')], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: 'ignore',
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    let seen: Array<[string, number]> = [];
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      const dirs = fs.readdirSync(tmp);
      if (dirs.length > 0) {
        const dir = path.join(tmp, dirs[0]);
        try {
          if (fs.readdirSync(dir).includes('program.stdout')) {
            seen = [
              [dir, fs.statSync(dir).mode & 0o777],
              ...fs.readdirSync(dir).map((f): [string, number] => [f, fs.statSync(path.join(dir, f)).mode & 0o777]),
            ];
            break;
          }
        } catch {
          // not there yet
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await closed;
    assert.ok(seen.length > 0, 'saw the temp folder');
    assert.equal(seen[0][1], 0o700);
    const files = Object.fromEntries(seen.slice(1));
    assert.equal(files['spec.json'], undefined, 'no spec file');
    assert.equal(files['program.stdout'], 0o600);
    assert.equal(files['program.stderr'], 0o600);
    assert.deepEqual(fs.readdirSync(tmp), [], 'all removed at the end');
    fs.rmSync(tmp, { recursive: true });
  });
});

describe('hostile targets (issue 12): nothing lost or overwritten', function () {
  this.timeout(240000);

  it('four captures at once in one folder give four recordings that replay', async () => {
    const cwd = tempDir();
    const runs = await Promise.all(
      [0, 1, 2, 3].map(() => runIn(cwd, ['capture', '--quiet', '--format', 'json', '--', fixture('profile-first')])),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const files = fs.readdirSync(path.join(cwd, '.debug-exit', 'recordings')).sort();
    assert.equal(files.length, 4, files.join(' '));
    for (const file of files) {
      const replayed = await runCli(['replay', '--format', 'json', path.join(cwd, '.debug-exit', 'recordings', file)]);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.ok(
        runs.some((run) => run.stdout === replayed.stdout),
        `${file} replays to one of the live reports`,
      );
    }
    fs.rmSync(cwd, { recursive: true });
  });

  it('--record refuses an existing file and a symlink (exit 2, before LLDB); --force replaces a file, never a symlink', async () => {
    const dir = tempDir();
    const existing = path.join(dir, 'existing.cast');
    const victim = path.join(dir, 'victim');
    const link = path.join(dir, 'link.cast');
    fs.writeFileSync(existing, 'keep me\n');
    fs.writeFileSync(victim, 'victim\n');
    fs.symlinkSync(victim, link);
    // --lldb that does not exist would fail after the check: the check comes first and says why.
    const refused = await runCli(['capture', '--record', existing, '--', fixture('profile-first')]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--record .*existing.cast: cannot record there: it exists already/);
    assert.match(refused.stderr, /--force/);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'keep me\n');
    for (const extra of [[], ['--force']]) {
      const viaLink = await runCli(['capture', ...extra, '--record', link, '--', fixture('profile-first')]);
      assert.equal(viaLink.code, 2, viaLink.stderr);
      assert.match(viaLink.stderr, /cannot record there: (it exists already|it is a symbolic link)/);
    }
    assert.equal(fs.readFileSync(victim, 'utf8'), 'victim\n');
    const forced = await runCli([
      'capture',
      '--quiet',
      '--force',
      '--record',
      existing,
      '--',
      fixture('profile-first'),
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(existing, 'utf8'), /^\{"version":2/);
    fs.rmSync(dir, { recursive: true });
  });

  it('--out to a missing folder or a directory is refused before LLDB starts (exit 2); --out to /dev/full is one line, exit 1', async () => {
    const dir = tempDir();
    for (const [target, why] of [
      [path.join(dir, 'no', 'such', 'r.json'), /its folder does not exist/],
      [dir, /it is a directory/],
    ] as const) {
      const run = await runCli([
        'capture',
        '--record',
        path.join(dir, 'unused.cast'),
        '--out',
        `json=${target}`,
        '--',
        fixture('profile-first'),
      ]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, why);
      assert.equal(fs.existsSync(path.join(dir, 'unused.cast')), false, 'refused before the recording and LLDB');
    }
    const full = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--out',
      'json=/dev/full',
      '--',
      fixture('profile-first'),
    ]);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /^debug-exit: error: cannot write the json report to \/dev\/full: ENOSPC\n$/m);
    assert.doesNotMatch(full.stderr, /at .*\.js:\d+/, 'no stack trace');
    fs.rmSync(dir, { recursive: true });
  });

  it('--timeout 1e9 is a usage error at once', async () => {
    const run = await runCli(['capture', '--timeout', '1e9', '--', fixture('profile-first')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--timeout takes a number of seconds above 0 and at most 604800/);
  });
});

describe('hostile targets (issue 12): bounded and clear on bad recordings', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const HEADER: AsciicastHeader = {
    version: 2,
    width: 80,
    height: 24,
    timestamp: 0,
    command: 'lldb',
    title: 't',
    env: {},
    debug_exit: {
      schema: 'debug-exit/recording@1',
      tool_version: 'x',
      nonce: 'abc',
      channel: 'socket',
      prompt: '(lldb) ',
      lldb: 'lldb',
      lldb_version: 'x',
      target: { program: '/x/app', args: [] },
      profile_file: null,
      options: { timeout_s: 60, census: false, aslr: 'off', env: {}, mode: 'capture' },
    },
  };
  const withMeta = (meta: Record<string, unknown>) =>
    encodeHeader({ ...HEADER, debug_exit: { ...HEADER.debug_exit, ...meta } as AsciicastHeader['debug_exit'] });
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  const cases: Array<[string, () => string, RegExp]> = [
    ['a directory', () => dir, /is a directory/],
    ['/dev/zero', () => '/dev/zero', /is not a regular file/],
    [
      'a nonce with ;',
      () => write('nonce.cast', withMeta({ nonce: 'ab;cd' })),
      /debug_exit.nonce must be 1-128 characters/,
    ],
    [
      'target.program a number',
      () => write('program.cast', withMeta({ target: { program: 5, args: [] } })),
      /debug_exit.target.program must be a non-empty string/,
    ],
    [
      'target.args not strings',
      () => write('args.cast', withMeta({ target: { program: '/x', args: [1] } })),
      /debug_exit.target.args must be a list of strings/,
    ],
    [
      'options.census a string',
      () => write('census.cast', withMeta({ options: { ...HEADER.debug_exit.options, census: 'yes' } })),
      /options.census must be true or false/,
    ],
    [
      'width a string',
      () => write('width.cast', encodeHeader({ ...HEADER, width: '80' as unknown as number })),
      /"width" must be a positive integer/,
    ],
    [
      '10,000-deep JSON header',
      () => write('deep-header.cast', `${deep(10000)}\n`),
      /the header nests deeper than 32 levels/,
    ],
    [
      '10,000-deep JSON event',
      () => write('deep-event.cast', encodeHeader(HEADER) + `${deep(10000)}\n`),
      /:2: an event nests deeper than 32 levels/,
    ],
    [
      'an event with a numeric data',
      () => write('data.cast', encodeHeader(HEADER) + '[0.1, "o", 5]\n'),
      /:2: event data must be a string/,
    ],
    [
      'an old recording (events in the terminal)',
      () => write('old.cast', withMeta({ channel: undefined })),
      /recorded by an older debug-exit/,
    ],
    ['not JSON at all', () => write('garbage.cast', '\u0000\u0001garbage\n'), /:1: the header is not valid JSON/],
  ];

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  for (const [name, file, message] of cases) {
    it(`${name}: exit 2 with one line`, async () => {
      const run = await runCli(['replay', file()]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
      assert.match(run.stderr, /^debug-exit: error: /);
      assert.match(run.stderr, message);
    });
  }

  it('a 1 GB single-line file is refused under 200 MB RSS', async () => {
    const big = path.join(dir, 'one-line.cast');
    // A sparse file: a header that never ends (NULs after it, no newline), 1 GiB long.
    fs.writeFileSync(big, '{"version":2,"width":80,"height":24,"x":"');
    fs.truncateSync(big, 1 << 30);
    const child = spawn(BIN, ['replay', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const sampler = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // gone
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);
    fs.rmSync(big);
    console.log(`      1 GiB single line: refused, peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /:1: line 1 is longer than 8 MiB/);
    assert.equal(stderr.split('\n').filter(Boolean).length, 1);
    assert.ok(peakKb > 0 && peakKb < 200 * 1024, `peak RSS ${peakKb} kB`);
  });
});
