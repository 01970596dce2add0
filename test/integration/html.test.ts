/**
 * The HTML report in a real browser (headless Chromium from Debian's packages, driven by
 * playwright-core): the page of a live capture opens with no console error and no request but its
 * own, and what the DOM says (diagnosis, hypotheses, timeline rows, the crash mark, the replayed
 * session) is what the JSON report of the same capture says.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_CAPTURES, captureOptionsOf, fixturePath } from '../../src/fixtures/bundled';
import { openPage } from '../helpers/browser';
import { hypothesisStatuses, runCli, type JsonReport } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../../..');

describe('the HTML report, in headless Chromium', function () {
  this.timeout(180000);
  const fixture = BUNDLED_CAPTURES.find((f) => f.name === 'allocator-first-destroy')!;
  let dir: string;
  let page: string;
  let cast: string;
  let report: JsonReport;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-html-'));
    page = path.join(dir, 'report.html');
    cast = path.join(dir, 'session.cast');
    const run = await runCli([
      'capture',
      '--quiet',
      '--format',
      'json',
      '--out',
      `html=${page}`,
      '--record',
      cast,
      ...captureOptionsOf(fixture),
      '--',
      fixturePath(fixture.binary),
      ...fixture.args,
    ]);
    assert.equal(run.code, 0, run.stderr);
    report = JSON.parse(run.stdout) as JsonReport;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens with no console error and fetches nothing; the DOM gives the diagnosis and the timeline rows of the JSON report', async () => {
    const opened = await openPage(page);
    try {
      const { page: p } = opened;
      await p.waitForSelector('#player .ap-wrapper', { timeout: 30000 });
      assert.equal((await p.textContent('#conclusion'))?.trim(), report.diagnosis.conclusion);
      assert.equal(report.diagnosis.conclusion, fixture.diagnosis);
      const statuses = await p.$$eval('#hypotheses tr[data-hypothesis]', (rows) =>
        Object.fromEntries(
          rows.map((r) => [r.getAttribute('data-hypothesis'), r.querySelector('.status')?.textContent]),
        ),
      );
      assert.deepEqual(statuses, hypothesisStatuses(report));
      const seqs = await p.$$eval('#timeline-table tbody tr[data-seq]', (rows) =>
        rows.map((r) => Number(r.getAttribute('data-seq'))),
      );
      const expected = report.events.filter((e) => e.kind !== 'probe-resolved').map((e) => e.seq);
      assert.deepEqual(seqs, expected);
      const crash = report.events.find((e) => e.kind === 'signal')!;
      assert.equal(await p.getAttribute('svg .mark.crash', 'data-seq'), String(crash.seq));
      assert.equal(
        await p.locator('svg .mark').count(),
        report.events.filter((e) => e.kind !== 'probe-resolved' && e.kind !== 'hello').length,
      );
      const terminal = (await p.textContent('#player')) ?? '';
      assert.match(terminal, /settings set/, 'the player shows the LLDB session');
      assert.deepEqual(opened.problems, []);
      assert.deepEqual(opened.requests, [opened.url]);
    } finally {
      await opened.close();
    }
  });

  it('replay --format html of the recording gives the same page, byte for byte', async () => {
    const replayed = await runCli(['replay', '--format', 'html', cast]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, fs.readFileSync(page, 'utf8'));
  });

  it('the page of the bundled allocator-first-destroy recording is under 2 MB, with the session replayed in it', async () => {
    const bundled = path.join(ROOT, 'recordings', 'allocator-first-destroy.cast');
    const replayed = await runCli(['replay', '--format', 'html', bundled]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const bytes = Buffer.byteLength(replayed.stdout);
    assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes`);
    assert.match(replayed.stdout, /<script type="application\/json" id="recording">/);
    assert.match(replayed.stdout, /AsciinemaPlayer\.create/);
  });

  it("a program printing markup and look-alike frames into LLDB's terminal cannot inject anything into the page", async () => {
    const hostilePage = path.join(dir, 'forger.html');
    const hostileCast = path.join(dir, 'forger.cast');
    const run = await runCli([
      'capture',
      '--quiet',
      '--format',
      'json',
      '--program-output',
      'terminal',
      '--out',
      `html=${hostilePage}`,
      '--record',
      hostileCast,
      '--',
      fixturePath('forger'),
      '<img src=x onerror=alert(1)>',
      '</script><script>alert(2)</script>',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const html = fs.readFileSync(hostilePage, 'utf8');
    assert.doesNotMatch(html, /<img src=x/);
    const opened = await openPage(hostilePage);
    try {
      await opened.page.waitForSelector('#player .ap-wrapper', { timeout: 30000 });
      await opened.page.waitForTimeout(500);
      assert.equal(await opened.page.locator('img').count(), 0);
      assert.equal(
        await opened.page.locator('script').count(),
        3,
        'the recording, the player, its start: no other script',
      );
      assert.ok(
        ((await opened.page.textContent('header')) ?? '').includes('<img src=x onerror=alert(1)>'),
        'the arguments are shown as text',
      );
      assert.deepEqual(opened.problems, []);
      assert.deepEqual(opened.requests, [opened.url]);
    } finally {
      await opened.close();
    }
  });
});
