/**
 * The minimum an event object must carry to be accepted from a frame: numeric `seq` and `t_ns`, a
 * known `kind`, and the fields that kind requires (the `required` of its branch in
 * schema/event.schema.json; test/unit/contract.test.ts keeps them equal). Extra fields pass through
 * untouched; optional ones are left to the consumers that read them.
 *
 *   {"seq":7,"t_ns":91234000,"kind":"exit","status":0}              accepted
 *   {"seq":"7","t_ns":91234000,"kind":"exit","status":0}            rejected: seq is not a number
 */
import type { EventKind } from '../contract/events';

type FieldType = 'string' | 'number' | 'array';

/** One row per kind; `Record<EventKind, ...>` makes the compiler ask for a row when a kind is added. */
export const REQUIRED_FIELDS: Record<EventKind, Record<string, FieldType>> = {
  hello: { schema: 'string', lldb_version: 'string', platform: 'string' },
  'probe-resolved': { role: 'string', symbol: 'string', locations: 'number', modules: 'array' },
  hit: { role: 'string', symbol: 'string', module: 'string', tid: 'number', pc: 'string', frames: 'array' },
  launched: { pid: 'number' },
  integrity: { status: 'string', reason: 'string' },
  experiment: { name: 'string', status: 'string' },
  signal: { signal: 'string', description: 'string', tid: 'number', pc: 'string', frames: 'array' },
  exit: { status: 'number' },
  error: { code: 'string', message: 'string' },
};

/** Every event kind the protocol accepts. */
export const EVENT_KINDS = Object.keys(REQUIRED_FIELDS) as EventKind[];

function hasType(value: unknown, type: FieldType): boolean {
  if (type === 'array') return Array.isArray(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

function isKnownKind(kind: unknown): kind is EventKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(REQUIRED_FIELDS, kind);
}

/** Why `value` is not an event, or undefined when it is one. */
export function checkEventShape(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a JSON object';
  }
  const record = value as Record<string, unknown>;
  if (!Number.isSafeInteger(record.seq) || (record.seq as number) < 0) {
    return 'seq is not a non-negative integer';
  }
  if (!hasType(record.t_ns, 'number') || (record.t_ns as number) < 0) {
    return 't_ns is not a non-negative number';
  }
  if (!isKnownKind(record.kind)) return `unknown kind ${JSON.stringify(record.kind)}`;
  for (const [field, type] of Object.entries(REQUIRED_FIELDS[record.kind])) {
    if (!hasType(record[field], type)) return `${record.kind} event: ${field} is not a ${type}`;
  }
  return undefined;
}
