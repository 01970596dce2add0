/**
 * The transport: the only interface through which the session reaches LLDB. It does no parsing
 * (that is protocol/), and has three implementations: a node-pty LLDB process, a recording
 * reader (replay) and an in-memory fake for unit tests; LLDB's pty and the script's event channel
 * come as two streams (onData, onChannel).
 */

export interface Disposable {
  dispose(): void;
}

/** A typed event: subscribe with a listener, dispose the result to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

export interface TransportExit {
  exitCode: number;
  signal?: number;
}

export interface Transport {
  /** Output from LLDB (and, through LLDB, from the inferior), decoded as UTF-8: text only. */
  readonly onData: Event<string>;
  /** The script's event frames, from its own channel (a socket the target cannot reach). */
  readonly onChannel: Event<string>;
  /** Fires once, after the last onData: a pty's last bytes arrive after its process exits. */
  readonly onExit: Event<TransportExit>;
  write(data: string): void;
  /** Ends the session's process (if any) and releases everything. Idempotent. */
  dispose(): void;
  /**
   * The session is over and its process was told to quit: stop listening, let it exit on its own,
   * and kill it at the latest when debug-exit exits (nothing is left running). Default: dispose.
   */
  release?(): void;
}

/** A minimal emitter behind the typed `Event<T>`. */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  clear(): void {
    this.listeners.clear();
  }
}
