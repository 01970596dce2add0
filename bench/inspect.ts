/**
 * inspect's cost (npm run bench): `debug-exit inspect` on the largest fixture, on the same file
 * padded with 256 MB (memory must not grow with the file: only headers, symbols and the profile
 * and debug sections are read), and on a generated program with 10,000 instrumented functions
 * (10,000 records). Wall time (median) and the child's peak RSS.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES_DIR } from '../src/fixtures/bundled';

const MAIN = path.resolve(__dirname, '../src/cli/main.js');
const PRELOAD = path.resolve(__dirname, 'rss-preload.js');
const PADDING_MB = 256;
const FUNCTIONS = 10000;

export interface InspectMeasure {
  label: string;
  megabytes: number;
  ms: number;
  peakRssMb: number;
  result: string;
}

function once(file: string): { ms: number; rssKb: number; result: string } {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', PRELOAD, MAIN, 'inspect', '--format', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = /DX_MAX_RSS_KB=(\d+)/.exec(run.stderr ?? '');
  if (rss === null || run.status === null || run.status === 1 || run.status === 2)
    throw new Error(`inspect ${file} failed (${run.status}): ${run.stderr}`);
  return { ms, rssKb: Number(rss[1]), result: (JSON.parse(run.stdout) as { result: string }).result };
}

export function measureInspect(label: string, file: string, rounds: number): InspectMeasure {
  const runs = Array.from({ length: rounds }, () => once(file));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    label,
    megabytes: fs.statSync(file).size / 1024 / 1024,
    ms: times[Math.floor(times.length / 2)],
    peakRssMb: Math.max(...runs.map((r) => r.rssKb)) / 1024,
    result: runs[0].result,
  };
}

/** The biggest file among the built fixtures (ELF and Mach-O, both folders). */
export function largestFixture(): string {
  const files = [FIXTURES_DIR, `${FIXTURES_DIR}-inspect`]
    .flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : []))
    .filter((f) => fs.statSync(f).isFile() && !path.basename(f).startsWith('.'));
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}

export function paddedCopy(file: string, dir: string): string {
  const out = path.join(dir, `${path.basename(file)}-padded`);
  fs.copyFileSync(file, out);
  fs.truncateSync(out, fs.statSync(file).size + PADDING_MB * 1024 * 1024); // a sparse tail inspect never reads
  return out;
}

/** A C program with FUNCTIONS instrumented functions (one record each), built by clang-19. */
export function manyRecordsProgram(dir: string): string {
  const source = path.join(dir, 'many-records.c');
  const lines = Array.from(
    { length: FUNCTIONS },
    (_, i) => `int f${i}(int x) { return x > ${i} ? x - ${i} : x + ${i}; }`,
  );
  lines.push(
    `int main(int c, char **v) { (void)v; int a = 0; ${Array.from({ length: FUNCTIONS }, (_, i) => `a += f${i}(c);`).join(' ')} return a & 1; }`,
  );
  fs.writeFileSync(source, lines.join('\n'));
  const out = path.join(dir, 'many-records');
  const cc = spawnSync('clang-19', ['-O0', '-g', '-fprofile-generate', source, '-o', out], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`clang-19 failed: ${cc.stderr}`);
  return out;
}

export const INSPECT_FUNCTIONS = FUNCTIONS;

export function inspectRow(m: InspectMeasure): string {
  return `  ${m.label.padEnd(44)} ${m.megabytes.toFixed(1).padStart(7)} MB ${m.ms.toFixed(0).padStart(6)} ms  peak RSS ${m.peakRssMb.toFixed(0).padStart(4)} MB  (${m.result})`;
}
