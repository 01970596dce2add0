/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), as debug-exit writes and reads it:
 * a header line, then one `[time, code, data]` array per line.
 *
 *   {"version":2,"width":200,"height":50,"timestamp":1764130000,"command":"lldb-19 ...","title":"...",
 *    "env":{"TERM":"xterm-256color","SHELL":"/bin/bash"},"debug_exit":{...}}
 *   [0.412, "o", "(dx-1f2e3d4c5b6a7988) "]
 *   [0.413, "i", "command script import \"/x/debug_exit.py\"\n"]
 *
 * Pure: encoding, and parsing one line with errors that name the line.
 */

import { RECORDING_SCHEMA } from '../contract/ids';
import type { ExperimentName } from '../timeline/events';
export const DEBUG_EXIT_RECORDING_SCHEMA = RECORDING_SCHEMA;

/** What debug-exit adds to the header: enough to rebuild the report with no LLDB and no target. */
export interface DebugExitHeader {
  schema: typeof DEBUG_EXIT_RECORDING_SCHEMA;
  tool_version: string;
  nonce: string;
  /** Where the script's events are: `socket`, recorded as `x` events (older recordings had them in `o`). */
  channel: 'socket';
  prompt: string;
  lldb: string;
  lldb_version: string;
  /** SHA-256 of the program file (added when the capture is over; absent in older recordings). */
  program_sha256?: string;
  target: { program: string; args: string[] };
  profile_file: string | null;
  options: {
    timeout_s: number | null;
    census: boolean;
    aslr: 'on' | 'off';
    experiment?: ExperimentName | null;
    env: Record<string, string>;
    mode: 'capture' | 'interactive';
  };
}

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  command: string;
  title: string;
  env: { TERM?: string; SHELL?: string };
  debug_exit: DebugExitHeader;
}

/**
 * `o` output, `i` input, `m` marker (debug-exit marks LLDB's exit with `lldb-exit STATUS`, or
 * `lldb-exit quit` when the session was complete and LLDB was left to finish its teardown alone),
 * `x` the script's event channel (its frames, as read from the socket). asciicast v2 players skip
 * codes they do not know, so a recording still plays as the terminal session it was.
 */
export type EventCode = 'o' | 'i' | 'm' | 'r' | 'x';

export const CHANNEL_CODE = 'x';

export const LLDB_EXIT_MARKER = 'lldb-exit';

export interface AsciicastEvent {
  time: number;
  code: EventCode;
  data: string;
}

export class RecordingError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'RecordingError';
  }
}

export function encodeHeader(header: AsciicastHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/** Times with microsecond precision, as asciinema writes them. */
export function encodeEvent(event: AsciicastEvent): string {
  return `${JSON.stringify([Math.round(event.time * 1e6) / 1e6, event.code, event.data])}\n`;
}

/** Deeper than any recording debug-exit writes: a deeper line is refused (renderers recurse). */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests deeper than `max` (iterative: no recursion to overflow). */
export function nestsDeeper(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(item))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

export function parseHeader(text: string, file: string): AsciicastHeader {
  const value = parseJson(text, file, 1, 'the header');
  if (!isObject(value)) throw new RecordingError(file, 1, 'the header is not a JSON object');
  if (value.version !== 2)
    throw new RecordingError(file, 1, `unsupported asciicast version ${JSON.stringify(value.version)} (expected 2)`);
  for (const field of ['width', 'height'] as const) {
    if (!Number.isInteger(value[field]) || (value[field] as number) <= 0) {
      throw new RecordingError(file, 1, `header field "${field}" must be a positive integer`);
    }
  }
  if (value.timestamp !== undefined && typeof value.timestamp !== 'number') {
    throw new RecordingError(file, 1, 'header field "timestamp" must be a number');
  }
  checkDebugExitHeader(value.debug_exit, file);
  for (const field of ['command', 'title'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string')
      throw new RecordingError(file, 1, `header field "${field}" must be a string`);
  }
  return value as unknown as AsciicastHeader;
}

function checkDebugExitHeader(value: unknown, file: string): void {
  if (!isObject(value))
    throw new RecordingError(file, 1, 'header has no "debug_exit" object: not a debug-exit recording');
  const required: Array<[string, string]> = [
    ['nonce', 'string'],
    ['prompt', 'string'],
    ['target', 'object'],
    ['tool_version', 'string'],
  ];
  for (const [field, type] of required) {
    if (value[field] === undefined || value[field] === '')
      throw new RecordingError(file, 1, `header is missing debug_exit.${field}`);
    if (typeof value[field] !== type)
      throw new RecordingError(file, 1, `header field debug_exit.${field} must be a ${type}`);
  }
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(value.nonce as string))
    throw new RecordingError(file, 1, 'header field debug_exit.nonce must be 1-128 characters of [A-Za-z0-9_-]');
  const target = value.target as Record<string, unknown>;
  if (typeof target.program !== 'string' || target.program === '')
    throw new RecordingError(file, 1, 'header field debug_exit.target.program must be a non-empty string');
  if (!Array.isArray(target.args) || !target.args.every((a) => typeof a === 'string'))
    throw new RecordingError(file, 1, 'header field debug_exit.target.args must be a list of strings');
  if (value.profile_file !== undefined && value.profile_file !== null && typeof value.profile_file !== 'string')
    throw new RecordingError(file, 1, 'header field debug_exit.profile_file must be a string or null');
  checkOptions(value.options, file);
  if (value.channel !== 'socket') {
    throw new RecordingError(
      file,
      1,
      'recorded by an older debug-exit (events in the terminal stream, which a target could forge): capture it again',
    );
  }
}

function checkOptions(options: unknown, file: string): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new RecordingError(file, 1, 'header field debug_exit.options must be an object');
  const checks: Array<[string, (v: unknown) => boolean, string]> = [
    ['census', (v) => typeof v === 'boolean', 'true or false'],
    ['aslr', (v) => v === 'on' || v === 'off', '"on" or "off"'],
    ['mode', (v) => v === 'capture' || v === 'interactive', '"capture" or "interactive"'],
    ['experiment', (v) => v === null || v === 'early-write', 'null or "early-write"'],
    ['timeout_s', (v) => v === null || (typeof v === 'number' && Number.isFinite(v)), 'a number or null'],
    ['env', (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string'), 'an object of strings'],
  ];
  for (const [field, ok, what] of checks) {
    if (options[field] !== undefined && !ok(options[field]))
      throw new RecordingError(file, 1, `header field debug_exit.options.${field} must be ${what}`);
  }
}

/** Parses one event line; `previousTime` enforces non-decreasing times. */
export function parseEvent(text: string, file: string, line: number, previousTime: number): AsciicastEvent {
  const value = parseJson(text, file, line, 'an event');
  if (!Array.isArray(value) || value.length !== 3)
    throw new RecordingError(file, line, 'an event must be an array [time, code, data]');
  const [time, code, data] = value as unknown[];
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0)
    throw new RecordingError(file, line, 'event time must be a non-negative number');
  if (time < previousTime)
    throw new RecordingError(file, line, `event out of order: time ${time} is before ${previousTime}`);
  if (typeof code !== 'string' || code.length === 0)
    throw new RecordingError(file, line, 'event code must be a non-empty string');
  if (typeof data !== 'string') throw new RecordingError(file, line, 'event data must be a string');
  return { time, code: code as EventCode, data };
}

function parseJson(text: string, file: string, line: number, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordingError(file, line, `${what} is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (nestsDeeper(value, MAX_JSON_DEPTH))
    throw new RecordingError(file, line, `${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
