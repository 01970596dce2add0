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
  const keys = Object.keys(source).filter((key) => source[key] !== undefined);
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, ordered(source[key])]));
}

function rank(key: string): number {
  const index = EVENT_KEY_ORDER.indexOf(key);
  return index === -1 ? EVENT_KEY_ORDER.length : index;
}
