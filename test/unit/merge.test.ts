/** debug-exit merge, pure part: documents in, one repeat@1 distribution out, grouped and sourced. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { distributionOf as mergedDistribution, merge, MergeInputError, renderMergedText } from '../../src/merge/merge';
import { renderReport } from '../../src/timeline/render/renderer';
import { distributionOf, renderRepeatJson, renderRepeatText } from '../../src/timeline/render/repeat';
import { buildReport } from '../../src/timeline/report';
import { ALL_ROLES, Scenario } from '../../src/timeline/scenario';

const ROOT = path.resolve(__dirname, '../../..');
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
const validateRepeat = ajv.compile(
  JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'repeat.schema.json'), 'utf8')) as object,
);

function run(status: number, sha: string | null) {
  const s = new Scenario();
  s.resolveRoles(ALL_ROLES);
  s.hit('process-exit', 'exit');
  s.exit(status);
  const timeline = s.build(undefined, { aslr: 'off' });
  return buildReport({ ...timeline, programSha256: sha });
}

const reportDoc = (status: number, sha: string | null) => JSON.parse(renderReport('json', run(status, sha))) as unknown;

describe('merge', () => {
  it('combines reports and repeat reports into one repeat@1, grouped by program hash, each run named', () => {
    const repeat = JSON.parse(renderRepeatJson([run(0, 'aa'), run(11, 'aa')])) as unknown;
    const doc = merge([
      { source: 'a.json', document: reportDoc(0, 'aa') },
      { source: 'b.json', document: reportDoc(0, 'bb') },
      { source: 'r.json', document: repeat },
    ]);
    assert.equal(doc.schema, 'debug-exit/repeat@1');
    assert.equal(doc.runs, 4);
    assert.deepEqual(doc.sources, [
      { source: 'a.json', run: null },
      { source: 'b.json', run: null },
      { source: 'r.json', run: 1 },
      { source: 'r.json', run: 2 },
    ]);
    assert.deepEqual(
      doc.groups.map((g) => [g.program_sha256, g.runs]),
      [
        ['aa', 3],
        ['bb', 1],
      ],
    );
    assert.deepEqual(doc.groups[0].distribution.outcome, { 'exited with status 0': 2, 'exited with status 11': 1 });
    assert.equal(
      Object.values(doc.distribution.diagnosis).reduce((a, b) => a + b, 0),
      4,
    );
    assert.ok(validateRepeat(doc), ajv.errorsText(validateRepeat.errors));
    assert.match(renderMergedText(doc), /r\.json \(run 2\)/);
  });

  it('counts and prints runs as --repeat does: the same distribution, the same lines', () => {
    const runs = [run(0, 'aa'), run(11, 'aa'), run(0, 'aa')];
    const docs = runs.map((r) => JSON.parse(renderReport('json', r)) as Record<string, unknown>);
    assert.deepEqual(mergedDistribution(docs), distributionOf(runs));
    const repeatText = renderRepeatText(runs);
    const mergedText = renderMergedText(merge(docs.map((document, i) => ({ source: `${i}.json`, document }))));
    // The --repeat report's distribution (its lines up to the blank one) is merge's, word for word.
    const distribution = repeatText.split('\n\n')[0].split('\n').slice(1);
    assert.ok(distribution.length >= 5, repeatText);
    const groupLines = mergedText.split('\n').slice(3, 3 + distribution.length);
    assert.deepEqual(groupLines, distribution);
  });

  it('text output escapes control characters in the names a report file carries', () => {
    const hostile = reportDoc(0, 'aa') as { target: { program: string } };
    hostile.target.program = '/tmp/app\x1b]52;c;SGVsbG8=\x07';
    const text = renderMergedText(merge([{ source: 'evil\x1b[2J.json', document: hostile }]));
    assert.ok(!text.includes('\x1b'), text);
    assert.match(text, /app\\x1b\]52;c;SGVsbG8=\\x07/);
    assert.match(text, /evil\\x1b\[2J\.json/);
  });

  it('a merged document merged again keeps naming the original sources', () => {
    const first = merge([
      { source: 'a.json', document: reportDoc(0, 'aa') },
      { source: 'b.json', document: reportDoc(0, 'aa') },
    ]);
    const again = merge([
      { source: 'm.json', document: JSON.parse(JSON.stringify(first)) as unknown },
      { source: 'c.json', document: reportDoc(0, 'aa') },
    ]);
    assert.deepEqual(
      again.sources.map((s) => s.source),
      ['a.json', 'b.json', 'c.json'],
    );
    assert.equal(again.groups.length, 1);
  });

  it('refuses what is not a report: names the file and the problem', () => {
    assert.throws(
      () => merge([{ source: 'x.json', document: { schema: 'other@1' } }]),
      (e: unknown) => e instanceof MergeInputError && /x\.json: schema "other@1"/.test(e.message),
    );
    assert.throws(() => merge([{ source: 'y.json', document: [1] }]), /y\.json: not a JSON object/);
  });
});
