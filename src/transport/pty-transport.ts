/** The real transport: LLDB on a pseudo-terminal (node-pty). */
import * as pty from 'node-pty';
import { Emitter, type Transport, type TransportExit } from './transport';

export interface PtyOptions {
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  /** After the process exits, wait at most this long for its output to drain. */
  drainMs?: number;
}

export class PtyTransport implements Transport {
  private readonly data = new Emitter<string>();
  private readonly exit = new Emitter<TransportExit>();
  private readonly channel = new Emitter<string>();
  private readonly proc: pty.IPty;
  private exited = false;
  private disposed = false;
  readonly onData = this.data.event;
  readonly onExit = this.exit.event;
  /** A bare pty has no channel: see ChannelPtyTransport. */
  readonly onChannel = this.channel.event;
  readonly pid: number;

  constructor(options: PtyOptions) {
    this.proc = pty.spawn(options.file, options.args, {
      name: 'xterm-256color',
      cols: options.cols ?? 200,
      rows: options.rows ?? 50,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? (process.env as Record<string, string>),
    });
    this.pid = this.proc.pid;
    this.proc.onData((chunk) => this.data.fire(chunk));
    this.proc.onExit((e) => this.finish(e, options.drainMs ?? 100));
  }

  write(data: string): void {
    if (this.exited || this.disposed) return;
    this.proc.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.exited) this.proc.resize(cols, rows);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.exited) {
      // Kill the whole process group: LLDB's inferior and lldb-server go with it.
      killGroup(this.proc.pid, 'SIGKILL');
    }
  }

  release(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.data.clear();
    this.exit.clear();
    if (!this.exited) reapLater(this.proc.pid, () => this.exited);
  }

  private finish(e: { exitCode: number; signal?: number }, drainMs: number): void {
    if (this.exited) return;
    this.exited = true;
    // node-pty delivers the last output after the exit event: let it drain before reporting.
    setTimeout(() => {
      this.exit.fire({ exitCode: e.exitCode, signal: e.signal || undefined });
      this.data.clear();
      this.exit.clear();
    }, drainMs);
  }
}

/** How long a released LLDB gets to finish its own teardown before it is killed. */
const RELEASE_GRACE_MS = 5000;
const released = new Map<number, () => boolean>();
let exitHookInstalled = false;

/**
 * A released process ends on its own (it was told to quit); if it has not when the grace runs out
 * or when debug-exit exits, its whole group is killed. Neither the timer nor the wait holds
 * debug-exit up.
 */
function reapLater(pid: number, gone: () => boolean): void {
  if (!exitHookInstalled) process.on('exit', killReleased);
  exitHookInstalled = true;
  released.set(pid, gone);
  setTimeout(() => {
    if (!gone()) killGroup(pid, 'SIGKILL');
    released.delete(pid);
  }, RELEASE_GRACE_MS).unref();
}

function killReleased(): void {
  for (const [pid, gone] of released) if (!gone()) killGroup(pid, 'SIGKILL');
  released.clear();
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone. Fall back to the single process in case it has no group.
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}
