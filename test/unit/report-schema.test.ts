/**
 * schema/report.schema.json, the published contract of `--format json`, against what the JSON
 * renderer really writes: every golden report of a real recorded session, and reports built for
 * every outcome kind and diagnosis.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { EVENT_KINDS } from '../../src/protocol/event-shape';
import type { SessionOutcome } from '../../src/timeline/outcome';
import { renderReport } from '../../src/timeline/render/renderer';
import { renderRepeatJson } from '../../src/timeline/render/repeat';
import { buildReport } from '../../src/timeline/report';
import { ALL_ROLES, NO_ALLOCATOR_ROLES, Scenario } from '../../src/timeline/scenario';

const ROOT = path.resolve(__dirname, '../../..');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as {
  definitions: { event: { oneOf: Array<{ properties: { kind: { const: string } } }> } };
};

const REPEAT_SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'repeat.schema.json'), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(SCHEMA);
// repeat@1 refers to report@1 by its file name, resolved against its own $id: they sit side by side.
const validateRepeat = ajv.compile(REPEAT_SCHEMA);

function problems(doc: unknown): string {
  return validate(doc) ? '' : ajv.errorsText(validate.errors, { separator: '\n' });
}

const AT_EXIT = ['__run_exit_handlers', 'exit'];
const WRITER_STACK = [
  'initializeValueProfRuntimeRecord',
  'writeOneValueProfData',
  'lprofWriteDataImpl',
  '__llvm_profile_write_file',
  ...AT_EXIT,
];

function reportJson(s: Scenario, outcome?: SessionOutcome, experiment: 'early-write' | null = null): unknown {
  return JSON.parse(renderReport('json', buildReport(s.build(outcome, { experiment, aslr: 'off' }))));
}

describe('schema/report.schema.json', () => {
  it('lists exactly the event kinds the protocol accepts', () => {
    const kinds = SCHEMA.definitions.event.oneOf.map((branch) => branch.properties.kind.const).sort();
    assert.deepEqual(kinds, [...EVENT_KINDS].sort());
  });

  const goldens = fs.readdirSync(path.join(ROOT, 'recordings')).filter((f) => f.endsWith('.timeline.json'));
  it('has golden reports of real sessions to check', () => assert.ok(goldens.length >= 10, goldens.join(', ')));
  for (const golden of goldens) {
    it(`accepts the golden report ${golden}`, () => {
      const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'recordings', golden), 'utf8'));
      assert.equal(problems(doc), '');
    });
  }

  it('accepts a report of every outcome kind', () => {
    const outcomes: SessionOutcome[] = [
      { kind: 'timeout', seconds: 3 },
      { kind: 'timeout', seconds: null },
      { kind: 'lldb-died', lastOutput: 'Segmentation fault' },
      { kind: 'cut' },
      { kind: 'interrupted' },
      { kind: 'launch-failed', message: 'no such file' },
    ];
    for (const outcome of outcomes) {
      const s = new Scenario();
      s.hello();
      s.resolveRoles(ALL_ROLES);
      s.hit('main', 'main');
      s.error('script', 'something the script could not do');
      assert.equal(problems(reportJson(s, outcome)), '', outcome.kind);
    }
  });

  it('accepts crashes, integrity findings and every early-write status', () => {
    for (const status of ['returned', 'crashed', 'timeout', 'failed'] as const) {
      const s = new Scenario();
      s.resolveRoles(NO_ALLOCATOR_ROLES);
      s.hit('process-exit', 'exit');
      s.integrity('corrupt');
      s.earlyWrite(status, { frames: status === 'crashed' ? WRITER_STACK : undefined });
      s.hit('profile-write', 'writeFileWithoutReturn', { callers: AT_EXIT });
      s.signal('SIGSEGV', WRITER_STACK);
      s.exit(11, 11);
      assert.equal(problems(reportJson(s, undefined, 'early-write')), '', status);
    }
  });

  it('rejects a report that lacks what the schema promises', () => {
    const s = new Scenario();
    s.resolveRoles(ALL_ROLES);
    s.exit(0);
    const doc = reportJson(s) as Record<string, any>;
    assert.equal(problems(doc), '');
    const broken = structuredClone(doc);
    delete broken.diagnosis.next_step;
    broken.verdicts.early_write.result = 'maybe';
    broken.events.push({ seq: 99, t_ns: 1, kind: 'telemetry' });
    const found = problems(broken);
    assert.match(found, /next_step/);
    assert.match(found, /early_write\/result/);
    assert.match(found, /events\/\d+/);
  });

  it('repeat.schema.json accepts a --repeat document and checks each run against report@1', () => {
    const runs = [0, 11].map((status) => {
      const s = new Scenario();
      s.resolveRoles(ALL_ROLES);
      s.hit('process-exit', 'exit');
      s.exit(status);
      return buildReport(s.build(undefined, { aslr: 'off' }));
    });
    const doc = JSON.parse(renderRepeatJson(runs)) as Record<string, any>;
    assert.ok(validateRepeat(doc), ajv.errorsText(validateRepeat.errors));
    for (const counts of Object.values(doc.distribution as Record<string, Record<string, number>>)) {
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        2,
      );
    }
    delete doc.reports[1].diagnosis;
    assert.ok(!validateRepeat(doc));
    assert.match(ajv.errorsText(validateRepeat.errors), /diagnosis/);
  });
});
