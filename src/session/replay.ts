/**
 * Replay: the recorded LLDB output goes through the same protocol and session machine as a live
 * capture (session/life.ts), with the recording as the transport: no LLDB and no target. What the session sent is ignored (it was recorded too).
 */
import type { AsciicastHeader } from '../recording/asciicast';
import { readHeader, ReplayTransport, type ReplayEnd } from '../transport/replay-transport';
import { runMachine } from './life';
import type { SessionOutput } from './machine';

export interface ReplayRequest {
  file: string;
  /** Show the output at recorded speed times `speed` (--play). */
  play?: { speed: number; write: (data: string) => void };
}

export interface ReplayResult {
  header: AsciicastHeader;
  session: SessionOutput;
  end: ReplayEnd;
}

/** A replay waits for nothing real: this only bounds a recording that never shows a prompt. */
const REPLAY_TIMEOUT_MS = 24 * 3600 * 1000;

export async function replay(request: ReplayRequest): Promise<ReplayResult> {
  const header = await readHeader(request.file);
  const transport = new ReplayTransport(
    request.file,
    request.play ? { speed: request.play.speed, onOutput: request.play.write } : {},
  );
  const { nonce } = header.debug_exit;
  const running = runMachine({
    input: {
      openTransport: () => transport,
      nonce,
      runTimeoutMs: REPLAY_TIMEOUT_MS,
      startupTimeoutMs: REPLAY_TIMEOUT_MS,
      mode: header.debug_exit.options?.mode === 'interactive' ? 'interactive' : 'capture',
    },
  });
  const [session, end] = await Promise.all([running, transport.done]);
  return { header, session, end };
}
