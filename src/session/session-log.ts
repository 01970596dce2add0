/**
 * What a session has seen so far: the script's events, rejected frames and the tail of LLDB's
 * text. The transport actor appends to it directly, so the cost of a probe hit or a chunk of
 * program output never goes through the state machine; the machine only reads it in guards and
 * when it stops.
 *
 * Events are checked in order: seq must increase, an `exit` needs a `launched` before it, and a
 * `launched` cannot come while the previous process has not exited. Anything else is rejected,
 * counted, and reported with what it claimed.
 */
import type { DebugExitEvent } from '../timeline/events';

const TAIL_CHARS = 4096;
/** Rejected frames kept in detail; beyond this only counted. */
const MAX_REJECTED_KEPT = 100;

export interface RejectedFrame {
  /** `channel`: a frame of the script's channel that failed a check; `terminal`: a frame in LLDB's terminal output. */
  source: 'channel' | 'terminal';
  reason: string;
  /** The kind it claimed to be, when it said. */
  claimed: string | null;
}

export class SessionLog {
  readonly events: DebugExitEvent[] = [];
  readonly badFrames: string[] = [];
  readonly rejected: RejectedFrame[] = [];
  rejectedCount = 0;
  private tailText = '';
  private lastSeq = 0;
  private openLaunch = false;

  /** When LLDB's terminal last said something (Date.now()). */
  lastTextAt = 0;

  appendText(text: string): void {
    this.lastTextAt = Date.now();
    // Trimmed only when twice the size: appending stays cheap on a 200 MB output.
    this.tailText = text.length >= TAIL_CHARS ? text.slice(-TAIL_CHARS) : this.tailText + text;
    if (this.tailText.length > 2 * TAIL_CHARS) this.tailText = this.tailText.slice(-TAIL_CHARS);
  }

  /** Adds an event of the channel, or rejects it (out of order, duplicated exit/launched). */
  addEvent(event: DebugExitEvent): boolean {
    const problem = this.problemWith(event);
    if (problem !== undefined) {
      this.reject({ source: 'channel', reason: problem, claimed: event.kind });
      return false;
    }
    this.lastSeq = event.seq;
    if (event.kind === 'launched') this.openLaunch = true;
    if (event.kind === 'exit') this.openLaunch = false;
    this.events.push(event);
    return true;
  }

  reject(frame: RejectedFrame): void {
    this.rejectedCount++;
    this.badFrames.push(frame.reason);
    if (this.rejected.length < MAX_REJECTED_KEPT) this.rejected.push(frame);
  }

  private problemWith(event: DebugExitEvent): string | undefined {
    if (event.seq <= this.lastSeq) return `seq ${event.seq} after seq ${this.lastSeq}`;
    if (event.kind === 'exit' && !this.openLaunch) return 'exit with no process launched';
    if (event.kind === 'launched' && this.openLaunch) return 'launched while the previous process has not exited';
    return undefined;
  }

  /** The last few KiB of LLDB's plain text output. */
  get tail(): string {
    return this.tailText.slice(-TAIL_CHARS);
  }

  has(predicate: (event: DebugExitEvent) => boolean): boolean {
    return this.events.some(predicate);
  }
}
