/** Which processes are running: for the "nothing left running" assertions. */
import { execFileSync } from 'node:child_process';

export function processesNamed(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * The processes matching `marker` that are still there after `ms`: a killed process takes a
 * moment to be reaped, so this waits for them to go rather than sampling once.
 */
export async function survivors(marker: string, ms = 5000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processesNamed(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
