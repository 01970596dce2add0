/**
 * Benchmarks (npm run bench): every target of the project, measured side by side in one run,
 * never as timed tests. Commands that are compared run interleaved (A B C A B C ...) so that
 * machine noise hits each side alike; every line gives min / median / max, ratios are of medians.
 *
 *  1. capture at the floor: `debug-exit capture` vs a raw `lldb-19 --batch` tracer with the same
 *     spec and probes and Python callbacks (bench/baseline_tracer.py): <= 0.75x; on profile-first
 *     and on the largest Rust fixture when the tree has one. Context: LLDB alone, with and
 *     without symbols.load-on-demand, and the probes' resolution cost.
 *  2. census in O(1) stops: --census of 10,000 registrations vs the default capture: <= 1.5x;
 *     the default probes stay bounded (N=10,000 vs N=10: <= 1.5x); --census=stops for contrast.
 *  3. large programs: the integrity check on 100,000 profile records adds <= 100 ms; debug-exit's
 *     peak RSS < 150 MB (LLDB's reported apart).
 *  4. --repeat: the cost of each further run <= 0.2x a fresh capture.
 *  5. replay throughput >= 50 MB/s on synthetic recordings.
 *  6. inspect of the largest fixture and of a 256 MB-padded copy: <= 2 s, peak RSS <= 150 MB.
 *  7. the profile-data integrity check's cost per 10,000 records at main (bench/integrity.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES_DIR, fixturePath } from '../src/fixtures/bundled';
import { buildSpec } from '../src/session/capture';
import { largeProfileProgram } from './large-profile';
import { measureIntegrity } from './integrity';
import { measureReplay, syntheticPath, writeSyntheticRecording } from './replay';
import {
  INSPECT_FUNCTIONS,
  inspectRow,
  largestFixture,
  manyRecordsProgram,
  measureInspect,
  paddedCopy,
} from './inspect';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/debug-exit');
const TRACER = path.join(ROOT, 'bench/baseline_tracer.py');
const RSS_PROBE = path.join(ROOT, 'dist/bench/rss-probe.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_SECTIONS=2,4 runs those sections only (all by default). */
const SECTIONS = process.env.BENCH_SECTIONS?.split(',').map(Number) ?? null;
const section = (n: number) => SECTIONS === null || SECTIONS.includes(n);
const LARGE_RECORDS = 100000;

type Command = {
  label: string;
  file: string;
  args: string[];
  /** Added to the environment of this command. */
  env?: Record<string, string>;
  /** Runs before each sample, untimed (e.g. empty a cache for a cold run). */
  before?: () => void;
};
interface Stats {
  min: number;
  median: number;
  max: number;
}
interface Target {
  name: string;
  measured: string;
  limit: string;
  met: boolean;
}

const targets: Target[] = [];
let dir = '';

function wallMs(command: Command): number {
  command.before?.();
  const start = process.hrtime.bigint();
  // The report goes nowhere: a pipe would cap it at spawnSync's maxBuffer (a census report passes 1 MB).
  const result = spawnSync(command.file, command.args, {
    env: command.env ? { ...process.env, ...command.env } : process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`${command.label} failed (${result.status}): ${(result.stderr ?? '').slice(-800)}`);
  return ms;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Runs the commands interleaved ROUNDS times; the samples of each. */
function sideBySide(commands: Command[], rounds = ROUNDS): Stats[] {
  const times: number[][] = commands.map(() => []);
  for (let round = 0; round < rounds; round++) commands.forEach((command, i) => times[i].push(wallMs(command)));
  return times.map(stats);
}

function fmt(s: Stats, unit = 'ms', digits = 0): string {
  const n = (v: number) => v.toFixed(digits).padStart(6);
  return `min ${n(s.min)} / median ${n(s.median)} / max ${n(s.max)} ${unit}`;
}

function row(label: string, s: Stats, base?: Stats, unit = 'ms', digits = 0): void {
  const ratio = base === undefined ? '' : `   ${(s.median / base.median).toFixed(2)}x`;
  console.log(`  ${label.padEnd(58)} ${fmt(s, unit, digits)}${ratio}`);
}

function target(name: string, ratio: number, limit: number, unit = 'x', digits = 2): void {
  const met = ratio <= limit;
  const t = { name, measured: `${ratio.toFixed(digits)}${unit}`, limit: `<= ${limit}${unit}`, met };
  targets.push(t);
  console.log(`  TARGET ${name}: ${t.measured} (${t.limit}) ${met ? 'MET' : 'MISSED'}`);
}

/** A capture as a user runs it, recording included (into the benchmark's temp folder). */
function capture(label: string, program: string, args: string[], extra: string[] = []): Command {
  const record = path.join(dir, `${label.replace(/\W+/g, '-')}.cast`);
  return {
    label,
    file: BIN,
    args: ['capture', '--quiet', '--format', 'json', '--record', record, '--force', ...extra, '--', program, ...args],
  };
}

function specFile(program: string, name: string): string {
  const specDir = fs.mkdtempSync(path.join(dir, `${name}-`));
  const spec = buildSpec({ args: [], env: {}, timeoutS: 60, census: false, disableAslr: true }, program, specDir);
  const file = path.join(specDir, 'spec.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** The floor: a raw lldb --batch tracer with the same spec and probes (Python callbacks). */
function rawTracer(program: string, name: string, onDemand = false): Command {
  const spec = specFile(program, name);
  const settings = onDemand ? ['-O', 'settings set symbols.load-on-demand true'] : [];
  return {
    label: 'raw lldb-19 --batch tracer',
    file: 'lldb-19',
    args: [
      '--no-lldbinit',
      '--batch',
      ...settings,
      '-o',
      `command script import ${TRACER}`,
      '-o',
      `baseline-trace ${spec}`,
    ],
  };
}

function lldbAlone(program: string, onDemand: boolean): Command {
  const settings = onDemand ? ['-O', 'settings set symbols.load-on-demand true'] : [];
  return {
    label: 'lldb alone',
    file: 'lldb-19',
    args: ['--no-lldbinit', '--batch', ...settings, '-o', 'run', '--', program],
  };
}

/** The largest Rust fixture that exits cleanly (scripts/build-fixtures-foreign.sh: rust-c19, rust-fixed). */
export function largestRustFixture(): string | null {
  const folder = `${FIXTURES_DIR}-foreign`;
  if (!fs.existsSync(folder)) return null;
  const rust = ['rust-c19', 'rust-fixed'].map((name) => path.join(folder, name)).filter((file) => fs.existsSync(file));
  rust.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  return rust[0] ?? null;
}

/** A capture with its own LLDB cache (session/lldb-cache.ts): warmed once, emptied each time, or off. */
function cachedCapture(label: string, program: string, cache: 'warm' | 'cold' | 'off'): Command {
  const command = capture(label, program, []);
  const cacheDir = path.join(dir, `lldb-cache-${label.replace(/\W+/g, '-')}`);
  if (cache === 'off') return { ...command, env: { DEBUG_EXIT_CACHE: 'off' } };
  const emptied = () => fs.rmSync(cacheDir, { recursive: true, force: true });
  const withCache = { ...command, env: { DEBUG_EXIT_CACHE: cacheDir } };
  if (cache === 'cold') return { ...withCache, before: emptied };
  emptied();
  wallMs(withCache); // the warm-up: the first capture on a machine fills the cache
  return withCache;
}

function floorSection(program: string, name: string, withContext: boolean): void {
  const commands = [
    rawTracer(program, name),
    cachedCapture(`debug-exit capture ${name}`, program, 'warm'),
    cachedCapture(`debug-exit capture ${name} cold`, program, 'cold'),
    cachedCapture(`debug-exit capture ${name} off`, program, 'off'),
  ];
  if (withContext)
    commands.push(lldbAlone(program, false), lldbAlone(program, true), rawTracer(program, `${name}-lod`, true));
  const [tracer, tool, cold, off, alone, onDemand, tracerOnDemand] = sideBySide(commands);
  row('raw lldb-19 --batch tracer (bench/baseline_tracer.py)', tracer);
  row('debug-exit capture (its LLDB cache warm: the default)', tool, tracer);
  row('debug-exit capture, cache cold (first capture on a machine)', cold, tracer);
  row('debug-exit capture, DEBUG_EXIT_CACHE=off', off, tracer);
  if (withContext) {
    row('context: lldb-19 --batch -o run (no probes)', alone, tracer);
    row('context: the same with symbols.load-on-demand true', onDemand, tracer);
    row('context: the raw tracer with symbols.load-on-demand true', tracerOnDemand, tracer);
    console.log(
      `  debug-exit vs the raw tracer both with symbols.load-on-demand (debug-exit sets it): ${(tool.median / tracerOnDemand.median).toFixed(2)}x`,
    );
    console.log(
      `  probes' resolution and callbacks in the raw tracer: ${(tracer.median - alone.median).toFixed(0)} ms over LLDB alone`,
    );
  }
  target(`capture ${name} vs raw lldb tracer`, tool.median / tracer.median, 0.75);
}

/** Peak RSS of debug-exit (its own, from inside: rss-probe.js) and of the LLDB it drives (sampled). */
async function peakRss(command: Command): Promise<{ debugExitMb: number; lldbMb: number; reportFile: string }> {
  const rssFile = path.join(dir, `rss-${Date.now()}.txt`);
  const child = spawn(
    process.execPath,
    ['--require', RSS_PROBE, path.join(ROOT, 'dist/src/cli/main.js'), ...command.args],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DX_BENCH_RSS_FILE: rssFile },
    },
  );
  let lldbKb = 0;
  const sample = () => {
    for (const pid of descendants(child.pid!)) {
      const status = readProc(`/proc/${pid}/status`);
      if (!/^Name:\s+lldb/m.test(status) || /^Name:\s+lldb-server/m.test(status)) continue;
      const hwm = /^VmHWM:\s+(\d+)/m.exec(status);
      if (hwm) lldbKb = Math.max(lldbKb, Number(hwm[1]));
    }
  };
  const timer = setInterval(sample, 10);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${command.label} failed (${code})`);
  const selfKb = Number(fs.readFileSync(rssFile, 'utf8'));
  return { debugExitMb: selfKb / 1024, lldbMb: lldbKb / 1024, reportFile: rssFile };
}

function readProc(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const task of safeList(`/proc/${p}/task`)) {
      for (const child of readProc(`/proc/${p}/task/${task}/children`).split(/\s+/).filter(Boolean).map(Number)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function safeList(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}

/** What the integrity check took inside LLDB: from the profile-write hit that triggers it to its event. */
function integrityMs(reportFile: string): number {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    events: Array<{ seq: number; t_ns: number; kind: string; role?: string }>;
  };
  const index = report.events.findIndex((e) => e.kind === 'integrity');
  if (index < 0) throw new Error(`${reportFile}: no integrity event`);
  const trigger = report.events
    .slice(0, index)
    .reverse()
    .find((e) => e.kind === 'hit' && e.role === 'profile-write');
  if (!trigger) throw new Error(`${reportFile}: no profile-write hit before the integrity event`);
  return (report.events[index].t_ns - trigger.t_ns) / 1e6;
}

async function largeSection(): Promise<void> {
  const program = largeProfileProgram(LARGE_RECORDS);
  const checks: number[] = [];
  const selfMb: number[] = [];
  const lldbMb: number[] = [];
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    const out = path.join(dir, `large-${round}.json`);
    const measured = await peakRss({
      label: 'capture large',
      file: BIN,
      args: [
        'capture',
        '--quiet',
        '--format',
        'json',
        '--out',
        `json=${out}`,
        '--record',
        path.join(dir, 'large.cast'),
        '--force',
        '--',
        program,
      ],
    });
    checks.push(integrityMs(out));
    selfMb.push(measured.debugExitMb);
    lldbMb.push(measured.lldbMb);
  }
  const records = (
    JSON.parse(fs.readFileSync(path.join(dir, 'large-0.json'), 'utf8')) as {
      events: Array<{ kind: string; records?: number }>;
    }
  ).events.find((e) => e.kind === 'integrity')?.records;
  console.log(
    `  program: ${path.basename(program)} (${(fs.statSync(program).size / 1e6).toFixed(1)} MB, integrity read ${records ?? '?'} records)`,
  );
  row('integrity check (profile-write hit -> integrity event)', stats(checks));
  row("debug-exit's own peak RSS", stats(selfMb), undefined, 'MB');
  row("LLDB's peak RSS (apart)", stats(lldbMb), undefined, 'MB');
  target('integrity check on 100,000 records', stats(checks).median, 100, ' ms', 0);
  target("debug-exit's peak RSS on 100,000 records", stats(selfMb).max, 150, ' MB', 0);
  console.log('  inspect of a binary over 100 MB: section 6');
}

async function main(): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-bench-'));
  try {
    console.log(`debug-exit benchmarks (${ROUNDS} rounds, interleaved; ${os.cpus().length} cores; ratios of medians)`);

    if (section(1)) {
      console.log('\n1. capture at the floor (target: <= 0.75x a raw lldb --batch tracer with the same probes)');
      console.log(' profile-first');
      floorSection(fixturePath('profile-first'), 'profile-first', true);
      const rust = largestRustFixture();
      if (rust === null)
        console.log(' largest Rust fixture: not built (scripts/build-fixtures-foreign.sh): not measured');
      else {
        console.log(` largest Rust fixture: ${path.basename(rust)}`);
        floorSection(rust, path.basename(rust), false);
      }
    }

    if (section(2)) {
      console.log('\n2. census in O(1) stops: many-handlers');
      const many = fixturePath('many-handlers');
      const [n10, n10000, census, stops] = sideBySide([
        capture('many-handlers 10', many, ['10']),
        capture('many-handlers 10000', many, ['10000']),
        capture('many-handlers 10000 --census', many, ['10000'], ['--census']),
        capture('many-handlers 1000 --census=stops', many, ['1000'], ['--census=stops']),
      ]);
      row('capture N=10', n10);
      row('capture N=10,000', n10000, n10);
      row('capture N=10,000 --census (list read once at exit())', census, n10000);
      row('capture N=1,000 --census=stops (contrast: a stop each)', stops, n10000);
      console.log(`  --census=stops: about ${((stops.median - n10000.median) / 1000).toFixed(2)} ms per registration`);
      target('--census of 10,000 registrations vs default capture', census.median / n10000.median, 1.5);
      target('default probes bounded: N=10,000 vs N=10', n10000.median / n10.median, 1.5);
    }

    if (section(3)) {
      console.log(`\n3. large programs: ${LARGE_RECORDS.toLocaleString('en')} profile records`);
      await largeSection();
    }

    if (section(4)) {
      console.log('\n4. --repeat: the cost of each further run (target: <= 0.2x a fresh capture)');
      const profileFirst = fixturePath('profile-first');
      const [one, five] = sideBySide([
        capture('repeat 1', profileFirst, []),
        capture('repeat 5', profileFirst, [], ['--repeat', '5']),
      ]);
      row('capture (one run)', one);
      row('capture --repeat 5', five, one);
      const perRun = {
        min: (five.min - one.max) / 4,
        median: (five.median - one.median) / 4,
        max: (five.max - one.min) / 4,
      };
      row('each further run ((repeat 5 - repeat 1) / 4)', perRun, one);
      target('--repeat per-run cost vs a fresh capture', perRun.median / one.median, 0.2);
    }

    if (section(5)) {
      console.log(
        '\n5. replay throughput and memory (synthetic recordings, 100,000 probe hits each; target >= 50 MB/s)',
      );
      const replays = [];
      for (const mb of [50, 150]) {
        const file = syntheticPath(dir, mb);
        writeSyntheticRecording(file, mb, 100000);
        replays.push(await measureReplay(file));
      }
      for (const r of replays) {
        console.log(
          `  ${r.megabytes.toFixed(1).padStart(6)} MB, ${r.events} events: ${(r.megabytes / r.seconds).toFixed(1).padStart(6)} MB/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
        );
      }
      const throughput = replays[1].megabytes / replays[1].seconds;
      targets.push({
        name: 'replay throughput',
        measured: `${throughput.toFixed(1)} MB/s`,
        limit: '>= 50 MB/s',
        met: throughput >= 50,
      });
      console.log(
        `  TARGET replay throughput: ${throughput.toFixed(1)} MB/s (>= 50 MB/s) ${throughput >= 50 ? 'MET' : 'MISSED'}`,
      );
    }

    if (section(6)) {
      console.log(
        `\n6. debug-exit inspect (static, nothing run; median of ${ROUNDS}; peak RSS of the inspect process)`,
      );
      const largest = largestFixture();
      const inspects = [
        measureInspect(`largest fixture: ${path.basename(largest)}`, largest, ROUNDS),
        measureInspect(`the same + 256 MB it never reads`, paddedCopy(largest, dir), ROUNDS),
        measureInspect(`generated, ${INSPECT_FUNCTIONS.toLocaleString('en')} records`, manyRecordsProgram(dir), ROUNDS),
      ];
      for (const m of inspects) console.log(inspectRow(m));
      console.log(
        `  memory bounded: ${(inspects[1].peakRssMb / inspects[0].peakRssMb).toFixed(2)}x the RSS for a file ${(inspects[1].megabytes / inspects[0].megabytes).toFixed(0)}x as big`,
      );
      const big = inspects[1];
      targets.push({
        name: `inspect of a ${big.megabytes.toFixed(0)} MB binary`,
        measured: `${big.ms.toFixed(0)} ms`,
        limit: '<= 2000 ms',
        met: big.ms <= 2000,
      });
      targets.push({
        name: `inspect's peak RSS on ${big.megabytes.toFixed(0)} MB`,
        measured: `${big.peakRssMb.toFixed(0)} MB`,
        limit: '<= 150 MB',
        met: big.peakRssMb <= 150,
      });
    }

    if (section(7)) {
      console.log('\n7. the profile-data integrity check at main (in LLDB, median of the check timed inside LLDB)');
      for (const name of ['rust-fixed', 'many-records']) {
        const cost = measureIntegrity(`${FIXTURES_DIR}-foreign/${name}`, ROUNDS, path.join(dir, `${name}-%p.profraw`));
        console.log(
          `  ${name.padEnd(14)} ${String(cost.records).padStart(6)} records (${cost.status}): ${cost.medianMs.toFixed(1).padStart(7)} ms, ${cost.msPer10k.toFixed(1)} ms per 10,000 records`,
        );
      }
    }

    console.log('\nSummary');
    for (const t of targets)
      console.log(`  ${t.met ? 'MET   ' : 'MISSED'} ${t.name.padEnd(52)} ${t.measured.padStart(10)}  (${t.limit})`);
    process.exitCode = targets.every((t) => t.met) ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
