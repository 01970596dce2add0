/** A recording read as replay reads it (header and events checked), for tests that look inside. */
import * as fs from 'node:fs';
import { parseEvent, parseHeader, type AsciicastEvent, type AsciicastHeader } from '../../src/recording/asciicast';

export function readCast(file: string): { header: AsciicastHeader; events: AsciicastEvent[] } {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const header = parseHeader(lines[0], file);
  const events: AsciicastEvent[] = [];
  let time = 0;
  lines.slice(1).forEach((line, i) => {
    const event = parseEvent(line, file, i + 2, time);
    time = event.time;
    events.push(event);
  });
  return { header, events };
}

/** LLDB's terminal as it was shown: the `o` events joined (a line may be cut between two). */
export function terminalText(file: string): string {
  return readCast(file)
    .events.filter((e) => e.code === 'o')
    .map((e) => e.data)
    .join('');
}
