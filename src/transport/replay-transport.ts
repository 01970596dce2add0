/**
 * Replays a recording as if LLDB were talking: the `o` chunks are delivered in order (as fast as
 * possible, or at recorded speed with `speed`), writes are ignored, and the end of the file is the
 * transport's exit. Streams the file: memory stays flat however long the recording is.
 */
import * as fs from 'node:fs';
import {
  CHANNEL_CODE,
  LLDB_EXIT_MARKER,
  parseEvent,
  parseHeader,
  RecordingError,
  type AsciicastEvent,
  type AsciicastHeader,
} from '../recording/asciicast';
import { Emitter, type Transport, type TransportExit } from './transport';
import { profileCheckOfMarker } from '../profile/recorded';
import type { ProfileOutputCheck } from '../profile/output';

export interface ReplayEnd {
  /** The last line was cut mid-write. */
  cut: boolean;
  /** The recording saw LLDB exit (its `lldb-exit` marker); without it, the session was cut short. */
  lldbExited: boolean;
  /** The capture's profile check, recorded after the session (profile_output); null when none. */
  profileOutput: ProfileOutputCheck | null;
}

export interface ReplayOptions {
  /** Play at recorded speed times this factor; undefined replays as fast as possible. */
  speed?: number;
  /** Each `o` event, as it is delivered (for --play). */
  onOutput?: (data: string) => void;
}

/** Reads only the header line. */
export async function readHeader(file: string): Promise<AsciicastHeader> {
  for await (const batch of lineBatches(file)) return parseHeader(batch.lines[0], file);
  throw new RecordingError(file, 1, 'the recording is empty');
}

export class ReplayTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel = new Emitter<string>();
  private disposed = false;
  readonly onData = this.data.event;
  readonly onChannel = this.channel.event;
  readonly onExit = this.exit.event;
  /** Settles when the whole file has been read: rejects with a RecordingError on a bad line. */
  readonly done: Promise<ReplayEnd>;

  constructor(
    readonly file: string,
    private readonly options: ReplayOptions = {},
  ) {
    // Start on the next tick, once the session has subscribed.
    this.done = new Promise((resolve) => setImmediate(resolve)).then(() => this.play());
  }

  write(): void {
    // A recording answers nothing: what the session sends was recorded as `i` events already.
  }

  dispose(): void {
    this.disposed = true;
  }

  private async play(): Promise<ReplayEnd> {
    const state = {
      lineNo: 0,
      previous: 0,
      lldbExited: false,
      cut: false,
      profileOutput: null as ProfileOutputCheck | null,
    };
    try {
      for await (const batch of lineBatches(this.file)) {
        for (const line of batch.lines) {
          if (this.disposed || state.cut) break;
          const event = this.next(line, state, batch.unterminated);
          if (event === null) continue;
          // Paced only for --play: replaying as fast as possible awaits nothing per line.
          if (this.options.speed !== undefined) await this.pace(event.time - state.previous);
          state.previous = event.time;
          if (event.code === 'o') this.deliver(event);
          if (event.code === CHANNEL_CODE) this.channel.fire(event.data);
          if (event.code === 'm' && event.data.startsWith(LLDB_EXIT_MARKER)) state.lldbExited = true;
          if (event.code === 'm') state.profileOutput = profileCheckOfMarker(event.data) ?? state.profileOutput;
        }
      }
    } finally {
      this.exit.fire({ exitCode: 0 });
    }
    return { cut: state.cut, lldbExited: state.lldbExited, profileOutput: state.profileOutput };
  }

  /** The event of one line; null for the header (validated by readHeader), blanks and a cut. */
  private next(
    line: string,
    state: { lineNo: number; previous: number; cut: boolean },
    unterminated: boolean,
  ): AsciicastEvent | null {
    state.lineNo++;
    if (state.lineNo === 1 || line.length === 0) return null;
    const event = this.parseOrCut(line, state.lineNo, state.previous, unterminated);
    if (event !== 'cut') return event;
    state.cut = true;
    return null;
  }

  /** A last line without its newline that does not parse is a recording cut mid-write. */
  private parseOrCut(
    line: string,
    lineNo: number,
    previous: number,
    unterminatedLast: boolean,
  ): AsciicastEvent | 'cut' {
    try {
      return parseEvent(line, this.file, lineNo, previous);
    } catch (error) {
      if (error instanceof RecordingError && unterminatedLast) return 'cut';
      throw error;
    }
  }

  private deliver(event: AsciicastEvent): void {
    this.options.onOutput?.(event.data);
    this.data.fire(event.data);
  }

  private pace(seconds: number): Promise<void> {
    if (this.options.speed === undefined || seconds <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / this.options.speed!));
  }
}

/** Far above any line debug-exit writes (one pty or channel chunk, JSON-escaped). */
export const MAX_LINE_CHARS = 8 * (1 << 20);

interface LineBatch {
  lines: string[];
  /** The batch is the file's last line, with no newline after it (a write cut short). */
  unterminated: boolean;
}

/**
 * The file's lines, streamed in batches (one per read). asciicast lines are JSON and never hold a
 * raw newline, so a plain split on '\n' is enough, and several times cheaper than readline.
 */
async function* lineBatches(file: string): AsyncIterable<LineBatch> {
  let pending = '';
  let lineNo = 0;
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (pending + (chunk as string)).split('\n');
    pending = lines.pop() ?? '';
    lineNo += lines.length;
    // Memory stays bounded whatever the file: a line is refused once it passes the cap.
    const long = lines.findIndex((line) => line.length > MAX_LINE_CHARS);
    if (long >= 0 || pending.length > MAX_LINE_CHARS) {
      const at = long >= 0 ? lineNo - lines.length + long + 1 : lineNo + 1;
      throw new RecordingError(
        file,
        at,
        `line ${at} is longer than ${MAX_LINE_CHARS / (1 << 20)} MiB: not a recording debug-exit writes`,
      );
    }
    if (lines.length > 0) yield { lines, unterminated: false };
  }
  if (pending.length > 0) yield { lines: [pending], unterminated: true };
}
