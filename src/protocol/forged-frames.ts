/**
 * Frames seen where no frame of ours can be: in LLDB's terminal output (the target's output, or
 * what it wrote to a terminal). Events travel on the script's own channel, so every such frame
 * is a forgery, or an old recording's. They are never events; they are counted and reported with
 * what they claimed, as evidence that the target tried.
 *
 *   push('x\x1b_dx;abc;{"seq":1,"kind":"exit","status":0}\x1b\\y') -> [{ claimed: 'exit' }]
 *
 * Incremental: a frame split across chunks is found once; memory stays bounded (a frame longer
 * than MAX_FRAME is counted as one, claim unknown).
 */
const INTRODUCER = '\x1b_dx;';
const TERMINATOR = '\x1b\\';
const MAX_FRAME = 64 * 1024;

export interface ForgedFrame {
  /** The `kind` the frame's JSON claimed, or null when it does not parse as an object with one. */
  claimed: string | null;
}

export class ForgedFrameDetector {
  private pending = '';

  push(chunk: string): ForgedFrame[] {
    const text = this.pending + chunk;
    this.pending = '';
    const found: ForgedFrame[] = [];
    let from = 0;
    for (;;) {
      const start = text.indexOf(INTRODUCER, from);
      if (start < 0) {
        this.keepPartialIntroducer(text, from);
        return found;
      }
      const end = text.indexOf(TERMINATOR, start + INTRODUCER.length);
      if (end < 0) {
        if (text.length - start > MAX_FRAME) {
          found.push({ claimed: null });
          return found;
        }
        this.pending = text.slice(start);
        return found;
      }
      found.push({ claimed: claimOf(text.slice(start + INTRODUCER.length, end)) });
      from = end + TERMINATOR.length;
    }
  }

  /** A chunk ending in a prefix of the introducer: keep it for the next push. */
  private keepPartialIntroducer(text: string, from: number): void {
    for (let n = Math.min(INTRODUCER.length - 1, text.length - from); n > 0; n--) {
      if (INTRODUCER.startsWith(text.slice(text.length - n))) {
        this.pending = text.slice(text.length - n);
        return;
      }
    }
  }
}

function claimOf(body: string): string | null {
  const json = body.slice(body.indexOf(';') + 1);
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const kind = (value as Record<string, unknown>).kind;
      if (typeof kind === 'string') return kind.slice(0, 40);
    }
  } catch {
    // not JSON: claims nothing we can name
  }
  return null;
}
