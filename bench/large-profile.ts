/**
 * The benchmark's large program: N instrumented functions (one __llvm_prf_data record each),
 * built with clang-19 -fprofile-generate into .cache/bench/, once per (N, generator) pair.
 * Kept apart from the other benchmark programs so that each helper's generator stays its own.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CACHE = path.resolve(__dirname, '../../.cache/bench');

/** C source of a program with `records` instrumented functions; main calls one of them. */
export function largeProfileSource(records: number): string {
  const lines: string[] = [];
  for (let i = 0; i < records - 1; i++) lines.push(`int f${i}(int x) { return x + ${i}; }`);
  lines.push('int main(int argc, char **argv) { (void)argv; return f0(argc) - 1; }');
  return `${lines.join('\n')}\n`;
}

/** Path of the built program (built now when missing). ~1 min of clang for 100,000 records. */
export function largeProfileProgram(records: number, clang = 'clang-19'): string {
  const source = largeProfileSource(records);
  const stamp = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const program = path.join(CACHE, `profile-records-${records}-${stamp}`);
  if (fs.existsSync(program)) return program;
  fs.mkdirSync(CACHE, { recursive: true });
  const file = `${program}.c`;
  fs.writeFileSync(file, source);
  execFileSync(clang, ['-fprofile-generate', '-O0', file, '-o', `${program}.tmp`], { stdio: 'inherit' });
  fs.renameSync(`${program}.tmp`, program);
  fs.rmSync(file);
  return program;
}
