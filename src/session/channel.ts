/**
 * The event channel's tool side: a Unix socket in the capture's 0700 temp folder, named to LLDB
 * in its environment (DX_CHANNEL). lldb-scripts/dx/link.py connects at import; exactly one
 * connection is accepted, the socket path is unlinked at once (long before the target is
 * launched), and the greeting (nonce, spec, the folder to remove if the tool dies) goes to the
 * script over it. Nothing of it is in a command line, an environment variable or a file.
 *
 *   const channel = ChannelServer.open(dir, greeting);
 *   spawn(lldb, args, { env: { ...env, [CHANNEL_ENV]: channel.path } });
 *   channel.onData((chunk) => ...);   // the script's frames
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from '../transport/transport';

export const CHANNEL_ENV = 'DX_CHANNEL';
/** sun_path is 108 bytes on Linux (104 on macOS). */
const MAX_SOCKET_PATH = 100;

export interface Greeting {
  nonce: string;
  spec: unknown;
  /** Removed by the script's watchdog if the tool dies. */
  cleanup: string | null;
}

export class ChannelServer {
  private readonly data = new Emitter<string>();
  private readonly closed = new Emitter<void>();
  private socket: net.Socket | null = null;
  private ended = false;
  readonly onData = this.data.event;
  /** Fires once: the script's end closed (LLDB exited), or the channel was disposed. */
  readonly onClose = this.closed.event;
  /** Connections refused after the first (someone raced the script to the socket). */
  refused = 0;

  private constructor(
    private readonly server: net.Server,
    readonly path: string,
    private readonly socketDir: string | null,
    greeting: Greeting,
  ) {
    server.on('connection', (socket) => {
      if (this.socket !== null || this.ended) {
        this.refused++;
        socket.destroy();
        return;
      }
      this.socket = socket;
      this.unlink();
      server.close();
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => this.data.fire(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => this.end());
      socket.write(`${JSON.stringify(greeting)}\n`);
    });
  }

  /**
   * Listens in `dir` (a folder of ours, mode 0700; a short one of its own when `dir` is too long
   * for a socket path). Node binds a Unix socket synchronously; the script retries its connect.
   */
  static open(dir: string, greeting: Greeting): ChannelServer {
    let socketPath = path.join(dir, 'channel.sock');
    let socketDir: string | null = null;
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      socketDir = fs.mkdtempSync(path.join('/tmp', 'dx-'));
      socketPath = path.join(socketDir, 'c.sock');
    }
    const server = net.createServer();
    const channel = new ChannelServer(server, socketPath, socketDir, greeting);
    server.on('error', () => channel.dispose());
    server.listen(socketPath);
    return channel;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /**
   * Stops listening but keeps the script's end open: closing it would tell the script's watchdog
   * that debug-exit died, and it would remove the session folder before the profile is read. The
   * socket no longer holds debug-exit up; it closes when debug-exit exits.
   */
  release(): void {
    this.data.clear();
    this.closed.clear();
    this.socket?.unref();
    this.server.close();
    this.unlink();
  }

  dispose(): void {
    this.socket?.destroy();
    this.server.close();
    this.unlink();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.closed.fire();
  }

  private unlink(): void {
    fs.rmSync(this.path, { force: true });
    if (this.socketDir !== null) fs.rmSync(this.socketDir, { recursive: true, force: true });
  }
}

/** The temp folder of a session: mode 0700 (mkdtemp's), under TMPDIR, whatever its name holds. */
export function sessionTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
