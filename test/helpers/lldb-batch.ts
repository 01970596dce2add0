/**
 * Plain `lldb-19 --batch`, independent of debug-exit: the ground truth the tool is checked against.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BatchRun {
  output: string;
  /** The symbols of breakpoint stops, in the order LLDB stopped at them. */
  stops: string[];
}

/** Runs `program` under lldb --batch with a breakpoint on each symbol, continuing at each stop. */
export function batchRun(
  program: string,
  symbols: string[],
  env: Record<string, string> = {},
  maxStops = 20,
): BatchRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-batch-'));
  try {
    const profile = path.join(dir, 'batch-%p.profraw');
    const args = ['--no-lldbinit', '--batch'];
    for (const [key, value] of Object.entries({ LLVM_PROFILE_FILE: profile, ...env })) {
      args.push('-o', `settings append target.env-vars ${key}=${value}`);
    }
    for (const symbol of symbols) args.push('-o', `breakpoint set -n ${symbol}`);
    args.push('-o', 'run');
    for (let i = 0; i < maxStops; i++) args.push('-o', 'bt 12', '-o', 'continue');
    // --batch stops running -o commands when the process crashes: -k runs these then.
    args.push('-k', 'bt 16', '--', program);
    const result = spawnSync('lldb-19', args, { encoding: 'utf8', timeout: 60000 });
    const output = `${result.stdout}${result.stderr}`;
    return { output, stops: stopsOf(output, symbols) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Example: "* thread #1, name = 'allocator-first', stop reason = breakpoint 2.1"
//          "  * frame #0: 0x000055555557225 allocator-first`mi_process_done at init.c:626:8"
const STOP_LINE = /stop reason = breakpoint (\d+)\.\d+/;

// `bt` repeats the stop line: only the one right after "Process N stopped" is a new stop.
const PROCESS_STOPPED = /^Process \d+ stopped/;

function stopsOf(output: string, symbols: string[]): string[] {
  const stops: string[] = [];
  const lines = output.split('\n');
  lines.forEach((line, i) => {
    const m = PROCESS_STOPPED.test(line) ? STOP_LINE.exec(lines[i + 1] ?? '') : null;
    if (m) stops.push(symbols[Number(m[1]) - 1] ?? `breakpoint ${m[1]}`);
  });
  return stops;
}
