/** The recording header of a session: what replay needs to rebuild the report without LLDB. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { SessionSpec } from '../session/spec';
import { DEBUG_EXIT_RECORDING_SCHEMA, type AsciicastHeader } from './asciicast';

// package.json sits above rootDir's output (dist/src/recording -> ../../../package.json): read at run time, not imported.
const TOOL_VERSION: string = require('../../../package.json').version;

export interface HeaderInput {
  spec: SessionSpec;
  prompt: string;
  lldbPath: string;
  lldbArgs: string[];
  census: boolean;
  userEnv: Record<string, string>;
  /** --record-env: keep the --env values; otherwise each is written `<redacted>`. */
  recordEnv?: boolean;
  mode: 'capture' | 'interactive';
  width: number;
  height: number;
  /** LLDB's version when the caller knows it; otherwise the script's hello fills it in later. */
  lldbVersion?: string;
}

/** The header's lldb_version until the script's hello event says it (RecordingTransport.setLldbVersion). */
export const LLDB_VERSION_PENDING = 'unknown';

export function lldbVersionOf(lldbPath: string): string {
  const result = spawnSync(lldbPath, ['--version'], { encoding: 'utf8', timeout: 10000 });
  return (result.stdout ?? '').split('\n')[0].trim() || 'unknown';
}

export function recordingHeader(input: HeaderInput): AsciicastHeader {
  const { spec } = input;
  return {
    version: 2,
    width: input.width,
    height: input.height,
    timestamp: Math.floor(Date.now() / 1000),
    command: [input.lldbPath, ...input.lldbArgs].join(' '),
    title: `debug-exit ${input.mode} ${path.basename(spec.program)}`,
    env: pick(process.env, ['TERM', 'SHELL']),
    debug_exit: {
      schema: DEBUG_EXIT_RECORDING_SCHEMA,
      tool_version: TOOL_VERSION,
      nonce: spec.nonce,
      channel: 'socket',
      prompt: input.prompt,
      lldb: input.lldbPath,
      lldb_version: input.lldbVersion ?? LLDB_VERSION_PENDING,
      target: { program: spec.program, args: spec.args },
      profile_file: spec.env.LLVM_PROFILE_FILE ?? null,
      options: {
        timeout_s: spec.timeout_s,
        census: input.census,
        aslr: spec.disable_aslr ? 'off' : 'on',
        experiment: spec.experiment,
        env: input.recordEnv === true ? input.userEnv : redacted(input.userEnv),
        mode: input.mode,
      },
    },
  };
}

export const REDACTED = '<redacted>';

/** The names of the --env variables, their values hidden: recordings are shared (CI artifacts). */
export function redacted(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((name) => [name, REDACTED]));
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): { TERM?: string; SHELL?: string } {
  const out: Record<string, string> = {};
  for (const key of keys) if (env[key] !== undefined) out[key] = env[key]!;
  return out;
}
