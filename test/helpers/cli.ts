/** Runs the real CLI (bin/debug-exit) as a user would, and reads its JSON report. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BIN = path.resolve(__dirname, '../../../bin/debug-exit');

/**
 * The CLI runs in a scratch folder, so the recordings it makes by default
 * (.debug-exit/recordings/<program>-<time>.cast) land there, not in the work tree.
 */
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-cli-cwd-'));
process.on('exit', () => fs.rmSync(SCRATCH, { recursive: true, force: true }));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * LLDB 19 now and then loses a crashing process (exit status -1, no signal): debug-exit says so
 * (outcome `lost`, exit 1, "capture again"). A test does what the message tells a user, once, and
 * says so on the test's stderr; a second loss fails the test.
 */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  const run = await runCliOnce(args, options);
  if (args[0] !== 'capture' || run.code !== 1 || !/LLDB lost the process/.test(run.stderr)) return run;
  process.stderr.write(`      (LLDB lost the process: capturing again, as debug-exit advises: ${args.join(' ')})\n`);
  const record = args.indexOf('--record');
  if (record >= 0 && args[record + 1]) fs.rmSync(path.resolve(SCRATCH, args[record + 1]), { force: true });
  return runCliOnce(args, options);
}

function runCliOnce(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: SCRATCH,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The fields of the JSON report the tests read (debug-exit/report@1). */
export interface JsonReport {
  schema: string;
  outcome: { kind: string; [key: string]: unknown };
  experiment: string | null;
  diagnosis: {
    conclusion: string;
    summary: string;
    next_step: string;
    hypotheses: Array<{ id: string; status: string; reason: string; evidence: number[] }>;
  };
  verdicts: {
    allocator_cleanup_first: { result: string; cause: string | null; reason: string; evidence: number[] };
    explicit_writes: { result: string; writes: Array<{ seq: number; caller: { symbol: string } | null }> };
    crash_attribution: { result: string; signal: string | null; allocator: string | null; reason: string };
    profile_data_integrity: { result: string; reason: string; first_bad: { index: number; field: string } | null };
    early_write: {
      result: string;
      before_teardown: boolean | null;
      allocator: string | null;
      signal: string | null;
      fault_address: string | null;
      writer_frame: { symbol: string } | null;
      reason: string;
      evidence: number[];
    };
  };
  registrations: Array<{ seq: number; via: string; kind: string; registered: { symbol: string } | null }>;
  events: Array<{
    seq: number;
    kind: string;
    role?: string;
    symbol?: string;
    signal?: string;
    status?: string;
    frames?: Array<{ symbol: string }>;
    registered?: { symbol: string };
  }>;
}

/** hypothesis id -> status, from the report's diagnosis. */
export function hypothesisStatuses(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.diagnosis.hypotheses.map((h) => [h.id, h.status]));
}

export async function captureJson(
  args: string[],
  programAndArgs: string[],
): Promise<{ run: CliRun; report: JsonReport }> {
  const run = await runCli(['capture', '--quiet', '--format', 'json', ...args, '--', ...programAndArgs]);
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`no JSON report (exit ${run.code}):\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  }
  return { run, report };
}

/** The symbols of probe hits, in timeline order. */
export function hitSymbols(report: JsonReport, roles?: string[]): string[] {
  return report.events
    .filter((e) => e.kind === 'hit' && (roles === undefined || roles.includes(e.role ?? '')))
    .map((e) => e.symbol ?? '?');
}

export function seqOf(report: JsonReport, symbol: string): number {
  const event = report.events.find((e) => e.kind === 'hit' && e.symbol === symbol);
  if (!event) throw new Error(`no hit of ${symbol} in the timeline`);
  return event.seq;
}
