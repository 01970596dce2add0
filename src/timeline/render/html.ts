/**
 * The report as one self-contained HTML page: nothing is fetched from anywhere (a
 * Content-Security-Policy with `default-src 'none'` says so to the browser too). In order:
 *   1. the diagnosis and the three hypotheses;
 *   2. the exit sequence as an SVG picture (svg.ts);
 *   3. the timeline table (repetitive hits folded, with a note);
 *   4. the LLDB session, replayed in the page by asciinema-player (its script and style inlined),
 *      when the recording is small enough; otherwise where the recording is;
 * then the verdicts, the probes that did not resolve and the prediction, for reference.
 *
 * Everything from the target (symbols, thread names, paths, output) is escaped for HTML; the
 * recording travels as a JSON string in a `<script type="application/json">` with every `<`
 * written `\u003c`, so nothing in it can close the script. Pure: the recording and the player's
 * files are read by the caller (cli/html-page.ts).
 */
import { describeOutcome } from '../outcome';
import { isResolved } from '../probes';
import type { Report } from '../report';
import type { Verdict } from '../verdict';
import { VERDICTS } from '../verdict-registry';
import { citeEvidence } from './cite';
import {
  commandLine,
  describeRegistration,
  detailOf,
  elapsedMs,
  roleOf,
  symbolOf,
  threadNames,
  threadOf,
} from './describe';
import { describeFold, foldNote, foldTimeline } from './fold';
import { renderExitSvg, xml } from './svg';

/** Recordings up to this size are replayed in the page; a larger one is named instead. */
export const INLINE_RECORDING_MAX_BYTES = 5 * 1024 * 1024;

/** What the page shows of the LLDB session. */
export type HtmlSession =
  | { kind: 'inline'; path: string; cast: string; player: { js: string; css: string } }
  | { kind: 'too-large'; path: string; bytes: number }
  | { kind: 'none'; reason: string };

export interface HtmlOptions {
  session: HtmlSession;
}

const NO_SESSION: HtmlOptions = { session: { kind: 'none', reason: 'no recording was given to the renderer' } };

/** The CSP of the page: inline style and script only, WebAssembly for the player's terminal, no fetch of any kind. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; img-src data:; font-src data:";

export function renderHtml(report: Report, options: HtmlOptions = NO_SESSION): string {
  const { timeline, diagnosis } = report;
  const title = `debug-exit: ${diagnosis.conclusion} — ${commandLine(timeline)}`;
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${xml(PAGE_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="debug-exit">`,
    `<title>${xml(title)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    ...(options.session.kind === 'inline' ? [`<style>${styleText(options.session.player.css)}</style>`] : []),
    '</head>',
    '<body>',
  ];
  const body = [
    header(report),
    diagnosisSection(report),
    sequenceSection(report),
    timelineSection(report),
    sessionSection(options.session),
    verdictsSection(report),
    probesSection(report),
    predictionSection(report),
  ];
  return `${[...head, ...body, '</body>', '</html>'].join('\n')}\n`;
}

function header(report: Report): string {
  const { timeline } = report;
  const facts: Array<[string, string]> = [
    ['target', commandLine(timeline)],
    ['outcome', describeOutcome(timeline.outcome)],
    ['LLDB', timeline.lldbVersion ?? 'unknown'],
    ['platform', timeline.platform ?? 'unknown'],
    ['ASLR', timeline.aslr ?? 'not recorded'],
    ['experiment', timeline.experiment ?? 'none'],
    ['profile file', timeline.profileFile ?? '(not set)'],
    ['threads', threadNames(timeline).join(', ') || '-'],
  ];
  return [
    '<header>',
    '<h1>debug-exit report</h1>',
    '<dl class="facts">',
    ...facts.map(([k, v]) => `<dt>${xml(k)}</dt><dd><code>${xml(v)}</code></dd>`),
    '</dl>',
    '</header>',
  ].join('\n');
}

function diagnosisSection(report: Report): string {
  const d = report.diagnosis;
  const rows = d.hypotheses.map(
    (h) =>
      `<tr data-hypothesis="${xml(h.id)}" class="status-${xml(h.status)}"><td><code>${xml(h.id)}</code></td><td class="status">${xml(h.status)}</td><td>${xml(h.reason)}</td><td>${xml(citeEvidence(report.timeline, h.evidence).join(', '))}</td></tr>`,
  );
  return [
    '<section id="diagnosis">',
    `<h2>Diagnosis: <span id="conclusion" class="conclusion-${xml(d.conclusion)}">${xml(d.conclusion)}</span></h2>`,
    `<p id="summary">${xml(d.summary)}</p>`,
    '<table id="hypotheses"><thead><tr><th>hypothesis</th><th>status</th><th>why</th><th>evidence</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    `<p id="next-step"><strong>Next step:</strong> ${xml(d.nextStep)}</p>`,
    '</section>',
  ].join('\n');
}

function sequenceSection(report: Report): string {
  return [
    '<section id="sequence">',
    '<h2>Exit sequence</h2>',
    '<p class="note">One mark per event, left to right in the order they happened (evenly spaced; hover a mark for its time and detail). A red cross is the crash; diamonds are the profile-data integrity check (red: corrupt), squares the experiment.</p>',
    `<div class="svg-scroll">${renderExitSvg(report)}</div>`,
    '</section>',
  ].join('\n');
}

function timelineSection(report: Report): string {
  const { timeline } = report;
  const folding = foldTimeline(report);
  const rows = folding.rows.map((row) => {
    if (row.kind === 'folded') {
      return `<tr class="folded" data-first-seq="${row.firstSeq}" data-last-seq="${row.lastSeq}" data-count="${row.count}"><td>…</td><td></td><td></td><td>${xml(row.role)}</td><td><code>${xml(row.symbol)}</code></td><td>${xml(describeFold(row))}</td></tr>`;
    }
    const e = row.event;
    const crash = e.kind === 'signal' ? ' class="crash"' : '';
    return `<tr data-seq="${e.seq}"${crash}><td>${e.seq}</td><td>${xml(elapsedMs(e, timeline))}</td><td>${xml(threadOf(e))}</td><td>${xml(roleOf(e))}</td><td><code>${xml(symbolOf(e))}</code></td><td>${xml(detailOf(e))}</td></tr>`;
  });
  const note = foldNote(folding);
  return [
    '<section id="timeline">',
    '<h2>Timeline</h2>',
    '<table id="timeline-table"><thead><tr><th>seq</th><th>ms</th><th>tid</th><th>role</th><th>symbol</th><th>detail</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    ...(note === null ? [] : [`<p class="note" id="fold-note">${xml(note)}</p>`]),
    '</section>',
  ].join('\n');
}

function sessionSection(session: HtmlSession): string {
  const open = ['<section id="session">', '<h2>LLDB session</h2>'];
  switch (session.kind) {
    case 'none':
      return [...open, `<p class="note" id="session-note">${xml(session.reason)}</p>`, '</section>'].join('\n');
    case 'too-large':
      return [
        ...open,
        `<p class="note" id="session-note">The recording is ${xml((session.bytes / 1024 / 1024).toFixed(1))} MB, more than the ${INLINE_RECORDING_MAX_BYTES / 1024 / 1024} MB this page replays inline: it is at <code>${xml(session.path)}</code> (<code>debug-exit replay ${xml(session.path)} --play</code> shows it in a terminal).</p>`,
        '</section>',
      ].join('\n');
    case 'inline':
      return [
        ...open,
        `<p class="note">Replayed from <code>${xml(session.path)}</code> by asciinema-player, inlined in this page.</p>`,
        '<div id="player"></div>',
        `<script type="application/json" id="recording">${scriptJson(session.cast)}</script>`,
        `<script>${scriptText(session.player.js)}</script>`,
        `<script>${playerInit(castDuration(session.cast))}</script>`,
        '</section>',
      ].join('\n');
  }
}

/** The player, showing the last frame of the session (where it crashed or exited) until played. */
function playerInit(duration: number): string {
  return `(function () {
  var cast = JSON.parse(document.getElementById('recording').textContent);
  window.debugExitPlayer = AsciinemaPlayer.create({ data: cast }, document.getElementById('player'), { fit: 'width', idleTimeLimit: 1, poster: 'npt:${duration}', terminalFontSize: '12px' });
})();`;
}

/** Seconds to the last event of an asciicast v2 recording (0 when it has none). */
export function castDuration(cast: string): number {
  const lines = cast.trimEnd().split('\n');
  for (let i = lines.length - 1; i > 0; i--) {
    try {
      const event = JSON.parse(lines[i]) as unknown;
      if (Array.isArray(event) && typeof event[0] === 'number' && Number.isFinite(event[0]))
        return Math.max(0, Math.floor(event[0] * 1000) / 1000);
    } catch {
      // not an event line: keep looking
    }
  }
  return 0;
}

function verdictsSection(report: Report): string {
  const all: Verdict<string, string>[] = VERDICTS.map((m) => report.verdicts[m.key]);
  const rows = all.map(
    (v) =>
      `<tr><td><code>${xml(v.name)}</code></td><td><strong>${xml(v.result)}</strong></td><td>${xml(v.reason)}</td><td>${xml(citeEvidence(report.timeline, v.evidence).join(', '))}</td></tr>`,
  );
  return [
    '<section id="verdicts">',
    '<h2>Verdicts</h2>',
    '<table><thead><tr><th>verdict</th><th>result</th><th>reason</th><th>evidence</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

function probesSection(report: Report): string {
  const unresolved = report.timeline.probes.filter((p) => !isResolved(p));
  const body =
    unresolved.length === 0
      ? ['<p>Every probe resolved.</p>']
      : [
          '<ul>',
          ...unresolved.map((p) => `<li>${xml(p.role)}: <code>${xml(p.symbol)}</code> (#${p.seq})</li>`),
          '</ul>',
        ];
  return [
    '<section id="probes">',
    `<h2>${unresolved.length === 0 ? 'Probes' : 'Probes that did not resolve'}</h2>`,
    ...body,
    '</section>',
  ].join('\n');
}

function predictionSection(report: Report): string {
  const flagged = report.timeline.registrations.filter((r) => r.kind !== 'other');
  return [
    '<section id="prediction">',
    '<h2>Prediction from atexit registrations (not evidence)</h2>',
    ...(flagged.length === 0
      ? []
      : ['<ul>', ...flagged.map((r) => `<li>${xml(describeRegistration(r))}</li>`), '</ul>']),
    `<p>${xml(report.prediction.reason)}</p>`,
    '</section>',
  ].join('\n');
}

/** A JSON string for a `<script type="application/json">`: `<` (and the line separators) as escapes. */
export function scriptJson(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Third-party script text: refused if it could close its own `<script>` element. */
function scriptText(js: string): string {
  if (/<\/script|<!--/i.test(js)) throw new Error('the player script contains </script or <!--: it cannot be inlined');
  return js;
}

function styleText(css: string): string {
  if (/<\/style/i.test(css)) throw new Error('the player style contains </style: it cannot be inlined');
  return css;
}

const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0 auto;padding:16px 24px;max-width:1280px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:28px}
code{font:12px ui-monospace,Menlo,Consolas,monospace}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dl.facts dt{color:#59636e}dl.facts dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f6f8fa}
#timeline-table td:first-child,#timeline-table td:nth-child(2){text-align:right;white-space:nowrap}
tr.crash td{background:#fff0f0}tr.folded td{color:#59636e;font-style:italic;background:#fafafa}
.status-supported .status{color:#1a7f37;font-weight:700}.status-ruled-out .status{color:#59636e}.status-open .status{color:#9a6700;font-weight:700}.status-not-tested .status{color:#59636e;font-style:italic}
#conclusion{color:#cf222e}#conclusion.conclusion-no-crash{color:#1a7f37}
.svg-scroll{overflow-x:auto;border:1px solid #d0d7de}.note{color:#59636e;font-size:13px}
#player{max-width:1000px}
`;
