/**
 * Tees a transport into an asciicast v2 file: every chunk LLDB printed (`o`) and every byte sent
 * (`i`), and the script's event channel (`x`), written with a synchronous write as it happens, so a capture that is killed leaves a
 * recording that replays up to the kill.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHANNEL_CODE, encodeEvent, encodeHeader, LLDB_EXIT_MARKER, type AsciicastHeader, type EventCode } from '../recording/asciicast';
import { Emitter, type Transport, type TransportExit } from './transport';

export class RecordingTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel = new Emitter<string>();
  private readonly fd: number;
  private readonly start = process.hrtime.bigint();
  private closed = false;
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
    this.fd = fd ?? fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
    fs.writeSync(this.fd, encodeHeader(header));
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
