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
  mode: 'capture' | 'interactive';
  width: number;
  height: number;
}

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
      prompt: input.prompt,
      lldb: input.lldbPath,
      lldb_version: lldbVersionOf(input.lldbPath),
      target: { program: spec.program, args: spec.args },
      profile_file: spec.env.LLVM_PROFILE_FILE ?? null,
      options: {
        timeout_s: spec.timeout_s,
        census: input.census,
        aslr: spec.disable_aslr ? 'off' : 'on',
        experiment: spec.experiment,
        env: input.userEnv,
        mode: input.mode,
      },
    },
  };
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): { TERM?: string; SHELL?: string } {
  const out: Record<string, string> = {};
  for (const key of keys) if (env[key] !== undefined) out[key] = env[key]!;
  return out;
}

/** recordings/<program>-<UTC time>.cast, relative to the working directory. */
export function defaultRecordingPath(program: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join('recordings', `${path.basename(program)}-${stamp}.cast`);
}
