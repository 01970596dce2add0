/**
 * `debug-exit inspect` on real files the project builds (scripts/build-fixtures*.sh): the mixed
 * ELF programs, the Mach-O arm64 programs (clean, mixed, universal), objects, GNU and BSD
 * archives, Rust programs and an rlib. Ground truth comes from how each is built (which clang
 * compiled which source) and from LLVM's own tools (llvm-objdump, llvm-nm, llvm-dwarfdump).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { runCli } from '../helpers/cli';
import { fixture } from '../helpers/fixtures';
import { inspectFixture } from '../helpers/inspect-fixtures';

const ROOT = path.resolve(__dirname, '../../..');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'inspect.schema.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(SCHEMA);
const OLD_SOURCE = path.join(ROOT, 'test', 'fixtures', 'mixed-lib-old.c');
const MAIN_SOURCE = path.join(ROOT, 'test', 'fixtures', 'mixed-main.c');
const MACHO_LIB = path.join(ROOT, 'test', 'fixtures', 'inspect', 'macho-lib.c');

interface Group {
  raw_version: number | null;
  records: number;
  functions: string[];
  sources: string[];
  producers: string[];
  foreign: boolean;
  unnamed_records: number;
  images: string[];
}
interface Json {
  schema: string;
  result: string;
  runtime_raw_version: number | null;
  raw_version_symbol: number | null;
  groups: Group[];
  verdict: string;
  fix: string | null;
  inputs: Array<{
    kind: string;
    result: string;
    error: string | null;
    images: Array<{ arch: string; result: string; data_bytes: number | null }>;
  }>;
}

async function inspectJson(...args: string[]): Promise<{ code: number | null; json: Json; stderr: string }> {
  const run = await runCli(['inspect', '--format', 'json', ...args]);
  const json = JSON.parse(run.stdout) as Json;
  assert.ok(validate(json), ajv.errorsText(validate.errors));
  return { code: run.code, json, stderr: run.stderr };
}

/** The older clang's version as the fixture scripts chose it ("clang-14" -> "14"). */
function olderClangMajor(): string {
  return fs.readFileSync(inspectFixture('older-clang'), 'utf8').trim().replace('clang-', '');
}

function foreign(json: Json): Group[] {
  return json.groups.filter((g) => g.foreign);
}

function tool(command: string, args: string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(run.status, 0, `${command} ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

describe('debug-exit inspect (real files)', function () {
  this.timeout(60000);

  for (const name of ['mixed-profile-versions', 'mixed-allocator-first']) {
    it(`${name}: mixed, and the foreign group is exactly mixed-lib-old.c, built by the older clang`, async () => {
      const { code, json } = await inspectJson(fixture(name));
      assert.equal(code, 4);
      assert.equal(json.result, 'mixed');
      assert.equal(json.runtime_raw_version, 10);
      assert.equal(json.raw_version_symbol, 10);
      const [old] = foreign(json);
      assert.equal(foreign(json).length, 1);
      assert.equal(old.raw_version, 8);
      assert.deepEqual(old.sources, [OLD_SOURCE]);
      assert.deepEqual(old.functions, ['old_lib_work']);
      assert.equal(old.producers.length, 1);
      assert.match(old.producers[0], new RegExp(`clang version ${olderClangMajor()}\\.`));
      const own = json.groups.find((g) => g.raw_version === 10);
      assert.ok(own?.sources.includes(MAIN_SOURCE) && !own.sources.includes(OLD_SOURCE));
      assert.ok(
        json.groups.every((g) => g.unnamed_records === 0),
        'every NameRef names a function of __llvm_prf_names',
      );
      assert.match(json.fix ?? '', /-fno-profile-generate/);
    });
  }

  it('mixed-profile-versions: the text report ends with the verdict and the fix naming the old source', async () => {
    const run = await runCli(['inspect', fixture('mixed-profile-versions')]);
    assert.equal(run.code, 4);
    const verdict = run.stdout.slice(run.stdout.indexOf('Verdict: MIXED'));
    assert.ok(verdict.length > 0, run.stdout);
    assert.match(
      verdict.replace(/\s+/g, ' '),
      new RegExp(`built by clang ${olderClangMajor()} \\(raw version 8\\): ${OLD_SOURCE.replace(/[.]/g, '\\.')}`),
    );
    assert.match(verdict, /fix: add -fno-profile-generate/);
  });

  it('the records match LLVM: __llvm_prf_data size (llvm-objdump) = records x layout size', async () => {
    const program = fixture('mixed-profile-versions');
    const { json } = await inspectJson(program);
    const line =
      tool('llvm-objdump-19', ['-h', program])
        .split('\n')
        .find((l) => /__llvm_prf_data/.test(l)) ?? '';
    const size = parseInt(line.trim().split(/\s+/)[2], 16);
    assert.equal(json.inputs[0].images[0].data_bytes, size);
    const bytes = json.groups.reduce((n, g) => n + g.records * (g.raw_version === 8 ? 48 : 64), 0);
    assert.equal(bytes, size);
  });

  for (const name of ['profile-first', 'allocator-first']) {
    it(`${name}: consistent (exit 0), one raw-version-10 group`, async () => {
      const { code, json } = await inspectJson(fixture(name));
      assert.equal(code, 0);
      assert.equal(json.result, 'consistent');
      assert.deepEqual(
        json.groups.map((g) => g.raw_version),
        [10],
      );
      assert.equal(foreign(json).length, 0);
    });
  }

  it('/bin/true: not-instrumented (exit 0)', async () => {
    const { code, json } = await inspectJson('/bin/true');
    assert.equal(code, 0);
    assert.equal(json.result, 'not-instrumented');
    assert.deepEqual(json.groups, []);
  });

  it("Mach-O arm64 macho-clean: consistent; producers from the debug map's object files", async () => {
    const { code, json } = await inspectJson(inspectFixture('macho-clean'));
    assert.equal(code, 0);
    assert.equal(json.result, 'consistent');
    assert.equal(json.inputs[0].images[0].arch, 'arm64');
    assert.deepEqual(
      json.groups.map((g) => g.raw_version),
      [10],
    );
    assert.ok(
      json.groups[0].producers.every((p) => /clang version 19\./.test(p)),
      json.groups[0].producers.join(),
    );
  });

  it('Mach-O arm64 macho-mixed: mixed; macho-lib.c is foreign, with as many records as the old object has __profd_ symbols (llvm-nm)', async () => {
    const { code, json } = await inspectJson(inspectFixture('macho-mixed'));
    assert.equal(code, 4);
    assert.equal(json.result, 'mixed');
    const [old] = foreign(json);
    assert.equal(old.raw_version, 8);
    assert.deepEqual(old.sources, [MACHO_LIB]);
    const profd = tool('llvm-nm-19', [inspectFixture('macho-lib-old-arm64.o')])
      .split('\n')
      .filter((l) => /__profd_/.test(l));
    assert.equal(old.records, profd.length);
    const producer = tool('llvm-dwarfdump-19', ['--debug-info', inspectFixture('macho-lib-old-arm64.o')]).match(
      /DW_AT_producer\s+\("([^"]+)"\)/,
    )?.[1];
    assert.deepEqual(old.producers, [producer]);
  });

  it('Mach-O universal: every slice by default (mixed); --arch picks one', async () => {
    const file = inspectFixture('macho-universal');
    const all = await inspectJson(file);
    assert.equal(all.code, 4);
    assert.deepEqual(all.json.inputs[0].images.map((i) => [i.arch, i.result]).sort(), [
      ['arm64', 'mixed'],
      ['x86_64', 'consistent'],
    ]);
    const x86 = await inspectJson('--arch', 'x86_64', file);
    assert.equal(x86.code, 0);
    assert.equal(x86.json.result, 'consistent');
    const arm = await inspectJson('--arch', 'arm64', file);
    assert.equal(arm.code, 4);
    assert.deepEqual(
      arm.json.inputs[0].images.map((i) => i.arch),
      ['arm64'],
    );
  });

  it('objects: the old .o alone is consistent (raw version 8); given with the clang-19 one, mixed', async () => {
    const alone = await inspectJson(inspectFixture('mixed-lib-old.o'));
    assert.equal(alone.code, 0);
    assert.equal(alone.json.raw_version_symbol, 8);
    assert.deepEqual(
      alone.json.groups.map((g) => [g.raw_version, g.records]),
      [[8, 1]],
    );
    const both = await inspectJson(inspectFixture('mixed-main.o'), inspectFixture('mixed-lib-old.o'));
    assert.equal(both.code, 4);
    assert.deepEqual(
      foreign(both.json).map((g) => g.sources),
      [[OLD_SOURCE]],
    );
  });

  for (const flavour of ['gnu', 'bsd']) {
    it(`${flavour.toUpperCase()} archive with the old object: mixed, naming the member`, async () => {
      const { code, json } = await inspectJson(inspectFixture(`libmixed-${flavour}.a`));
      assert.equal(code, 4);
      assert.equal(json.inputs[0].kind, 'archive');
      const [old] = foreign(json);
      assert.equal(old.raw_version, 8);
      assert.deepEqual(old.images, [
        `${inspectFixture(`libmixed-${flavour}.a`)}(an-old-clang-object-with-a-long-name.o)`,
      ]);
      assert.deepEqual(old.sources, [OLD_SOURCE]);
    });
  }

  it('an archive of clang-19 objects only: consistent', async () => {
    const { code, json } = await inspectJson(inspectFixture('libclean.a'));
    assert.equal(code, 0);
    assert.equal(json.result, 'consistent');
  });

  it('Rust: rust-mixed (a clang-14 object in a rustc -Cprofile-generate program) is mixed; rust-clean is consistent', async () => {
    const mixed = await inspectJson(inspectFixture('rust-mixed'));
    assert.equal(mixed.code, 4);
    const [old] = foreign(mixed.json);
    assert.deepEqual(old.sources, [OLD_SOURCE]);
    const own = mixed.json.groups.find((g) => g.raw_version === 10);
    assert.ok(
      own?.producers.some((p) => /rustc version 1\.\d+/.test(p)),
      own?.producers.join(),
    );
    const clean = await inspectJson(inspectFixture('rust-clean'));
    assert.equal(clean.code, 0);
    assert.equal(clean.json.result, 'consistent');
  });

  it('Rust rlib: read member by member (lib.rmeta holds no profile data), consistent, rustc producer', async () => {
    const { code, json } = await inspectJson(inspectFixture('librustlib.rlib'));
    assert.equal(code, 0);
    assert.equal(json.result, 'consistent');
    assert.equal(json.groups[0].raw_version, 10);
    assert.ok(
      json.groups[0].functions.some((f) => f.includes('checksum')),
      json.groups[0].functions.join(),
    );
    assert.ok(json.groups[0].producers.every((p) => /rustc version/.test(p)));
  });

  describe('errors', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-inspect-'));
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('a missing file, a folder, no program, a bad --format or --arch: usage errors (exit 2), nothing read', async () => {
      for (const args of [
        ['/no/such/program'],
        [scratch],
        [],
        ['--format', 'xml', '/bin/true'],
        ['--arch', 'sparc', '/bin/true'],
        ['--arch', 'i386', inspectFixture('macho-universal')],
      ]) {
        const run = await runCli(['inspect', ...args]);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /^debug-exit: error: /);
        assert.doesNotMatch(run.stderr, /\n\s+at /);
      }
    });

    it('a truncated program and a text file: unknown (exit 1) with a clear message, no stack trace', async () => {
      const cut = path.join(scratch, 'truncated');
      fs.writeFileSync(cut, fs.readFileSync(fixture('mixed-profile-versions')).subarray(0, 4000));
      const text = path.join(scratch, 'notes.txt');
      fs.writeFileSync(text, 'hello\n');
      const run = await runCli(['inspect', cut, text]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /truncated file/);
      assert.match(run.stdout, /not an ELF or Mach-O file/);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*\.js:\d+/);
      const json = await inspectJson(cut);
      assert.equal(json.code, 1);
      assert.equal(json.json.result, 'unknown');
      assert.match(json.json.inputs[0].error ?? '', /truncated file/);
    });

    it('an archive cut in the middle of a member: exit 1, says truncated archive', async () => {
      const cut = path.join(scratch, 'cut.a');
      const whole = fs.readFileSync(inspectFixture('libmixed-gnu.a'));
      fs.writeFileSync(cut, whole.subarray(0, whole.length - 200));
      const { code, json } = await inspectJson(cut);
      assert.equal(code, 1);
      assert.match(json.inputs[0].error ?? '', /truncated archive/);
    });
  });
});

describe('debug-exit inspect: the version variable and hostile names', function () {
  this.timeout(60000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-inspect-link-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('the old object linked first: its __llvm_profile_raw_version (8) wins; running it confirms the runtime refuses to write', async () => {
    const program = path.join(scratch, 'old-first');
    tool('clang-19', [
      '-fprofile-generate',
      inspectFixture('mixed-lib-old.o'),
      inspectFixture('mixed-main.o'),
      '-o',
      program,
    ]);
    const { code, json } = await inspectJson(program);
    assert.equal(code, 4);
    assert.deepEqual([json.runtime_raw_version, json.raw_version_symbol], [10, 8]);
    assert.match(json.verdict, /__llvm_profile_raw_version is 8 .*Runtime and instrumentation version mismatch/);
    // Ground truth: the program itself says so at exit, and writes nothing useful.
    const run = spawnSync(program, [], {
      encoding: 'utf8',
      env: { ...process.env, LLVM_PROFILE_FILE: path.join(scratch, 'p-%p.profraw') },
    });
    assert.equal(run.status, 0);
    assert.match(
      run.stderr,
      /LLVM Profile Error: Runtime and instrumentation version mismatch : expected 10, but get 8/,
    );
  });

  it('a source file name with terminal escapes: the text report shows them escaped, the JSON keeps them', async () => {
    const evil = path.join(scratch, 'evil\x1b]0;owned\x07\x1b[31m.c');
    fs.writeFileSync(
      evil,
      'static int hidden(int x) { return x * 3; }\nint visible(int x) { return hidden(x) + 1; }\n',
    );
    const object = path.join(scratch, 'evil.o');
    tool('clang-19', ['-g', '-O0', '-fprofile-generate', '-c', evil, '-o', object]);
    const text = await runCli(['inspect', object]);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.match(text.stdout, /evil\\x1b\]0;owned\\x07\\x1b\[31m\.c/);
    const { json } = await inspectJson(object);
    assert.ok(json.groups[0].sources.includes(evil), json.groups[0].sources.join());
  });
});
