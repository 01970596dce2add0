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
  'exit-handler': { index: 'number', via: 'string', flavor: 'string', function: 'string' },
  census: { mode: 'string', status: 'string' },
};

/** Every event kind the protocol accepts. */
export const EVENT_KINDS = Object.keys(REQUIRED_FIELDS) as EventKind[];

/** Session control on the channel, not timeline events (src/contract/events.ts, DoneEvent). */
const CONTROL_FIELDS: Record<'done', Record<string, FieldType>> = { done: { command: 'string' } };

const ALL_FIELDS: Record<EventKind | 'done', Record<string, FieldType>> = { ...REQUIRED_FIELDS, ...CONTROL_FIELDS };

function hasType(value: unknown, type: FieldType): boolean {
  if (type === 'array') return Array.isArray(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

function isKnownKind(kind: unknown): kind is EventKind | 'done' {
  return typeof kind === 'string' && Object.hasOwn(ALL_FIELDS, kind);
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
  for (const [field, type] of Object.entries(ALL_FIELDS[record.kind])) {
    if (!hasType(record[field], type)) return `${record.kind} event: ${field} is not a ${type}`;
  }
  return checkNested(record);
}

const FRAME_FIELDS = ['symbol', 'module', 'pc'];
const REGISTERED_FIELDS = ['address', 'symbol', 'module'];
const OPTIONAL_STRINGS = ['thread_name', 'description', 'fault_address', 'message', 'at'];

function isObjectWithStrings(value: unknown, fields: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return fields.every((field) => typeof record[field] === 'string');
}

/** The parts consumers read without checking again: frames, modules, registered, optional strings. */
function checkNested(record: Record<string, unknown>): string | undefined {
  if (record.frames !== undefined) {
    if (!Array.isArray(record.frames)) return `${String(record.kind)} event: frames is not an array`;
    const bad = record.frames.findIndex((frame) => !isObjectWithStrings(frame, FRAME_FIELDS));
    if (bad >= 0) return `${String(record.kind)} event: frames[${bad}] is not a frame {symbol, module, pc}`;
  }
  if (
    record.modules !== undefined &&
    !(Array.isArray(record.modules) && record.modules.every((m) => typeof m === 'string'))
  ) {
    return `${String(record.kind)} event: modules is not a list of strings`;
  }
  if (
    record.registered !== undefined &&
    record.registered !== null &&
    !isObjectWithStrings(record.registered, REGISTERED_FIELDS)
  ) {
    return `${String(record.kind)} event: registered is not {address, symbol, module}`;
  }
  for (const field of OPTIONAL_STRINGS) {
    const value = record[field];
    if (value !== undefined && value !== null && typeof value !== 'string')
      return `${String(record.kind)} event: ${field} is not a string`;
  }
  return undefined;
}
