/**
 * `--summary` on a real census of 10,000 atexit registrations (many-handlers 10000 --census): the
 * Markdown appended to $GITHUB_STEP_SUMMARY has the diagnosis first, a Mermaid sequenceDiagram,
 * the timeline table with the repetitive hits folded and a note of how many, and stays under
 * GitHub's 1 MiB; the HTML page of the same capture folds them the same way, and every event of
 * the JSON report is either a row or counted in a folded row. Without $GITHUB_STEP_SUMMARY the
 * capture says that no summary was written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../../src/fixtures/bundled';
import { openPage } from '../helpers/browser';
import { runCli, type JsonReport } from '../helpers/cli';

describe('--summary: a 10,000-hit census in the GitHub step summary', function () {
  this.timeout(400000);
  let dir: string;
  let summary: string;
  let report: JsonReport;
  let stderr: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-summary-'));
    summary = path.join(dir, 'step-summary.md');
    fs.writeFileSync(summary, '## an earlier step wrote this\n');
    const json = path.join(dir, 'report.json');
    const run = await runCli(
      [
        'capture',
        '--quiet',
        // A stop, and a hit, per registration: 10,000 repetitive hits for the summary to fold
        // (the default --census reads glibc's list at exit() instead: one event per handler).
        '--census=stops',
        '--summary',
        '--no-record',
        '--timeout',
        '270',
        '--format',
        'text',
        '--out',
        `json=${json}`,
        '--out',
        `html=${path.join(dir, 'report.html')}`,
        '--',
        fixturePath('many-handlers'),
        '10000',
      ],
      {
        env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
        timeoutMs: 290000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    stderr = run.stderr;
    report = JSON.parse(fs.readFileSync(json, 'utf8')) as JsonReport;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has 10,000 registrations in the JSON report', () => {
    const registrations = report.events.filter(
      (e) => e.kind === 'hit' && e.role === 'atexit-register' && e.registered?.symbol === 'count_handler',
    );
    assert.equal(registrations.length, 10000);
  });

  it('appends, after what was there, the diagnosis first, a Mermaid sequenceDiagram and the folded timeline, under 1 MiB', () => {
    const text = fs.readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('## an earlier step wrote this\n# debug-exit report\n'), 'appended, not overwritten');
    const bytes = Buffer.byteLength(text);
    assert.ok(bytes < 1024 * 1024, `${bytes} bytes`);
    assert.match(
      stderr,
      new RegExp(
        `step summary: ${bytes - Buffer.byteLength('## an earlier step wrote this\n')} bytes of Markdown appended to`,
      ),
    );
    const headings = text
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .slice(1);
    assert.equal(headings[0], `## Diagnosis: ${report.diagnosis.conclusion}`);
    assert.ok(headings.indexOf('## Exit sequence') < headings.indexOf('## Timeline'));
    assert.match(text, /```mermaid\nsequenceDiagram\n/);
    const rows = text.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    const folded = text.split('\n').filter((l) => /^\| … \|/.test(l));
    const foldedCount = folded.reduce((n, l) => n + Number(/\| ([\d,]+) more /.exec(l)![1].replace(/,/g, '')), 0);
    const note = /_([\d,]+) repetitive hits folded/.exec(text);
    assert.ok(note, 'a note of how many hits were folded');
    assert.equal(Number(note![1].replace(/,/g, '')), foldedCount);
    assert.ok(foldedCount >= 9990, `${foldedCount} folded`);
    assert.equal(rows.length + foldedCount, report.events.filter((e) => e.kind !== 'probe-resolved').length);
  });

  it('the HTML page of the census folds the same hits: rows and folded counts add up to the events of the JSON report', async () => {
    const opened = await openPage(path.join(dir, 'report.html'));
    try {
      const rows = await opened.page.locator('#timeline-table tbody tr[data-seq]').count();
      const folded = await opened.page.$$eval('#timeline-table tbody tr.folded', (trs) =>
        trs.reduce((n, tr) => n + Number(tr.getAttribute('data-count')), 0),
      );
      assert.equal(rows + folded, report.events.filter((e) => e.kind !== 'probe-resolved').length);
      assert.ok(folded >= 9990);
      assert.match((await opened.page.textContent('#session')) ?? '', /not recorded/);
      assert.deepEqual(opened.problems, []);
    } finally {
      await opened.close();
    }
  });

  it('says so when GITHUB_STEP_SUMMARY is not set', async () => {
    const env = { ...process.env };
    delete env.GITHUB_STEP_SUMMARY;
    const run = await runCli(['capture', '--quiet', '--summary', '--no-record', '--', fixturePath('profile-first')], {
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /--summary: GITHUB_STEP_SUMMARY is not set \(not on GitHub Actions\?\): no step summary written/,
    );
  });
});
