/**
 * What a session has seen so far: the script's events, rejected frames and the tail of LLDB's
 * text. The transport actor appends to it directly, so the cost of a probe hit or a chunk of
 * program output never goes through the state machine; the machine only reads it in guards and
 * when it stops.
 */
import type { DebugExitEvent } from '../timeline/events';

const TAIL_CHARS = 4096;

export class SessionLog {
  readonly events: DebugExitEvent[] = [];
  readonly badFrames: string[] = [];
  private tailText = '';

  appendText(text: string): void {
    // Trimmed only when twice the size: appending stays cheap on a 200 MB output.
    this.tailText = text.length >= TAIL_CHARS ? text.slice(-TAIL_CHARS) : this.tailText + text;
    if (this.tailText.length > 2 * TAIL_CHARS) this.tailText = this.tailText.slice(-TAIL_CHARS);
  }

  /** The last few KiB of LLDB's plain text output. */
  get tail(): string {
    return this.tailText.slice(-TAIL_CHARS);
  }

  has(predicate: (event: DebugExitEvent) => boolean): boolean {
    return this.events.some(predicate);
  }
}
