/**
 * What the output scanner produces from LLDB's pty output, in stream order.
 *
 *   'Breakpoint 1\r\n' ESC_dx;N;{...hit...}ESC\ '(dx-N) '
 *     -> text 'Breakpoint 1\r\n', event {kind: 'hit', ...}, prompt
 */
import type { ChannelEvent } from '../timeline/events';
import type { ScanSink } from './prompt-matcher';

export type Token =
  /** A well-formed frame with our nonce: JSON object with numeric seq/t_ns and a known kind. */
  | { type: 'event'; event: ChannelEvent }
  /** A frame with our nonce that is malformed: rejected, never guessed. `raw` is the frame as received. */
  | { type: 'bad-frame'; reason: string; raw: string }
  /** Everything else, frames and prompts removed (look-alike frames with another nonce stay here). */
  | { type: 'text'; text: string }
  /** The session's unique prompt (not part of any text token). */
  | { type: 'prompt' };

/** Adjacent text tokens merged, empty ones dropped: the form in which any two chunkings agree. */
export function normalizeTokens(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const token of tokens) {
    const last = out[out.length - 1];
    if (token.type !== 'text') out.push(token);
    else if (token.text === '') continue;
    else if (last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + token.text };
    else out.push(token);
  }
  return out;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Collects tokens for one push; adjacent text is emitted as one token. */
export class TokenSink implements ScanSink {
  private tokens: Token[] = [];
  private pendingText = '';

  /** Code units decided as text but not handed out yet (a trailing high surrogate, see take()). */
  get heldText(): number {
    return this.pendingText.length;
  }

  text(text: string): void {
    this.pendingText += text;
  }

  prompt(): void {
    this.flushText();
    this.tokens.push({ type: 'prompt' });
  }

  event(event: ChannelEvent): void {
    this.flushText();
    this.tokens.push({ type: 'event', event });
  }

  badFrame(reason: string, raw: string): void {
    this.flushText();
    this.tokens.push({ type: 'bad-frame', reason, raw });
  }

  /**
   * The tokens so far. Unless `final`, a trailing high surrogate is kept for the next push, so a
   * character split between chunks is never written to a terminal as two broken halves.
   */
  take(final: boolean): Token[] {
    let carry = '';
    const last = this.pendingText.length - 1;
    if (!final && last >= 0 && isHighSurrogate(this.pendingText.charCodeAt(last))) {
      carry = this.pendingText[last];
      this.pendingText = this.pendingText.slice(0, last);
    }
    this.flushText();
    this.pendingText = carry;
    const tokens = this.tokens;
    this.tokens = [];
    return tokens;
  }

  private flushText(): void {
    if (this.pendingText !== '') this.tokens.push({ type: 'text', text: this.pendingText });
    this.pendingText = '';
  }
}
