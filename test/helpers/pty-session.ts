/**
 * Drives the real CLI in a real pty, typing as a person would, and waits for what the screen
 * shows (output with escape sequences stripped).
 */
import * as pty from 'node-pty';
import { stripAnsi } from '../../src/protocol/ansi';
import { BIN } from './cli';

export class PtySession {
  private static readonly live = new Set<PtySession>();
  private readonly proc: pty.IPty;
  private raw = '';
  private mark = 0;
  exitCode: number | null = null;
  readonly exited: Promise<number>;

  constructor(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.proc = pty.spawn(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: 160,
      rows: 50,
      cwd: options.cwd ?? process.cwd(),
      env: (options.env ?? process.env) as Record<string, string>,
    });
    this.proc.onData((d) => (this.raw += d));
    this.exited = new Promise((resolve) =>
      this.proc.onExit((e) => {
        PtySession.live.delete(this);
        resolve((this.exitCode = e.exitCode));
      }),
    );
    PtySession.live.add(this);
  }

  /** Kills every session still running, with its whole process group (LLDB, the program). */
  static disposeAll(): void {
    for (const session of PtySession.live) {
      try {
        process.kill(-session.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    PtySession.live.clear();
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** Everything shown so far, escapes stripped. */
  get screen(): string {
    return stripAnsi(this.raw).replace(/\r/g, '');
  }

  /** What was shown since the last `expect` match. */
  get sinceMark(): string {
    return this.screen.slice(this.mark);
  }

  type(text: string): void {
    this.proc.write(text);
  }

  /** Waits until `pattern` shows after the previous match; returns the text up to it. */
  async expect(pattern: RegExp, timeoutMs = 30000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen.slice(this.mark);
      const m = pattern.exec(text);
      if (m) {
        this.mark += m.index + m[0].length;
        return text.slice(0, m.index + m[0].length);
      }
      if (Date.now() > deadline || this.exitCode !== null) {
        throw new Error(
          `did not see ${pattern} within ${timeoutMs} ms; the screen since the last match:\n${text.slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(signal: string): void {
    this.proc.kill(signal);
  }
}
