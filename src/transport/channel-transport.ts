/**
 * LLDB on a pty plus the script's event channel (session/channel.ts): text from the pty on
 * onData, the script's frames on onChannel. The exit fires once LLDB has exited and the channel
 * has closed (or shortly after the exit, if it does not), so no event is lost.
 */
import { ChannelServer, CHANNEL_ENV, type Greeting } from '../session/channel';
import { PtyTransport, type PtyOptions } from './pty-transport';
import { Emitter, type Transport, type TransportExit } from './transport';

const CHANNEL_DRAIN_MS = 1000;

export class ChannelPtyTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly channelData = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel: ChannelServer;
  readonly pty: PtyTransport;
  readonly onData = this.data.event;
  readonly onChannel = this.channelData.event;
  readonly onExit = this.exit.event;
  private exited: TransportExit | null = null;
  private channelClosed = false;
  private fired = false;
  private released = false;

  constructor(options: PtyOptions & { dir: string; greeting: Greeting }) {
    this.channel = ChannelServer.open(options.dir, options.greeting);
    this.channel.onData((chunk) => this.channelData.fire(chunk));
    this.channel.onClose(() => {
      this.channelClosed = true;
      this.maybeExit();
    });
    this.pty = new PtyTransport({ ...options, env: { ...(options.env ?? {}), [CHANNEL_ENV]: this.channel.path } });
    this.pty.onData((chunk) => this.data.fire(chunk));
    this.pty.onExit((e) => {
      this.exited = e;
      this.maybeExit();
      setTimeout(() => this.fireExit(), CHANNEL_DRAIN_MS).unref();
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  write(data: string): void {
    this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  dispose(): void {
    if (this.released) return; // a released LLDB's channel stays open until debug-exit exits
    this.pty.dispose();
    this.channel.dispose();
  }

  /** LLDB was told to quit and its last output is read: see PtyTransport.release. */
  release(): void {
    this.released = true;
    this.fired = true;
    this.data.clear();
    this.channelData.clear();
    this.exit.clear();
    this.pty.release();
    this.channel.release();
  }

  private maybeExit(): void {
    if (this.exited !== null && this.channelClosed) this.fireExit();
  }

  private fireExit(): void {
    if (this.fired || this.exited === null) return;
    this.fired = true;
    this.exit.fire(this.exited);
    this.channel.dispose();
  }
}
