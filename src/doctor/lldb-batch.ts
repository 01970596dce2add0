/**
 * One `lldb --batch` run of the debug-exit script, for doctor: no pty, no session machine. The
 * script's frames are read from LLDB's stdout with the protocol's OutputScanner (only frames
 * carrying the spec's nonce are events); LLDB is killed if it outlives the timeout. In batch
 * mode LLDB stops at the first command that fails and exits non-zero.
 *
 *   runBatch({ lldb, spec, dir, commands: [importScript(SCRIPT_PATH), DX_SETUP], timeoutMs })
 *
 * The script's frames come on its channel (session/channel.ts), the spec goes to it the same way:
 * no path of a spec file is on LLDB's command line.
 *     -> { events: [hello, probe-resolved...], lastOutput, exitCode: 0, timedOut: false }
 */
import { spawn } from 'node:child_process';
import { OutputScanner, type Token } from '../protocol/output-scanner';
import { killOrphanedInferiors, lldbEnv } from '../session/capture';
import { ChannelServer, CHANNEL_ENV } from '../session/channel';
import type { SessionSpec } from '../session/spec';
import { lastOutputOf } from '../session/failure';
import { lldbQuote } from '../session/machine';
import { SessionLog } from '../session/session-log';
import type { BatchOutcome } from './findings';

export interface BatchRequest {
  lldb: string;
  /** The spec dx-setup gets over the channel (its nonce frames the script's events). */
  spec: SessionSpec;
  /** A 0700 folder of ours for the channel's socket. */
  dir: string;
  /** LLDB commands, in order. */
  commands: readonly string[];
  timeoutMs: number;
  /** Aborting kills LLDB (and, through killOrphanedInferiors, anything it launched). */
  abortSignal?: AbortSignal;
}

export const importScript = (scriptPath: string) => `command script import ${lldbQuote(scriptPath)}`;
/** dx-setup with no argument: the spec comes over the channel. */
export const DX_SETUP = 'dx-setup';

/** LLDB's command line: no ~/.lldbinit, no colours, each command an -o. */
export function batchArgs(commands: readonly string[]): string[] {
  return ['--batch', '--no-lldbinit', '--no-use-colors', ...commands.flatMap((c) => ['-o', c])];
}

export function runBatch(request: BatchRequest): Promise<BatchOutcome> {
  return new Promise((resolve) => {
    const scanner = new OutputScanner({ nonce: request.spec.nonce, prompt: '\u0001' });
    const channel = ChannelServer.open(request.dir, { nonce: request.spec.nonce, spec: request.spec, cleanup: null });
    const log = new SessionLog();
    const take = (tokens: Token[]) => {
      for (const token of tokens) {
        if (token.type === 'event') {
          if (token.event.kind !== 'done') log.events.push(token.event);
        } else if (token.type === 'text') log.appendText(token.text);
        else if (token.type === 'bad-frame') log.badFrames.push(token.reason);
      }
    };
    let timedOut = false;
    let spawnError: string | undefined;
    const child = spawn(request.lldb, batchArgs(request.commands), {
      env: { ...lldbEnv(), [CHANNEL_ENV]: channel.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let channelClosed = false;
    let exitCode: number | null | undefined;
    channel.onData((chunk) => take(scanner.push(chunk)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutMs);
    const abort = () => child.kill('SIGKILL');
    request.abortSignal?.addEventListener('abort', abort, { once: true });
    if (request.abortSignal?.aborted) abort();
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => log.appendText(chunk));
    child.stderr.on('data', (chunk: string) => log.appendText(chunk));
    child.on('error', (error) => (spawnError = error.message));
    const finish = () => {
      if (exitCode === undefined || !channelClosed) return;
      const code = exitCode;
      exitCode = undefined;
      clearTimeout(timer);
      request.abortSignal?.removeEventListener('abort', abort);
      take(scanner.end());
      channel.dispose();
      killOrphanedInferiors(log.events); // a launch LLDB did not see to its end
      const bad = log.badFrames.map((reason) => `(rejected event frame: ${reason})`).join('\n');
      resolve({
        events: log.events,
        lastOutput: lastOutputOf(bad === '' ? log.tail : `${log.tail}\n${bad}`),
        exitCode: code,
        timedOut,
        ...(spawnError !== undefined && { spawnError }),
      });
    };
    channel.onClose(() => {
      channelClosed = true;
      finish();
    });
    child.on('close', (code) => {
      exitCode = code;
      setTimeout(() => {
        channelClosed = true;
        finish();
      }, 1000).unref();
      finish();
    });
  });
}
