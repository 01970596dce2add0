/**
 * The profile-data integrity check's own cost, in LLDB on a live process stopped at main: the
 * check of lldb-scripts/dx/integrity.py timed inside LLDB's Python (perf_counter), ROUNDS
 * times on the same stop, median. One read of each section whatever the record count, so the cost
 * per 10,000 records is what the pure-Python decoding of those records costs.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPTS = path.resolve(__dirname, '../../lldb-scripts');
const MARK = 'DX-INTEGRITY-BENCH ';

export interface IntegrityCost {
  records: number;
  status: string;
  medianMs: number;
  msPer10k: number;
}

export function measureIntegrity(program: string, rounds: number, profileFile: string): IntegrityCost {
  const python = [
    'import sys, time, json',
    `sys.path.insert(0, ${JSON.stringify(SCRIPTS)})`,
    'from dx import integrity as pi',
    'ts = []',
    `for _ in range(${rounds}): t0 = time.perf_counter(); r = pi.check_profile_integrity(lldb.target, lldb.process); ts.append((time.perf_counter() - t0) * 1000)`,
    'ts.sort()',
    `print(${JSON.stringify(MARK)} + json.dumps({"records": r.get("records"), "status": r.get("status"), "median_ms": ts[len(ts) // 2]}))`,
  ];
  const args = [
    '--no-lldbinit',
    '--batch',
    '-o',
    `settings append target.env-vars LLVM_PROFILE_FILE=${profileFile}`,
    '-o',
    'breakpoint set -n main',
    '-o',
    'run',
  ];
  for (const line of python) args.push('-o', `script ${line}`);
  args.push('-o', 'process kill', '--', program);
  const result = spawnSync('lldb-19', args, { encoding: 'utf8', timeout: 300000 });
  const line = `${result.stdout}`.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined)
    throw new Error(
      `integrity bench on ${program} printed no result: ${result.stdout.slice(-800)}${result.stderr.slice(-400)}`,
    );
  const parsed = JSON.parse(line.slice(MARK.length)) as { records: number; status: string; median_ms: number };
  return {
    records: parsed.records,
    status: parsed.status,
    medianMs: parsed.median_ms,
    msPer10k: (parsed.median_ms * 10000) / parsed.records,
  };
}
