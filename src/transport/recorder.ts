/**
 * Tees a transport into an asciicast v2 file: every chunk LLDB printed (`o`) and every byte sent
 * (`i`), and the script's event channel (`x`), written with a synchronous write as it happens, so a capture that is killed leaves a
 * recording that replays up to the kill.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CHANNEL_CODE,
  encodeEvent,
  encodeHeader,
  LLDB_EXIT_MARKER,
  type AsciicastHeader,
  type EventCode,
} from '../recording/asciicast';
import { Emitter, type Transport, type TransportExit } from './transport';

/** Spaces reserved on the header line for fields learnt after it is written (version, program hash). */
const HEADER_RESERVE = 192;

/** Writes `header` over the first line, padded to its length; false when it does not fit. */
function rewriteHeader(fd: number, lineBytes: number, header: AsciicastHeader): boolean {
  const line = encodeHeader(header).trimEnd();
  const room = lineBytes - 1 - Buffer.byteLength(line);
  if (room < 0) return false;
  fs.writeSync(fd, `${line}${' '.repeat(room)}\n`, 0);
  return true;
}

/**
 * Adds fields to the debug_exit header of a finished recording, in place (the program's hash,
 * ready once the capture is over). Nothing changes when they do not fit the reserved room.
 */
export function amendRecordingHeader(file: string, fields: Partial<AsciicastHeader['debug_exit']>): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const head = Buffer.alloc(64 * 1024);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    const end = head.subarray(0, read).indexOf(0x0a);
    if (end < 0) return;
    const header = JSON.parse(head.subarray(0, end).toString('utf8')) as AsciicastHeader;
    rewriteHeader(fd, end + 1, { ...header, debug_exit: { ...header.debug_exit, ...fields } });
  } finally {
    fs.closeSync(fd);
  }
}

export class RecordingTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel = new Emitter<string>();
  private readonly fd: number;
  private readonly start = process.hrtime.bigint();
  private closed = false;
  private header: AsciicastHeader;
  /** The header line's length on disk: a later header is written in its place, padded to it. */
  private readonly headerBytes: number;
  readonly onData = this.data.event;
  readonly onExit = this.exit.event;
  readonly onChannel = this.channel.event;

  constructor(
    private readonly inner: Transport,
    readonly file: string,
    header: AsciicastHeader,
    /** The recording, opened (and checked) before LLDB started; else `file` is opened here. */
    fd?: number,
  ) {
    if (fd === undefined) fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd =
      fd ??
      fs.openSync(
        file,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW,
        0o600,
      );
    this.header = header;
    // Room for what the header learns later (LLDB's version, from the script's hello): JSON allows
    // trailing spaces, so the line can be rewritten in place without moving the events after it.
    const line = `${encodeHeader(header).trimEnd()}${' '.repeat(HEADER_RESERVE)}\n`;
    this.headerBytes = Buffer.byteLength(line);
    fs.writeSync(this.fd, line);
    inner.onData((chunk) => {
      this.append('o', chunk);
      this.data.fire(chunk);
    });
    inner.onChannel((chunk) => {
      this.append(CHANNEL_CODE, chunk);
      this.channel.fire(chunk);
    });
    inner.onExit((e) => {
      // Marks a session that ended with LLDB, as opposed to a recording cut by a kill.
      this.append('m', `${LLDB_EXIT_MARKER} ${e.exitCode}`);
      this.close();
      this.exit.fire(e);
    });
  }

  /** Fills in LLDB's version (from the script's hello event: no `lldb --version` process). */
  setLldbVersion(version: string): void {
    if (this.closed || version === '' || version === this.header.debug_exit.lldb_version) return;
    const header = { ...this.header, debug_exit: { ...this.header.debug_exit, lldb_version: version } };
    if (rewriteHeader(this.fd, this.headerBytes, header)) this.header = header;
  }

  /**
   * The session is complete (its last output recorded, `quit` sent): mark it as ended with LLDB,
   * close the recording, and let LLDB finish its teardown without anyone waiting for it.
   */
  release(): void {
    this.append('m', `${LLDB_EXIT_MARKER} quit`);
    this.close();
    if (this.inner.release) this.inner.release();
    else this.inner.dispose();
  }

  write(data: string): void {
    this.append('i', data);
    this.inner.write(data);
  }

  dispose(): void {
    this.inner.dispose();
    this.close();
  }

  private append(code: EventCode, data: string): void {
    if (this.closed) return;
    const time = Number(process.hrtime.bigint() - this.start) / 1e9;
    fs.writeSync(this.fd, encodeEvent({ time, code, data }));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
