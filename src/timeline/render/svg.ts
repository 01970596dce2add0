/**
 * The exit sequence as an SVG picture, drawn by debug-exit itself (no library): four lanes, top to
 * bottom, for the program, libc's exit path, the allocator and the profile runtime; one mark per
 * timeline event, left to right in event order (evenly spaced: the order is the evidence, the
 * times are in each mark's tooltip and in the table); a line through the marks in order, so a hand
 * passing from one lane to another is seen; the crash marked with a red cross and its signal.
 * Runs of repetitive hits are one mark with their count (fold.ts). The setup events (hello, probe
 * resolutions) are not drawn.
 *
 * Everything from the target (symbols, thread names, paths) is escaped for XML. Pure.
 */
import type { DebugExitEvent, Frame } from '../events';
import { isCrashSignal } from '../outcome';
import type { Report } from '../report';
import { baseSymbol, catalogueSymbols, innermostWriterFrame } from '../symbols';
import { detailOf, elapsedMs, roleOf, symbolOf } from './describe';
import { citedSeqs, describeFold, foldEvents, type FoldedRow } from './fold';

export type SvgLane = 'program' | 'libc' | 'allocator' | 'profile';
export const SVG_LANES: readonly SvgLane[] = ['program', 'libc', 'allocator', 'profile'];
const LANE_LABEL: Readonly<Record<SvgLane, string>> = {
  program: 'program',
  libc: 'libc exit path',
  allocator: 'allocator',
  profile: 'profile runtime',
};
const LANE_COLOUR: Readonly<Record<SvgLane, string>> = {
  program: '#3b6fb6',
  libc: '#6b6b6b',
  allocator: '#b7791f',
  profile: '#2f855a',
};

const LEFT = 150;
const STEP = 28;
const TOP = 36;
const LANE_HEIGHT = 56;
const LABEL_SPACE = 190;
const CRASH = '#c53030';

const ALLOCATOR_SYMBOLS = new Set([
  ...catalogueSymbols('allocator-init'),
  ...catalogueSymbols('allocator-teardown'),
  ...catalogueSymbols('allocator-release'),
]);

function isAllocatorFrame(frame: Frame): boolean {
  const name = baseSymbol(frame.symbol);
  return (
    ALLOCATOR_SYMBOLS.has(name) || name.startsWith('mi_') || name.startsWith('_mi_') || /mimalloc/.test(frame.module)
  );
}

/** The lane of an event, or null for the setup events that are not drawn. */
export function laneOf(event: DebugExitEvent): SvgLane | null {
  switch (event.kind) {
    case 'hello':
    case 'probe-resolved':
    case 'census':
      return null;
    case 'hit':
      switch (event.role) {
        case 'main':
        case 'atexit-register':
          return 'program';
        case 'process-exit':
          return 'libc';
        case 'allocator-init':
        case 'allocator-teardown':
        case 'allocator-release':
          return 'allocator';
        case 'profile-register':
        case 'profile-write':
          return 'profile';
      }
      return 'program';
    case 'integrity':
    case 'experiment':
      return 'profile';
    case 'signal':
      if (innermostWriterFrame(event.frames) !== undefined) return 'profile';
      if (event.frames.some(isAllocatorFrame)) return 'allocator';
      return /(^|\/)libc[.-]/.test(event.frames[0]?.module ?? '') ? 'libc' : 'program';
    case 'launched':
    case 'exit':
    case 'exit-handler':
    case 'error':
      return 'program';
  }
}

/** The events the picture draws, folded; each with its lane. */
export function svgMarks(report: Report): Array<{ row: FoldedRow; lane: SvgLane }> {
  const drawn = report.timeline.events.filter((e) => laneOf(e) !== null);
  const folding = foldEvents(drawn, citedSeqs(report));
  return folding.rows.map((row) => {
    const event = row.kind === 'event' ? row.event : drawn.find((e) => e.seq === row.firstSeq)!;
    return { row, lane: laneOf(event)! };
  });
}

export function renderExitSvg(report: Report): string {
  const marks = svgMarks(report);
  const width = LEFT + Math.max(marks.length, 1) * STEP + 40;
  const lanesBottom = TOP + SVG_LANES.length * LANE_HEIGHT;
  const height = lanesBottom + LABEL_SPACE;
  const y = (lane: SvgLane): number => TOP + SVG_LANES.indexOf(lane) * LANE_HEIGHT + LANE_HEIGHT / 2;
  const x = (i: number): number => LEFT + i * STEP + STEP / 2;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="exit-sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="exit sequence: ${marks.length} marks">`,
    `<title>Exit sequence of ${xml(report.timeline.target.program)}</title>`,
    '<style>text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#222}.lane-label{font-weight:600}.seq{font-size:9px;fill:#555}</style>',
  );
  for (const lane of SVG_LANES) {
    const top = y(lane) - LANE_HEIGHT / 2;
    const shade = SVG_LANES.indexOf(lane) % 2 === 0 ? '#f5f7fa' : '#ffffff';
    parts.push(
      `<g class="lane" data-lane="${lane}"><rect x="0" y="${top}" width="${width}" height="${LANE_HEIGHT}" fill="${shade}"/>`,
      `<line x1="${LEFT}" y1="${y(lane)}" x2="${width - 20}" y2="${y(lane)}" stroke="#d0d7de" stroke-dasharray="3 3"/>`,
      `<text class="lane-label" x="8" y="${y(lane) + 4}" fill="${LANE_COLOUR[lane]}">${xml(LANE_LABEL[lane])}</text></g>`,
    );
  }
  if (marks.length > 1) {
    const points = marks.map((m, i) => `${x(i)},${y(m.lane)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="#9aa5b1" stroke-width="1"/>`);
  }
  marks.forEach((mark, i) => parts.push(markSvg(report, mark.row, mark.lane, x(i), y(mark.lane), lanesBottom)));
  parts.push('</svg>');
  return parts.join('\n');
}

function markSvg(report: Report, row: FoldedRow, lane: SvgLane, cx: number, cy: number, lanesBottom: number): string {
  const colour = LANE_COLOUR[lane];
  if (row.kind === 'folded') {
    const tip = describeFold(row);
    return [
      `<g class="mark folded" data-seq="${row.firstSeq}-${row.lastSeq}" data-lane="${lane}"><title>${xml(tip)}</title>`,
      `<rect x="${cx - 9}" y="${cy - 7}" width="18" height="14" rx="3" fill="#fff" stroke="${colour}"/>`,
      `<text x="${cx}" y="${cy + 4}" text-anchor="middle" class="seq">×</text>`,
      label(cx, lanesBottom, `×${row.count.toLocaleString('en-US')} ${row.symbol}`),
      '</g>',
    ].join('');
  }
  const event = row.event;
  const tip =
    `#${event.seq} ${elapsedMs(event, report.timeline)} ms ${roleOf(event)} ${symbolOf(event)} ${detailOf(event)}`.trim();
  const open = `<g class="mark" data-seq="${event.seq}" data-lane="${lane}" data-kind="${event.kind}"><title>${xml(tip)}</title>`;
  const seq = `<text class="seq" x="${cx}" y="${cy - 12}" text-anchor="middle">${event.seq}</text>`;
  if (event.kind === 'signal' && isCrashSignal(event)) {
    return [
      `<g class="mark crash" data-seq="${event.seq}" data-lane="${lane}" data-kind="signal"><title>${xml(tip)}</title>`,
      `<circle cx="${cx}" cy="${cy}" r="11" fill="#fff5f5" stroke="${CRASH}" stroke-width="2"/>`,
      `<path d="M${cx - 6} ${cy - 6}L${cx + 6} ${cy + 6}M${cx + 6} ${cy - 6}L${cx - 6} ${cy + 6}" stroke="${CRASH}" stroke-width="3"/>`,
      `<text x="${cx}" y="${cy - 24}" text-anchor="middle" fill="${CRASH}" font-weight="700">${xml(event.signal)}</text>`,
      `<text class="seq" x="${cx}" y="${cy - 14}" text-anchor="middle">${event.seq}</text>`,
      label(cx, lanesBottom, `${event.seq} ${event.signal} ${event.frames[0]?.symbol ?? ''}`, CRASH),
      `<line x1="${cx}" y1="${TOP}" x2="${cx}" y2="${lanesBottom}" stroke="${CRASH}" stroke-width="1" stroke-dasharray="2 2"/>`,
      '</g>',
    ].join('');
  }
  let shape: string;
  if (event.kind === 'integrity') {
    const fill = event.status === 'corrupt' ? CRASH : event.status === 'consistent' ? colour : '#fff';
    shape = `<path d="M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z" fill="${fill}" stroke="${colour}"/>`;
  } else if (event.kind === 'experiment') {
    const fill = event.status === 'crashed' ? CRASH : colour;
    shape = `<rect x="${cx - 6}" y="${cy - 6}" width="12" height="12" fill="${fill}" stroke="${colour}"/>`;
  } else if (event.kind === 'exit' || event.kind === 'signal') {
    shape = `<rect x="${cx - 2}" y="${cy - 10}" width="4" height="20" fill="${colour}"/>`;
  } else if (event.kind === 'error') {
    shape = `<circle cx="${cx}" cy="${cy}" r="6" fill="#fff" stroke="${CRASH}" stroke-width="2"/>`;
  } else {
    shape = `<circle cx="${cx}" cy="${cy}" r="6" fill="${colour}"/>`;
  }
  return `${open}${shape}${seq}${label(cx, lanesBottom, `${event.seq} ${symbolOf(event)}`)}</g>`;
}

/** A label under the lanes, turned 60 degrees so that neighbours do not overlap; cut at 30 characters. */
function label(cx: number, lanesBottom: number, text: string, fill?: string): string {
  const cut = text.length > 30 ? `${text.slice(0, 29)}…` : text;
  const colour = fill === undefined ? '' : ` fill="${fill}"`;
  return `<text x="${cx}" y="${lanesBottom + 10}" transform="rotate(60 ${cx} ${lanesBottom + 10})"${colour}>${xml(cut)}</text>`;
}

/** Text and attribute values for XML/HTML: the five special characters, and no control characters. */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
