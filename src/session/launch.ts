/**
 * The one way a session starts LLDB, for capture, interactive and doctor: a pty for LLDB's
 * terminal, the script's channel beside it (session/channel.ts), LLDB's environment, and the
 * recording of both. The session's folder, machine and signals are session/life.ts's.
 *
 * LLDB's command line holds only fixed settings and the import of our script: no nonce, no
 * prompt of ours, no path from the user or the environment. The spec and the nonce reach the
 * script over the channel.
 */
import { recordingHeader } from '../recording/header';
import { ChannelPtyTransport } from '../transport/channel-transport';
import { RecordingTransport } from '../transport/recorder';
import type { Transport } from '../transport/transport';
import { openLldbCache, withCacheEnv, type LldbCache } from './lldb-cache';
import { lldbQuote } from './lldb-quote';
import type { SessionSpec } from './spec';

/** LLDB's own prompt: the machine never waits for it, the recording header names it. */
export const LLDB_PROMPT = '(lldb) ';

export interface LaunchRequest {
  lldbPath: string;
  scriptPath: string;
  spec: SessionSpec;
  /** The session's temp folder (0700): the channel's socket is made there. */
  dir: string;
  cols: number;
  rows: number;
  env: Record<string, string>;
  /** LLDB settings beyond the fixed ones (capture: CAPTURE_SETTINGS). */
  settings?: readonly string[];
  /** Recording: where, and what its header says; null for none. */
  record: {
    to: string;
    fd?: number;
    census: boolean;
    userEnv: Record<string, string>;
    recordEnv?: boolean;
    mode: 'capture' | 'interactive';
  } | null;
}

export interface Launched {
  transport: Transport;
  lldb: ChannelPtyTransport;
}

/** LLDB's command line: settings, then the import of the script (which connects at once). */
export function lldbArgs(scriptPath: string, extraSettings: readonly string[] = []): string[] {
  const settings = ['auto-confirm true', 'show-progress false', 'use-color false', ...extraSettings];
  return [
    '--no-lldbinit',
    '--no-use-colors',
    ...settings.flatMap((s) => ['-O', `settings set ${s}`]),
    '-O',
    `command script import ${lldbQuote(scriptPath)}`,
  ];
}

/** LLDB's own environment: the user's, with a plain terminal type (no colour negotiation). */
export function lldbEnv(cache: LldbCache | null = openLldbCache()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  env.TERM = 'xterm-256color';
  // `command script import` would otherwise write __pycache__ into the package.
  env.PYTHONDONTWRITEBYTECODE = '1';
  // The cache's start-up hook (session/lldb-cache.ts) puts the user's variables back for the target.
  return withCacheEnv(env, process.env, cache);
}

export function launchLldb(request: LaunchRequest): Launched {
  const args = lldbArgs(request.scriptPath, request.settings);
  const lldb = new ChannelPtyTransport({
    file: request.lldbPath,
    args,
    env: request.env,
    cols: request.cols,
    rows: request.rows,
    dir: request.dir,
    greeting: { nonce: request.spec.nonce, spec: request.spec, cleanup: request.dir },
  });
  if (request.record === null) return { transport: lldb, lldb };
  const { record } = request;
  const header = recordingHeader({
    spec: request.spec,
    prompt: LLDB_PROMPT,
    lldbPath: request.lldbPath,
    lldbArgs: args,
    census: record.census,
    userEnv: record.userEnv,
    recordEnv: record.recordEnv === true,
    mode: record.mode,
    width: request.cols,
    height: request.rows,
  });
  return { transport: new RecordingTransport(lldb, record.to, header, record.fd), lldb };
}
