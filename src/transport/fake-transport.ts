/** An in-memory transport for unit tests: inject output, observe what was sent. */
import { Emitter, type Transport, type TransportExit } from './transport';

export class FakeTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel = new Emitter<string>();
  readonly onData = this.data.event;
  readonly onChannel = this.channel.event;
  readonly onExit = this.exit.event;
  readonly sent: string[] = [];
  disposed = false;
  /** release() was called: the session ended without waiting for the exit. */
  released = false;
  /** Called with each write, so a test can answer like LLDB would. */
  onWrite: (data: string) => void = () => undefined;

  write(data: string): void {
    this.sent.push(data);
    this.onWrite(data);
  }

  emitData(chunk: string): void {
    this.data.fire(chunk);
  }

  emitChannel(chunk: string): void {
    this.channel.fire(chunk);
  }

  emitExit(exit: TransportExit = { exitCode: 0 }): void {
    this.exit.fire(exit);
  }

  dispose(): void {
    this.disposed = true;
  }

  release(): void {
    this.released = true;
  }
}
