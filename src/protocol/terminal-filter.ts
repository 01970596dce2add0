/**
 * What `replay --play` may write to a terminal from a recording: text, colours (SGR) and cursor
 * movement pass; OSC (titles, hyperlinks, OSC 52 clipboard writes), DCS, APC, PM and SOS strings,
 * terminal queries (DSR `CSI 6 n`, DA `CSI c`, window reports `CSI t`, DECRQM, DECID `ESC Z`),
 * full reset (`ESC c`) and 8-bit C1 controls are dropped. Incremental: a sequence split across
 * chunks is handled the same; a CSI longer than MAX_CSI is dropped.
 *
 *   new TerminalFilter().push('\x1b[31mred\x1b[0m\x1b]52;c;SGk=\x07\x1b[6n') -> '\x1b[31mred\x1b[0m'
 */
const ESC = '\x1b';
const MAX_CSI = 64;
/** After ESC: these start a string that runs to ST (ESC \) or, for OSC, BEL. */
const STRING_STARTS = new Set([']', 'P', '_', '^', 'X']);
/** C1 string introducers (8-bit): OSC, DCS, APC, PM, SOS. */
const C1_STRING_STARTS = new Set(['\u009d', '\u0090', '\u009f', '\u009e', '\u0098']);
/** CSI finals that ask the terminal to answer (it would type the answer into the input). */
const QUERY_FINALS = new Set(['n', 'c', 't', 'x']);

type Mode = 'text' | 'esc' | 'csi' | 'string' | 'string-esc';

export class TerminalFilter {
  private mode: Mode = 'text';
  private csi = '';

  push(chunk: string): string {
    let out = '';
    let textStart = -1;
    const flushText = (end: number) => {
      if (textStart >= 0) out += chunk.slice(textStart, end);
      textStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      const code = ch.charCodeAt(0);
      switch (this.mode) {
        case 'text':
          if (ch === ESC) {
            flushText(i);
            this.mode = 'esc';
          } else if (code >= 0x80 && code <= 0x9f) {
            flushText(i);
            if (C1_STRING_STARTS.has(ch)) this.mode = 'string';
            else if (ch === '\u009b') this.startCsi();
          } else if (textStart < 0) textStart = i;
          break;
        case 'esc':
          if (ch === '[') this.startCsi();
          else if (STRING_STARTS.has(ch)) this.mode = 'string';
          else if (ch === 'Z' || ch === 'c') this.mode = 'text';
          else if (ch === ESC) this.mode = 'esc';
          else {
            out += ESC + ch;
            this.mode = 'text';
          }
          break;
        case 'csi':
          this.csi += ch;
          if (code >= 0x40 && code <= 0x7e) {
            out += this.endCsi(ch);
            this.mode = 'text';
          } else if (code < 0x20 || code > 0x3f || this.csi.length > MAX_CSI) {
            // not a CSI byte, or too long: the sequence is dropped, the byte read as text again
            this.csi = '';
            this.mode = 'text';
            if (code >= 0x20 && code <= 0x3f) break;
            i--;
          }
          break;
        case 'string':
          if (ch === '\u0007' || ch === '\u009c') this.mode = 'text';
          else if (ch === ESC) this.mode = 'string-esc';
          break;
        case 'string-esc':
          this.mode = ch === '\\' ? 'text' : ch === ESC ? 'string-esc' : 'string';
          break;
      }
    }
    flushText(chunk.length);
    return out;
  }

  private startCsi(): void {
    this.mode = 'csi';
    this.csi = '';
  }

  /** The CSI sequence to write, or '' for a query. */
  private endCsi(final: string): string {
    const body = this.csi;
    this.csi = '';
    const intermediates = body.slice(0, -1);
    if (QUERY_FINALS.has(final) || (final === 'p' && intermediates.includes('$'))) return '';
    return `${ESC}[${body}`;
  }
}
