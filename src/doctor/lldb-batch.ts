/**
 * One `lldb --batch` run of the debug-exit script, for doctor: no pty, no session machine. The
 * script's frames are read from LLDB's stdout with the protocol's OutputScanner (only frames
 * carrying the spec's nonce are events); LLDB is killed if it outlives the timeout. In batch
 * mode LLDB stops at the first command that fails and exits non-zero.
 *
 *   runBatch({ lldb, nonce, commands: [importScript(SCRIPT_PATH), dxSetup(specPath)], timeoutMs })
 *     -> { events: [hello, probe-resolved...], lastOutput, exitCode: 0, timedOut: false }
 */
import { spawn } from 'node:child_process';
import { OutputScanner, type Token } from '../protocol/output-scanner';
import { killOrphanedInferiors, lldbEnv, promptFor } from '../session/capture';
import { lastOutputOf } from '../session/failure';
import { lldbQuote } from '../session/machine';
import { SessionLog } from '../session/session-log';
import type { BatchOutcome } from './findings';

export interface BatchRequest {
  lldb: string;
  /** The nonce of the spec dx-setup reads: the script frames its events with it. */
  nonce: string;
  /** LLDB commands, in order. */
  commands: readonly string[];
  timeoutMs: number;
  /** Aborting kills LLDB (and, through killOrphanedInferiors, anything it launched). */
  abortSignal?: AbortSignal;
}

export const importScript = (scriptPath: string) => `command script import ${lldbQuote(scriptPath)}`;
export const dxSetup = (specPath: string) => `dx-setup ${lldbQuote(specPath)}`;

/** LLDB's command line: no ~/.lldbinit, no colours, each command an -o. */
export function batchArgs(commands: readonly string[]): string[] {
  return ['--batch', '--no-lldbinit', '--no-use-colors', ...commands.flatMap((c) => ['-o', c])];
}

export function runBatch(request: BatchRequest): Promise<BatchOutcome> {
  return new Promise((resolve) => {
    // The prompt is never set in batch mode: LLDB's `(lldb) ` echoes stay text.
    const scanner = new OutputScanner({ nonce: request.nonce, prompt: promptFor(request.nonce) });
    const log = new SessionLog();
    const take = (tokens: Token[]) => {
      for (const token of tokens) {
        if (token.type === 'event') log.events.push(token.event);
        else if (token.type === 'text') log.appendText(token.text);
        else if (token.type === 'bad-frame') log.badFrames.push(token.reason);
      }
    };
    let timedOut = false;
    let spawnError: string | undefined;
    const child = spawn(request.lldb, batchArgs(request.commands), { env: lldbEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, request.timeoutMs);
    const abort = () => child.kill('SIGKILL');
    request.abortSignal?.addEventListener('abort', abort, { once: true });
    if (request.abortSignal?.aborted) abort();
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => take(scanner.push(chunk)));
    child.stderr.on('data', (chunk: string) => log.appendText(chunk));
    child.on('error', (error) => (spawnError = error.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      request.abortSignal?.removeEventListener('abort', abort);
      take(scanner.end());
      killOrphanedInferiors(log.events); // a launch LLDB did not see to its end
      const bad = log.badFrames.map((reason) => `(rejected event frame: ${reason})`).join('\n');
      resolve({
        events: log.events,
        lastOutput: lastOutputOf(bad === '' ? log.tail : `${log.tail}\n${bad}`),
        exitCode: code,
        timedOut,
        ...(spawnError !== undefined && { spawnError }),
      });
    });
  });
}
