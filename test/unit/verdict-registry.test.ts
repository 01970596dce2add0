/**
 * The verdict registry: the modules are judged after the verdicts they need, and every place that lists
 * verdicts (report@1 and its schema, the --repeat distribution and its schema, the text, Markdown and
 * trace renderers, the diagnosis) takes them from the registry.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HYPOTHESES } from '../../src/timeline/diagnosis';
import { renderReport } from '../../src/timeline/render/renderer';
import { distributionOf } from '../../src/timeline/render/repeat';
import { buildReport } from '../../src/timeline/report';
import { ALL_ROLES, Scenario } from '../../src/timeline/scenario';
import { judgeAll, judgingOrder, VERDICTS } from '../../src/timeline/verdict-registry';
import type { VerdictModule } from '../../src/timeline/verdict-types';

const ROOT = path.resolve(__dirname, '../../..');
const readSchema = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', name), 'utf8'));

/** A module that records what it was given; `needs` and `key` as the test wants. */
function probeModule(key: VerdictModule['key'], needs: VerdictModule['key'][], seen: string[] = []): VerdictModule {
  const real = VERDICTS.find((m) => m.key === key)!;
  return {
    ...real,
    needs,
    judge: (timeline, judged, options) => {
      for (const need of needs) assert.ok(judged[need] !== undefined, `${key} judged before ${need}`);
      seen.push(key);
      return real.judge(timeline, judged, options);
    },
  };
}

function crashingReport() {
  const s = new Scenario();
  s.resolveRoles(ALL_ROLES);
  s.hit('process-exit', 'exit');
  s.hit('allocator-teardown', 'mi_process_done');
  s.integrity('consistent');
  s.signal('SIGSEGV', ['initializeValueProfRuntimeRecord', '__llvm_profile_write_file', '__run_exit_handlers', 'exit']);
  s.exit(11, 11);
  return buildReport(s.build(undefined, { aslr: 'off' }));
}

describe('verdict registry', () => {
  it('judges each verdict after the ones it needs, in the registry order otherwise', () => {
    const order = judgingOrder(VERDICTS).map((m) => m.key);
    for (const m of VERDICTS)
      for (const need of m.needs) assert.ok(order.indexOf(need) < order.indexOf(m.key), `${need} before ${m.key}`);
    assert.deepEqual(order, ['allocatorFirst', 'explicitWrites', 'integrity', 'earlyWrite', 'crash', 'profileOutput']);
    const seen: string[] = [];
    const modules = [
      probeModule('crash', ['earlyWrite', 'integrity'], seen),
      probeModule('earlyWrite', [], seen),
      probeModule('integrity', ['earlyWrite'], seen),
    ];
    const s = new Scenario();
    s.exit(0);
    const verdicts = judgeAll(s.build(), {}, modules);
    assert.deepEqual(seen, ['earlyWrite', 'integrity', 'crash']);
    assert.deepEqual(Object.keys(verdicts), ['crash', 'earlyWrite', 'integrity'], 'shown in the order of the list');
  });

  it('refuses a need no module provides, and modules that need each other', () => {
    assert.throws(
      () => judgingOrder([probeModule('crash', ['integrity'])]),
      /crash-attribution needs integrity, which no verdict module provides/,
    );
    const circle = [
      probeModule('crash', ['earlyWrite']),
      probeModule('earlyWrite', ['integrity']),
      probeModule('integrity', ['crash']),
    ];
    assert.throws(() => judgingOrder(circle), /in a cycle: crash-attribution, early-write, profile-data-integrity/);
  });

  it('each module judges the verdict it names, under its key', () => {
    const { verdicts } = crashingReport();
    assert.deepEqual(
      Object.keys(verdicts),
      VERDICTS.map((m) => m.key),
    );
    for (const m of VERDICTS) assert.equal(verdicts[m.key].name, m.name);
    assert.equal(new Set(VERDICTS.map((m) => m.jsonKey)).size, VERDICTS.length, 'JSON keys are unique');
  });

  it('report@1 and its schema list exactly the registry verdicts, in its order, under their names', () => {
    const doc = JSON.parse(renderReport('json', crashingReport())) as { verdicts: Record<string, { name: string }> };
    assert.deepEqual(
      Object.keys(doc.verdicts),
      VERDICTS.map((m) => m.jsonKey),
    );
    for (const m of VERDICTS) assert.equal(doc.verdicts[m.jsonKey].name, m.name);
    const schema = readSchema('report.schema.json').properties.verdicts;
    assert.deepEqual(
      schema.required,
      VERDICTS.map((m) => m.jsonKey),
    );
    assert.deepEqual(Object.keys(schema.properties).sort(), VERDICTS.map((m) => m.jsonKey).sort());
    for (const m of VERDICTS) assert.equal(schema.properties[m.jsonKey].properties.name.const, m.name, m.jsonKey);
  });

  it('the --repeat distribution and repeat@1 count the verdicts that have a repeat line', () => {
    const counted = VERDICTS.filter((m) => m.repeat !== undefined).map((m) => m.jsonKey);
    const report = crashingReport();
    assert.deepEqual(Object.keys(distributionOf([report, report])), ['diagnosis', ...counted, 'outcome']);
    assert.deepEqual(readSchema('repeat.schema.json').properties.distribution.required, [
      'diagnosis',
      ...counted,
      'outcome',
    ]);
  });

  it('the text, Markdown and trace reports show every verdict, in the registry order', () => {
    const report = crashingReport();
    const text = renderReport('text', report);
    const positions = VERDICTS.map((m) =>
      text.indexOf(`\n  ${m.name}: ${report.verdicts[m.key].result.toUpperCase()}`),
    );
    assert.ok(
      positions.every((p) => p > 0),
      positions.join(','),
    );
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    const markdown = renderReport('markdown', report);
    for (const m of VERDICTS)
      assert.match(markdown, new RegExp(`^\\| ${m.name} \\| \\*\\*${report.verdicts[m.key].result}\\*\\* \\|`, 'm'));
    const trace = JSON.parse(renderReport('chrome', report)) as { otherData: Record<string, string> };
    for (const m of VERDICTS)
      assert.ok(trace.otherData[m.jsonKey].startsWith(report.verdicts[m.key].result), m.jsonKey);
  });

  it('the diagnosis weighs one hypothesis per owning module, in HYPOTHESES order', () => {
    const { diagnosis } = crashingReport();
    assert.deepEqual(
      diagnosis.hypotheses.map((h) => h.id),
      [...HYPOTHESES],
    );
    assert.equal(VERDICTS.filter((m) => m.hypothesis !== undefined).length, HYPOTHESES.length);
  });
});
