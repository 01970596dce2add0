/**
 * The profile check travels with the recording: appended after the session as one asciicast
 * marker (`m`, "debug-exit:profile-output {json}"), so that a replay rebuilds the same
 * profile_output, byte for byte, though the files themselves are gone. Read back with its shape
 * checked (a recording is a file anyone can hand us): a marker that does not fit is ignored.
 */
import * as fs from 'node:fs';
import { encodeEvent } from '../recording/asciicast';
import type { ProfileFileFacts, ProfileOutputCheck } from './output';

export const PROFILE_OUTPUT_MARKER = 'debug-exit:profile-output ';
const TAIL_BYTES = 64 * 1024;

/** The time of the recording's last event, so that the marker keeps times non-decreasing. */
function lastTime(file: string): number {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  try {
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('['));
    for (const line of lines.reverse()) {
      try {
        const event = JSON.parse(line) as unknown;
        if (Array.isArray(event) && typeof event[0] === 'number') return event[0];
      } catch {
        // a partial first line of the tail: try the one before
      }
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/** Appended only after a whole last line: a recording cut mid-write (a killed capture) stays as it is, cut. */
export function appendProfileCheck(file: string, check: ProfileOutputCheck): void {
  if (!fs.existsSync(file) || !endsWithNewline(file)) return;
  const time = lastTime(file);
  fs.appendFileSync(file, encodeEvent({ time, code: 'm', data: `${PROFILE_OUTPUT_MARKER}${JSON.stringify(check)}` }));
}

function endsWithNewline(file: string): boolean {
  const size = fs.statSync(file).size;
  if (size === 0) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';

function isFileFacts(v: unknown): v is ProfileFileFacts {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    isString(f.path) &&
    typeof f.size === 'number' &&
    isStringOrNull(f.magic) &&
    isNumberOrNull(f.rawVersion) &&
    (f.accepted === null || typeof f.accepted === 'boolean') &&
    isStringOrNull(f.toolMessage)
  );
}

/** The check of a marker's data; null when it is not one, or does not have the shape. */
export function profileCheckOfMarker(data: string): ProfileOutputCheck | null {
  if (!data.startsWith(PROFILE_OUTPUT_MARKER)) return null;
  let value: unknown;
  try {
    value = JSON.parse(data.slice(PROFILE_OUTPUT_MARKER.length));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const ok =
    isString(c.folder) &&
    typeof c.kept === 'boolean' &&
    Array.isArray(c.files) &&
    c.files.every(isFileFacts) &&
    Array.isArray(c.runtimeMessages) &&
    c.runtimeMessages.every(isString) &&
    isStringOrNull(c.llvmProfdata) &&
    isStringOrNull(c.notChecked) &&
    (c.messagesFrom === null || c.messagesFrom === 'program-output-files');
  return ok ? (value as ProfileOutputCheck) : null;
}
