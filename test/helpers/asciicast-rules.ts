/**
 * The asciicast v2 rules a player relies on, checked independently of debug-exit's own parser:
 * https://docs.asciinema.org/manual/asciicast/v2/ (header: version 2, integer width/height, optional
 * numeric timestamp, string command/title, env object of strings; events: [float time, string code,
 * string data], times non-decreasing). Returns the problems found.
 */
import * as fs from 'node:fs';

export function asciicastProblems(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const problems: string[] = [];
  const header = JSON.parse(lines[0]) as Record<string, unknown>;
  if (header.version !== 2) problems.push('header.version is not 2');
  for (const key of ['width', 'height'])
    if (!Number.isInteger(header[key])) problems.push(`header.${key} is not an integer`);
  if (header.timestamp !== undefined && !Number.isInteger(header.timestamp))
    problems.push('header.timestamp is not an integer');
  for (const key of ['command', 'title'])
    if (header[key] !== undefined && typeof header[key] !== 'string') problems.push(`header.${key} is not a string`);
  const env = header.env as Record<string, unknown> | undefined;
  if (env !== undefined && (typeof env !== 'object' || Object.values(env).some((v) => typeof v !== 'string')))
    problems.push('header.env is not an object of strings');
  let previous = 0;
  lines.slice(1).forEach((line, i) => {
    const event = JSON.parse(line) as unknown;
    const where = `line ${i + 2}`;
    if (!Array.isArray(event) || event.length !== 3) return void problems.push(`${where}: not a 3-element array`);
    const [time, code, data] = event as [unknown, unknown, unknown];
    if (typeof time !== 'number' || time < previous)
      problems.push(`${where}: time ${String(time)} is not a number >= ${previous}`);
    if (typeof code !== 'string' || !['o', 'i', 'm', 'r', 'x'].includes(code))
      problems.push(`${where}: unknown event code ${String(code)}`);
    if (typeof data !== 'string') problems.push(`${where}: data is not a string`);
    if (typeof time === 'number') previous = time;
  });
  return problems;
}
