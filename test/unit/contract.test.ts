/**
 * The contract (src/contract/, schema/event.schema.json, schema/spec.schema.json, lldb-scripts/dx/contract.py)
 * says one thing: the TypeScript types, the runtime shape check and the Python module are equal to the
 * schemas, and every event of every recording is an event@1. No LLDB needed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import ts from 'typescript';
import {
  EVENT_SCHEMA,
  MAX_BACKTRACE_DEPTH,
  PROBE_MODES,
  PROBE_ROLES,
  REPEAT_SCHEMA,
  REPORT_SCHEMA,
  SPEC_SCHEMA,
} from '../../src/contract';
import { EVENT_KINDS, REQUIRED_FIELDS } from '../../src/protocol/event-shape';
import { OutputScanner } from '../../src/protocol/output-scanner';
import { CHANNEL_CODE } from '../../src/recording/asciicast';
import { readCast } from '../helpers/recording';

const ROOT = path.resolve(__dirname, '../../..');
type Schema = Record<string, any>;
const readJson = (...parts: string[]): Schema => JSON.parse(fs.readFileSync(path.join(ROOT, ...parts), 'utf8'));
const EVENT = readJson('schema', 'event.schema.json');
const SPEC = readJson('schema', 'spec.schema.json');
const branchOf = (kind: string): Schema => EVENT.definitions[kind];
const kindsOfSchema = (): string[] =>
  EVENT.oneOf.map((ref: { $ref: string }) => ref.$ref.replace('#/definitions/', ''));

let contractProgram: ts.Program | undefined;

/** Property name -> optional?, for each member of a union type alias or an interface of a contract file. */
function declaredProperties(file: string, name: string): Map<string, Map<string, boolean>> {
  const files = ['events.ts', 'spec.ts'].map((f) => path.join(ROOT, 'src', 'contract', f));
  contractProgram ??= ts.createProgram(files, { strict: true, types: [], noEmit: true });
  const checker = contractProgram.getTypeChecker();
  const source = contractProgram.getSourceFile(path.join(ROOT, 'src', 'contract', file))!;
  const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).find((s) => s.name === name);
  assert.ok(symbol !== undefined, `${name} in src/contract/${file}`);
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  const members = type.isUnion() ? type.types : [type];
  const out = new Map<string, Map<string, boolean>>();
  for (const member of members) {
    const props = new Map(
      member.getProperties().map((p) => [p.name, (p.flags & ts.SymbolFlags.Optional) !== 0] as [string, boolean]),
    );
    const kind = member.getProperty('kind');
    const label = kind === undefined ? name : checker.typeToString(checker.getTypeOfSymbol(kind)).replace(/"/g, '');
    out.set(label, props);
  }
  return out;
}

function assertSameFields(label: string, declared: Map<string, boolean>, schema: Schema): void {
  assert.deepEqual([...declared.keys()].sort(), Object.keys(schema.properties).sort(), `${label}: the fields`);
  const required = [...declared].filter(([, optional]) => !optional).map(([field]) => field);
  assert.deepEqual(required.sort(), [...schema.required].sort(), `${label}: the required fields`);
  assert.equal(schema.additionalProperties, false, `${label}: no field outside the branch`);
}

/** Every event framed in a recording's LLDB output, read as replay reads it. */
function recordedEvents(file: string): { events: unknown[]; badFrames: string[] } {
  const { header, events: recorded } = readCast(file);
  const scanner = new OutputScanner({ nonce: header.debug_exit.nonce, prompt: header.debug_exit.prompt });
  const events: unknown[] = [];
  const badFrames: string[] = [];
  const take = (tokens: ReturnType<OutputScanner['push']>) => {
    for (const token of tokens) {
      // `done` is session control on the channel, not an event@1 of the timeline.
      if (token.type === 'event' && (token.event as { kind: string }).kind !== 'done') events.push(token.event);
      if (token.type === 'bad-frame') badFrames.push(token.reason);
    }
  };
  for (const event of recorded) if (event.code === CHANNEL_CODE) take(scanner.push(event.data));
  take(scanner.end());
  return { events, badFrames };
}

describe('contract', () => {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const validateEvent = ajv.compile(EVENT);
  const validateSpec = ajv.compile(SPEC);

  describe('event@1', () => {
    const casts = fs.readdirSync(path.join(ROOT, 'recordings')).filter((f) => f.endsWith('.cast'));
    it('has recordings to check', () => assert.ok(casts.length >= 10, casts.join(', ')));
    for (const cast of casts) {
      it(`every event of recordings/${cast} is an event@1`, () => {
        const { events, badFrames } = recordedEvents(path.join(ROOT, 'recordings', cast));
        assert.deepEqual(badFrames, []);
        assert.ok(events.length > 5, `${events.length} events`);
        for (const event of events)
          assert.ok(validateEvent(event), `${JSON.stringify(event)}\n${ajv.errorsText(validateEvent.errors)}`);
      });
    }

    it('rejects a field outside its kind, a wrong type and an unknown kind', () => {
      const exit = { seq: 1, t_ns: 5, kind: 'exit', status: 0 };
      assert.ok(validateEvent(exit));
      assert.ok(!validateEvent({ ...exit, surprise: 1 }));
      assert.ok(!validateEvent({ ...exit, status: '0' }));
      assert.ok(!validateEvent({ ...exit, kind: 'telemetry' }));
      const integrity = {
        seq: 2,
        t_ns: 6,
        kind: 'integrity',
        status: 'corrupt',
        reason: 'x',
        layout_runs: [{ raw_versions: [8], offset: 0, records: 1, record_size: 48 }],
      };
      assert.ok(validateEvent(integrity));
      assert.ok(!validateEvent({ ...integrity, layout_runs: [{ raw_versions: [8] }] }));
    });

    it('the TypeScript event types have exactly the fields of the schema, required where it requires them', () => {
      const declared = declaredProperties('events.ts', 'DebugExitEvent');
      assert.deepEqual([...declared.keys()].sort(), kindsOfSchema().sort());
      for (const [kind, fields] of declared) assertSameFields(kind, fields, branchOf(kind));
      assert.equal(branchOf('hello').properties.schema.const, EVENT_SCHEMA);
      assert.deepEqual(EVENT.definitions.role.enum, [...PROBE_ROLES]);
    });

    it('the runtime shape check requires what the schema requires, with the same types', () => {
      assert.deepEqual([...EVENT_KINDS].sort(), kindsOfSchema().sort());
      for (const kind of EVENT_KINDS) {
        const branch = branchOf(kind);
        const required = branch.required.filter((field: string) => !['seq', 't_ns', 'kind'].includes(field));
        assert.deepEqual(Object.keys(REQUIRED_FIELDS[kind]).sort(), [...required].sort(), kind);
        for (const [field, type] of Object.entries(REQUIRED_FIELDS[kind])) {
          const schemaType =
            branch.properties[field].type ??
            (branch.properties[field].enum || branch.properties[field].const || branch.properties[field].$ref
              ? 'string'
              : undefined);
          const expected = type === 'number' ? ['integer', 'number'] : [type];
          assert.ok(
            expected.includes(schemaType),
            `${kind}.${field}: ${type} against ${JSON.stringify(branch.properties[field])}`,
          );
        }
      }
    });
  });

  it('the schema ids are those the schema files hold', () => {
    assert.equal(readJson('schema', 'report.schema.json').properties.schema.const, REPORT_SCHEMA);
    assert.equal(readJson('schema', 'repeat.schema.json').properties.schema.const, REPEAT_SCHEMA);
    assert.match(EVENT.title, new RegExp(EVENT_SCHEMA));
    assert.match(SPEC.title, new RegExp(SPEC_SCHEMA));
  });

  describe('spec@1', () => {
    it('the TypeScript spec types have exactly the fields of the schema', () => {
      assertSameFields('SessionSpec', declaredProperties('spec.ts', 'SessionSpec').get('SessionSpec')!, SPEC);
      assertSameFields(
        'ProbeSpec',
        declaredProperties('spec.ts', 'ProbeSpec').get('ProbeSpec')!,
        SPEC.definitions.probe,
      );
      assert.equal(SPEC.properties.schema.const, SPEC_SCHEMA);
      assert.deepEqual(SPEC.definitions.mode.enum, [...PROBE_MODES]);
      assert.deepEqual(SPEC.definitions.probe.properties.role.enum, [...PROBE_ROLES]);
      assert.equal(SPEC.properties.backtrace_depth.maximum, MAX_BACKTRACE_DEPTH);
    });

    it('accepts the spec the tool writes and rejects a stray field', () => {
      const spec = {
        schema: SPEC_SCHEMA,
        nonce: 'abc123',
        program: '/bin/true',
        args: [],
        env: { LLVM_PROFILE_FILE: '/tmp/x.profraw' },
        stdout_path: null,
        stderr_path: null,
        timeout_s: 60,
        disable_aslr: true,
        experiment: null,
        backtrace_depth: 16,
        probes: [{ role: 'main', symbols: ['main'], mode: 'once', reads_registered_function: false }],
      };
      assert.ok(validateSpec(spec), ajv.errorsText(validateSpec.errors));
      assert.ok(!validateSpec({ ...spec, verbose: true }));
      assert.ok(!validateSpec({ ...spec, probes: [{ ...spec.probes[0], mode: 'sometimes' }] }));
    });
  });

  describe('lldb-scripts/dx/contract.py', () => {
    const python = (code: string): Schema =>
      JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', code], { cwd: path.join(ROOT, 'lldb-scripts'), encoding: 'utf8' }),
      );
    const contract = python(
      'import json; from dx import contract as c; print(json.dumps({k: getattr(c, k) for k in dir(c) if k.isupper()}))',
    );

    it('says what the schemas say', () => {
      assert.equal(contract.EVENT_SCHEMA, EVENT_SCHEMA);
      assert.equal(contract.SPEC_SCHEMA, SPEC_SCHEMA);
      assert.deepEqual([...contract.EVENT_KINDS].sort(), kindsOfSchema().sort());
      assert.deepEqual(contract.PROBE_ROLES, EVENT.definitions.role.enum);
      assert.deepEqual(contract.PROBE_MODES, SPEC.definitions.mode.enum);
      assert.deepEqual(
        contract.EXPERIMENTS,
        SPEC.properties.experiment.enum.filter((e: unknown) => e !== null),
      );
      assert.deepEqual(['schema', 'nonce', ...contract.SPEC_FIELDS].sort(), Object.keys(SPEC.properties).sort());
      assert.equal(contract.MAX_BACKTRACE_DEPTH, SPEC.properties.backtrace_depth.maximum);
    });

    it("agrees with the spec checker's MODES, SPEC_FIELDS and schema ids (dx/spec.py, read without LLDB)", () => {
      const script = python(
        [
          'import json; from dx import spec as s',
          "print(json.dumps({'MODES': s.MODES, 'SPEC_FIELDS': list(s.SPEC_FIELDS), 'SPEC_SCHEMA': s.SPEC_SCHEMA,",
          "                  'EVENT_SCHEMA': s.EVENT_SCHEMA, 'MAX_BACKTRACE_DEPTH': s.MAX_BACKTRACE_DEPTH}))",
        ].join('\n'),
      );
      assert.deepEqual(script.MODES, contract.PROBE_MODES);
      assert.deepEqual([...script.SPEC_FIELDS].sort(), [...contract.SPEC_FIELDS].sort());
      assert.equal(script.SPEC_SCHEMA, contract.SPEC_SCHEMA);
      assert.equal(script.EVENT_SCHEMA, contract.EVENT_SCHEMA);
      assert.equal(script.MAX_BACKTRACE_DEPTH, contract.MAX_BACKTRACE_DEPTH);
    });
  });
});
