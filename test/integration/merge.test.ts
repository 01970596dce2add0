/**
 * `debug-exit merge` on reports of real captures (real LLDB, the fixtures): as CI runners would
 * upload them, single reports and a --repeat report, merged into one distribution.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { fixturePath } from '../../src/fixtures/bundled';
import { runCli } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../../..');

describe('debug-exit merge (reports of real captures)', function () {
  this.timeout(240000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-merge-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function captureTo(name: string, program: string, extra: string[] = []): Promise<string> {
    const file = path.join(dir, `${name}.json`);
    const run = await runCli([
      'capture',
      '--quiet',
      '--no-record',
      '--format',
      'json',
      ...extra,
      '--',
      fixturePath(program),
    ]);
    assert.equal(run.code, 0, run.stderr);
    fs.writeFileSync(file, run.stdout);
    return file;
  }

  it('reports and a repeat report from three captures: one repeat@1, grouped per program hash, each run named', async () => {
    const a = await captureTo('runner-a', 'profile-first');
    const b = await captureTo('runner-b', 'allocator-first');
    const r = await captureTo('runner-c', 'profile-first', ['--repeat', '2']);
    const merged = await runCli(['merge', '--format', 'json', a, b, r]);
    assert.equal(merged.code, 0, merged.stderr);
    const doc = JSON.parse(merged.stdout) as {
      schema: string;
      runs: number;
      distribution: Record<string, Record<string, number>>;
      groups: Array<{
        program: string;
        program_sha256: string;
        platform: string;
        lldb_version: string;
        runs: number;
        distribution: Record<string, Record<string, number>>;
        sources: Array<{ source: string; run: number | null }>;
      }>;
      sources: Array<{ source: string; run: number | null }>;
    };
    assert.equal(doc.schema, 'debug-exit/repeat@1');
    assert.equal(doc.runs, 4);
    assert.deepEqual(doc.distribution.allocator_cleanup_first, { confirmed: 1, refuted: 3 });
    assert.equal(doc.groups.length, 2);
    const first = doc.groups.find((g) => g.program.endsWith('profile-first'))!;
    assert.match(first.program_sha256, /^[0-9a-f]{64}$/);
    assert.equal(first.platform, 'linux');
    assert.match(first.lldb_version, /lldb version 19/);
    assert.deepEqual(first.sources, [
      { source: a, run: null },
      { source: r, run: 1 },
      { source: r, run: 2 },
    ]);
    assert.deepEqual(first.distribution.allocator_cleanup_first, { refuted: 3 });
    const other = doc.groups.find((g) => g.program.endsWith('allocator-first'))!;
    assert.notEqual(other.program_sha256, first.program_sha256);
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
    const validate = ajv.compile(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'repeat.schema.json'), 'utf8')) as object,
    );
    assert.ok(validate(doc), ajv.errorsText(validate.errors));
    const text = await runCli(['merge', a, b, r]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /4 runs from 3 files, 2 group\(s\)/);
  });

  it('a file that is not a report: usage error naming it, exit 2, before any output', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"schema":"something-else@1"}');
    const run = await runCli(['merge', bad]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /bad\.json: schema "something-else@1"/);
    const none = await runCli(['merge']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /merge takes/);
  });
});
