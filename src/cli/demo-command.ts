/**
 * `debug-exit demo`: build the bundled fixtures (setting the system up first when something is
 * missing), capture each under LLDB, print each timeline and verdict, then a summary that
 * compares each verdict with what the fixture was built to show.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_CAPTURES, fixturePath, type BundledCapture } from '../fixtures/bundled';
import { capture } from '../session/capture';
import { DebugExitError, formatFailure } from '../session/failure';
import { renderReport } from '../timeline/render/renderer';
import type { Report } from '../timeline/report';
import type { DemoArgs } from './args';
import { reportOf } from './analyse';
import type { Logger } from './log';

const ENSURE_SYSTEM = path.resolve(__dirname, '../../../scripts/ensure-system.sh');

interface DemoRow {
  fixture: BundledCapture;
  verdict: string;
  crash: string;
  diagnosis: string;
  ok: boolean;
}

export async function runDemo(args: DemoArgs, log: Logger): Promise<number> {
  if (!fs.existsSync(ENSURE_SYSTEM)) {
    // An installed package has no fixtures, nor the scripts that build them.
    throw new DebugExitError({
      code: 'usage',
      message: 'demo builds the bundled fixtures: it runs from a clone of debug-exit, not from an installed package',
      hint: 'git clone the repository, then `npm ci && npm run demo`',
    });
  }
  process.stderr.write('debug-exit demo: checking the system and building the fixtures\n');
  const setup = spawnSync('bash', [ENSURE_SYSTEM], { stdio: ['ignore', 2, 2] });
  if (setup.status !== 0) {
    throw new DebugExitError({
      code: 'usage',
      message: 'setting up the system failed (see above)',
      hint: 'run `sudo bash scripts/setup-system.sh`',
    });
  }
  const rows: DemoRow[] = [];
  const reports: unknown[] = [];
  for (const [index, fixture] of BUNDLED_CAPTURES.entries()) {
    process.stderr.write(`debug-exit demo: [${index + 1}/${BUNDLED_CAPTURES.length}] capturing ${fixture.name}\n`);
    const report = await captureFixture(fixture, args, log);
    if (report === null) {
      rows.push({ fixture, verdict: 'failed', crash: '-', diagnosis: '-', ok: false });
      continue;
    }
    rows.push(rowOf(fixture, report));
    if (args.format === 'json')
      reports.push({ fixture: fixture.name, report: JSON.parse(renderReport('json', report)) });
    else process.stdout.write(`\n=== ${fixture.name}: ${fixture.description}\n${renderReport('text', report)}`);
  }
  if (args.format === 'json') process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else process.stdout.write(`\n${summary(rows)}`);
  return rows.every((r) => r.ok) ? 0 : 1;
}

async function captureFixture(fixture: BundledCapture, args: DemoArgs, log: Logger): Promise<Report | null> {
  try {
    const result = await capture({
      program: fixturePath(fixture.binary),
      args: fixture.args,
      env: fixture.env,
      timeoutS: 60,
      lldb: args.lldb,
      census: false,
      disableAslr: true,
      experiment: fixture.experiment ?? null,
      recordTo: null,
    });
    if (result.session.failure) process.stderr.write(`${formatFailure(result.session.failure)}\n`);
    return reportOf(result);
  } catch (error) {
    if (!(error instanceof DebugExitError)) throw error;
    log.error({ fixture: fixture.name }, error.message);
    process.stderr.write(`${formatFailure(error.failure)}\n`);
    return null;
  }
}

function rowOf(fixture: BundledCapture, report: Report): DemoRow {
  const verdict = report.verdicts.allocatorFirst.result;
  const crashed = report.verdicts.crash.result !== 'no-crash';
  const diagnosis = report.diagnosis.conclusion;
  const ok = verdict === fixture.expected && crashed === fixture.crashes && diagnosis === fixture.diagnosis;
  return { fixture, verdict, crash: report.verdicts.crash.result, diagnosis, ok };
}

function summary(rows: DemoRow[]): string {
  const header = ['fixture', 'diagnosis', 'allocator-cleanup-first', 'built to show', 'crash attribution', ''];
  const lines = rows.map((r) => [
    r.fixture.name,
    r.diagnosis,
    r.verdict,
    r.fixture.expected,
    r.crash,
    r.ok ? 'ok' : 'MISMATCH',
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `Summary\n${table.map(format).join('\n')}\n`;
}
