/**
 * Incremental search for LLDB's unique per-session prompt, e.g. `(dx-3f9c2a7e) `, one code unit at
 * a time (Knuth-Morris-Pratt), so text is never re-scanned and at most `prompt.length - 1` code units
 * are ever held back:
 *
 *   prompt '(dx-ab) ', input '(dx-(dx-ab) '  ->  text '(dx-', then prompt
 */

export interface ScanSink {
  text(text: string): void;
  prompt(): void;
}

/** fallback[k] = length of the longest proper prefix of prompt[0..k] that is also its suffix. */
function fallbackTable(prompt: string): number[] {
  const table = new Array<number>(prompt.length).fill(0);
  let k = 0;
  for (let i = 1; i < prompt.length; i++) {
    while (k > 0 && prompt[i] !== prompt[k]) k = table[k - 1];
    if (prompt[i] === prompt[k]) k++;
    table[i] = k;
  }
  return table;
}

export class PromptMatcher {
  private readonly fallback: number[];
  /** How many code units of the prompt the held-back text matches (the held text is prompt[0..matched)). */
  private matchedLength = 0;

  constructor(readonly prompt: string) {
    if (prompt.length === 0 || prompt.includes('\x1b')) {
      throw new Error(`invalid prompt ${JSON.stringify(prompt)}: must be non-empty and contain no ESC`);
    }
    this.fallback = fallbackTable(prompt);
  }

  get matched(): number {
    return this.matchedLength;
  }

  /** Feeds one code unit; whatever can no longer be part of the prompt goes to `sink` as text. */
  feed(ch: string, sink: ScanSink): void {
    let k = this.matchedLength;
    while (k > 0 && ch !== this.prompt[k]) {
      const shorter = this.fallback[k - 1];
      sink.text(this.prompt.slice(0, k - shorter));
      k = shorter;
    }
    if (ch === this.prompt[k]) k++;
    else sink.text(ch);
    if (k === this.prompt.length) {
      sink.prompt();
      k = 0;
    }
    this.matchedLength = k;
  }

  /** Gives up a partial match (an ESC or the end of output arrived): the held text is text. */
  release(sink: ScanSink): void {
    if (this.matchedLength > 0) sink.text(this.prompt.slice(0, this.matchedLength));
    this.matchedLength = 0;
  }
}
