/**
 * Benchmarks (npm run bench): ratios measured side by side in one run, never timed tests.
 *  1. capture cost: `debug-exit capture` of profile-first next to a plain `lldb-19 --batch` that
 *     imports the same script and runs the same probes (the pty, machine and report on top);
 *  2. bounded probe cost: capturing many-handlers with N = 10,000 vs N = 10 (target: <= 1.5x);
 *  3. the census for contrast: N = 10,000 with every registration probed.
 *  4. the profile-data integrity check's cost per 10,000 records (bench/integrity.ts).
 * Runs are interleaved (A B A B ...) so that machine noise hits both sides alike; medians reported.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES_DIR, fixturePath } from '../src/fixtures/bundled';
import { buildSpec, SCRIPT_PATH } from '../src/session/capture';
import { measureIntegrity } from './integrity';
import { measureReplay, syntheticPath, writeSyntheticRecording } from './replay';

const BIN = path.resolve(__dirname, '../../bin/debug-exit');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

type Command = { label: string; file: string; args: string[] };

function wallMs(command: Command): number {
  const start = process.hrtime.bigint();
  // The report goes nowhere: a pipe would cap it at spawnSync's maxBuffer (a census report in JSON passes 1 MB).
  const result = spawnSync(command.file, command.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command.label} failed (${result.status}): ${result.stderr.slice(-800)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs the commands interleaved ROUNDS times; returns the median wall time of each. */
function sideBySide(commands: Command[]): number[] {
  const times: number[][] = commands.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    commands.forEach((command, i) => times[i].push(wallMs(command)));
  }
  return times.map(median);
}

let recordings = '';

/** A capture as a user runs it, recording included (into the benchmark's temp folder). */
function capture(label: string, program: string, args: string[], extra: string[] = []): Command {
  const record = path.join(recordings, `${label.replace(/\W+/g, '-')}.cast`);
  return { label, file: BIN, args: ['capture', '--quiet', '--format', 'json', '--record', record, ...extra, '--', program, ...args] };
}

function plainBatch(program: string, dir: string): Command {
  const spec = buildSpec(
    { program, args: [], env: {}, timeoutS: 60, lldb: null, census: false, disableAslr: true, recordTo: null },
    program,
    dir,
  );
  const specPath = path.join(dir, 'spec.json');
  fs.writeFileSync(specPath, JSON.stringify(spec));
  const args = ['--no-lldbinit', '--batch', '-o', `command script import ${SCRIPT_PATH}`, '-o', `dx-setup ${specPath}`, '-o', 'dx-run'];
  return { label: 'lldb-19 --batch + same script', file: 'lldb-19', args };
}

function row(label: string, ms: number, base?: number): string {
  const ratio = base === undefined ? '' : `  ${(ms / base).toFixed(2)}x`;
  return `  ${label.padEnd(48)} ${ms.toFixed(0).padStart(7)} ms${ratio}`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-bench-'));
  recordings = dir;
  try {
    console.log(`debug-exit benchmarks (median of ${ROUNDS}, interleaved; ${os.cpus().length} cores)`);
    const profileFirst = fixturePath('profile-first');
    const [tool, batch] = sideBySide([capture('debug-exit capture profile-first', profileFirst, []), plainBatch(profileFirst, dir)]);
    console.log('\n1. capture of profile-first');
    console.log(row('plain lldb-19 --batch with the same script', batch));
    console.log(row('debug-exit capture (pty, machine, report)', tool, batch));

    const many = fixturePath('many-handlers');
    const [n10, n10000, census] = sideBySide([
      capture('many-handlers 10', many, ['10']),
      capture('many-handlers 10000', many, ['10000']),
      capture('many-handlers 1000 --census', many, ['1000'], ['--census']),
    ]);
    console.log('\n2. default probes stay bounded: many-handlers (target: N=10,000 <= 1.5x N=10)');
    console.log(row('capture many-handlers N=10', n10));
    console.log(row('capture many-handlers N=10,000', n10000, n10));
    console.log(row('capture many-handlers N=1,000 --census (contrast)', census, n10));
    console.log(`  census cost: about ${((census - n10) / 1000).toFixed(2)} ms per registration (each is a debugger stop)`);
    const ok = n10000 / n10 <= 1.5;
    console.log(`\n  bounded-cost target ${ok ? 'MET' : 'MISSED'}: ${(n10000 / n10).toFixed(2)}x`);

    console.log('\n3. replay throughput and memory (synthetic recordings, 100,000 probe hits each; target >= 50 MB/s)');
    const replays = [];
    for (const mb of [50, 150]) {
      const file = syntheticPath(dir, mb);
      writeSyntheticRecording(file, mb, 100000);
      replays.push(await measureReplay(file));
    }
    for (const r of replays) {
      console.log(`  ${r.megabytes.toFixed(1).padStart(6)} MB, ${r.events} events: ${(r.megabytes / r.seconds).toFixed(1).padStart(6)} MB/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    }
    const throughput = replays[1].megabytes / replays[1].seconds;
    const replayOk = throughput >= 50;
    console.log(`  replay throughput target ${replayOk ? 'MET' : 'MISSED'}: ${throughput.toFixed(1)} MB/s on ${replays[1].megabytes.toFixed(0)} MB`);

    console.log('\n4. the profile-data integrity check at main (in LLDB, median of the check timed inside LLDB)');
    for (const name of ['rust-fixed', 'many-records']) {
      const cost = measureIntegrity(`${FIXTURES_DIR}-foreign/${name}`, ROUNDS, path.join(dir, `${name}-%p.profraw`));
      console.log(`  ${name.padEnd(14)} ${String(cost.records).padStart(6)} records (${cost.status}): ${cost.medianMs.toFixed(1).padStart(7)} ms, ${cost.msPer10k.toFixed(1)} ms per 10,000 records`);
    }
    process.exitCode = ok && replayOk ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
