/**
 * Splits LLDB's pty output into tokens: our event frames, the session prompt, and text (LLDB's own
 * output and the target's, which is untrusted). Incremental and linear: each code unit is looked at
 * once, and the same stream split into chunks any way gives the same tokens (adjacent text merged).
 *
 *   push('Process 42 launched\r\n\x1b_dx;N;{"seq":1,"t_ns":5,"kind":"exit","status":0}\x1b\\(dx-N) ')
 *     -> text 'Process 42 launched\r\n', event {seq 1, kind 'exit'}, prompt
 *
 * Held back, at most: a partial prompt (prompt.length - 1), an `ESC`, `ESC _` plus a partial
 * `dx;<nonce>;` prefix, and the body of one of our frames (maxFrameBytes). Everything else goes out
 * in the push that brought it, so the interactive mode shows the target's output live.
 *
 * Decisions (each made at a fixed position of the stream, which is what keeps chunking irrelevant):
 * - An APC whose content stops matching `dx;<nonce>;` is text from that character on: its
 *   introducer and the characters that matched are released, and the character that differed is
 *   scanned again as text. So another nonce, an empty one, a prefix of ours, ours plus extra
 *   characters, and other APC kinds are all text; an unterminated `ESC _` swallows nothing; a new
 *   `ESC _` restarts the APC; and our prompt is found even inside a target's unterminated APC.
 * - Once the prefix matched, the frame is ours: it ends at the next ESC. `ESC \` completes it (event,
 *   or bad-frame when the JSON or its fields are wrong); any other ESC (a new `ESC _` included)
 *   interrupts it: bad-frame, then that ESC is scanned as text. A frame longer than maxFrameBytes
 *   is a bad-frame at that length and what follows is text. So our own lost events are reported
 *   rather than shown as text, and memory stays bounded whatever the target prints.
 * - end(): an unterminated frame of ours is a bad-frame ('unterminated at end of output'): the prefix
 *   proves our script wrote it and was cut off; any other held-back text is text.
 * Sizes are counted in UTF-16 code units, which are bytes for frames (frames are ASCII).
 */
import type { Token } from './tokens';
import { TokenSink } from './tokens';
import { PromptMatcher } from './prompt-matcher';
import { APC_INTRODUCER, ESC, decodeFrameBody, framePrefix } from './apc-frames';

export type { Token } from './tokens';
export { normalizeTokens } from './tokens';

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const APC_FINAL = '_';
const TERMINATOR_FINAL = '\\';

export interface OutputScannerOptions {
  /** Random per session; only frames `dx;<nonce>;...` are events. */
  nonce: string;
  /** LLDB's unique per-session prompt, e.g. `(dx-3f9c2a7e) `. */
  prompt: string;
  /** A frame longer than this (introducer and terminator included) is rejected. */
  maxFrameBytes?: number;
}

type Mode =
  | 'text' // ordinary text, maybe a partial prompt held
  | 'escape' // an ESC seen in text, waiting for the next character
  | 'apc-prefix' // `ESC _` seen, matching `dx;<nonce>;`
  | 'frame-body' // our prefix matched, collecting JSON up to the next ESC
  | 'frame-escape'; // an ESC inside our frame: `\` ends it, anything else interrupts it

export class OutputScanner {
  private readonly prefix: string;
  private readonly promptMatcher: PromptMatcher;
  private readonly maxFrameBytes: number;
  private readonly maxBodyLength: number;
  /** Where text stops being plain: an ESC or the first character of the prompt. */
  private readonly textStop: RegExp;
  private readonly sink = new TokenSink();
  private mode: Mode = 'text';
  private prefixMatched = 0;
  private body = '';

  constructor(options: OutputScannerOptions) {
    this.prefix = framePrefix(options.nonce);
    this.promptMatcher = new PromptMatcher(options.prompt);
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const overhead = APC_INTRODUCER.length + this.prefix.length + 2;
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes <= overhead) {
      throw new Error(`maxFrameBytes must be an integer above ${overhead}, got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.maxBodyLength = maxFrameBytes - overhead;
    const promptStart = options.prompt.charCodeAt(0).toString(16).padStart(4, '0');
    this.textStop = new RegExp(`[\\u001b\\u${promptStart}]`, 'g');
  }

  /** Code units read but not yet decided (or, for a split character, not yet handed out). */
  get heldBackLength(): number {
    const decidedButHeld = this.sink.heldText;
    switch (this.mode) {
      case 'text':
        return decidedButHeld + this.promptMatcher.matched;
      case 'escape':
        return decidedButHeld + 1;
      case 'apc-prefix':
        return decidedButHeld + APC_INTRODUCER.length + this.prefixMatched;
      case 'frame-body':
        return decidedButHeld + this.frameLength();
      case 'frame-escape':
        return decidedButHeld + this.frameLength() + 1;
    }
  }

  push(chunk: string): Token[] {
    let i = 0;
    while (i < chunk.length) i = this.step(chunk, i);
    return this.sink.take(false);
  }

  /** The output ended: flushes what was held back and resets the scanner. */
  end(): Token[] {
    if (this.mode === 'frame-body' || this.mode === 'frame-escape') {
      this.rejectFrame('unterminated at end of output');
      // In 'frame-escape' the ESC read after the body is not part of the frame: it is text.
      this.mode = this.mode === 'frame-escape' ? 'escape' : 'text';
    }
    if (this.mode === 'escape') this.sink.text(ESC);
    if (this.mode === 'apc-prefix') this.releaseApcPrefix();
    this.promptMatcher.release(this.sink);
    this.mode = 'text';
    return this.sink.take(true);
  }

  /** Consumes from chunk[i] on; returns the index of the first code unit not consumed. */
  private step(chunk: string, i: number): number {
    switch (this.mode) {
      case 'text':
        return this.scanText(chunk, i);
      case 'escape':
        return this.afterEscape(chunk, i);
      case 'apc-prefix':
        return this.matchPrefix(chunk, i);
      case 'frame-body':
        return this.collectBody(chunk, i);
      case 'frame-escape':
        return this.afterFrameEscape(chunk, i);
    }
  }

  private scanText(chunk: string, i: number): number {
    if (this.promptMatcher.matched === 0) {
      this.textStop.lastIndex = i;
      const stop = this.textStop.exec(chunk)?.index ?? chunk.length;
      if (stop > i) {
        this.sink.text(chunk.slice(i, stop));
        return stop;
      }
    }
    const ch = chunk[i];
    if (ch === ESC) {
      this.promptMatcher.release(this.sink); // the prompt contains no ESC
      this.mode = 'escape';
    } else {
      this.promptMatcher.feed(ch, this.sink);
    }
    return i + 1;
  }

  private afterEscape(chunk: string, i: number): number {
    if (chunk[i] === APC_FINAL) {
      this.mode = 'apc-prefix';
      this.prefixMatched = 0;
      return i + 1;
    }
    this.sink.text(ESC);
    this.mode = 'text';
    return i; // scanned again as text: it may be another ESC or the prompt's start
  }

  private matchPrefix(chunk: string, i: number): number {
    if (chunk[i] !== this.prefix[this.prefixMatched]) {
      this.releaseApcPrefix();
      this.mode = 'text';
      return i; // scanned again as text
    }
    this.prefixMatched++;
    if (this.prefixMatched === this.prefix.length) {
      this.mode = 'frame-body';
      this.body = '';
    }
    return i + 1;
  }

  private collectBody(chunk: string, i: number): number {
    const esc = chunk.indexOf(ESC, i);
    const end = esc < 0 ? chunk.length : esc;
    const room = this.maxBodyLength - this.body.length;
    if (end - i > room) {
      this.body += chunk.slice(i, i + room);
      this.rejectFrame(`frame longer than ${this.maxFrameBytes} bytes`);
      this.mode = 'text';
      return i + room; // the rest of the oversized frame is text
    }
    this.body += chunk.slice(i, end);
    if (esc < 0) return chunk.length;
    this.mode = 'frame-escape';
    return esc + 1;
  }

  private afterFrameEscape(chunk: string, i: number): number {
    if (chunk[i] !== TERMINATOR_FINAL) {
      this.rejectFrame('interrupted by an escape sequence before its terminator');
      this.mode = 'escape';
      return i; // as after any ESC in text: `_` starts a new APC
    }
    const decoded = decodeFrameBody(this.body);
    if (decoded.ok) this.sink.event(decoded.event);
    else this.sink.badFrame(decoded.reason, this.frameSoFar() + ESC + TERMINATOR_FINAL);
    this.body = '';
    this.mode = 'text';
    return i + 1;
  }

  private frameLength(): number {
    return APC_INTRODUCER.length + this.prefix.length + this.body.length;
  }

  private frameSoFar(): string {
    return APC_INTRODUCER + this.prefix + this.body;
  }

  private rejectFrame(reason: string): void {
    this.sink.badFrame(reason, this.frameSoFar());
    this.body = '';
  }

  private releaseApcPrefix(): void {
    this.sink.text(APC_INTRODUCER + this.prefix.slice(0, this.prefixMatched));
  }
}
