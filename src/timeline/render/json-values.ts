/**
 * JSON values for report@1, shared by the JSON renderer and the verdict modules: the Json type, event
 * objects with their keys in a fixed order, frames, and values passed through from the script.
 */
import type { Frame } from '../events';

/** Key order for event objects and their parts; keys not listed follow, alphabetically. */
const EVENT_KEY_ORDER = [
  'seq',
  't_ns',
  'kind',
  'name',
  'at',
  'schema',
  'code',
  'role',
  'symbol',
  'signal',
  'status',
  'description',
  'message',
  'fault_address',
  'locations',
  'modules',
  'module',
  'file',
  'line',
  'tid',
  'thread_name',
  'pc',
  'address',
  'registered',
  'frames',
  'args',
  'lldb_version',
  'platform',
];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values from the script's JSON, kept as they came (they were JSON already). */
export function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

export function frameJson(frame: Frame | null): Json {
  return frame === null ? null : ordered(frame);
}

/** A copy with keys in EVENT_KEY_ORDER, then the rest alphabetically; undefined values dropped. */
export function ordered(value: unknown): Json {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return (value ?? null) as Json;
  const source = value as Record<string, unknown>;
  const out: { [key: string]: Json } = {};
  for (const key of keyOrder(Object.keys(source))) if (source[key] !== undefined) out[key] = ordered(source[key]);
  return out;
}

const RANK = new Map(EVENT_KEY_ORDER.map((key, index) => [key, index]));
const rank = (key: string) => RANK.get(key) ?? EVENT_KEY_ORDER.length;

/** Objects of one shape share their order: a census of 10,000 registrations sorts a few shapes. */
const ORDERS = new Map<string, readonly string[]>();
const MAX_ORDERS = 4096;

function keyOrder(keys: string[]): readonly string[] {
  const shape = keys.join('\u0000');
  const known = ORDERS.get(shape);
  if (known !== undefined) return known;
  const order = [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (ORDERS.size < MAX_ORDERS) ORDERS.set(shape, order);
  return order;
}
