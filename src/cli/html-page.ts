/**
 * The I/O of the HTML page: the recording read from disk when it is small enough to replay in the
 * page, and asciinema-player's script and style read from the installed package (wherever npm put
 * it: resolved as a dependency of debug-exit, not from a path of the clone).
 */
import * as fs from 'node:fs';
import { INLINE_RECORDING_MAX_BYTES, renderHtml, type HtmlSession } from '../timeline/render/html';
import type { Report } from '../timeline/report';

function playerAssets(): { js: string; css: string } {
  const js = require.resolve('asciinema-player/dist/bundle/asciinema-player.min.js');
  const css = require.resolve('asciinema-player/dist/bundle/asciinema-player.css');
  return { js: fs.readFileSync(js, 'utf8'), css: fs.readFileSync(css, 'utf8') };
}

/** What the page shows of the session recorded at `recording` (null: not recorded). */
export function htmlSessionOf(recording: string | null, maxBytes = INLINE_RECORDING_MAX_BYTES): HtmlSession {
  if (recording === null) return { kind: 'none', reason: 'The session was not recorded (--no-record).' };
  let bytes: number;
  try {
    bytes = fs.statSync(recording).size;
  } catch {
    return { kind: 'none', reason: `The recording ${recording} could not be read.` };
  }
  if (bytes > maxBytes) return { kind: 'too-large', path: recording, bytes };
  return { kind: 'inline', path: recording, cast: fs.readFileSync(recording, 'utf8'), player: playerAssets() };
}

export function renderHtmlPage(report: Report, recording: string | null): string {
  return renderHtml(report, { session: htmlSessionOf(recording) });
}
