/**
 * The session spec: everything lldb-scripts/debug_exit.py needs, written to a JSON file in the
 * capture's temp folder and named on the LLDB command line (`dx-setup FILE`). Program paths,
 * arguments and environment travel in this file, never through LLDB's command parser, so nothing
 * in them can run as an LLDB command.
 */
import type { ProbeMode, ProbeRow } from '../probes/catalogue';
import type { ExperimentName, ProbeRole } from '../timeline/events';

/** --census (list, the default) or --census=stops. */
export type CensusMode = 'list' | 'stops';

export const SPEC_SCHEMA = 'debug-exit/spec@1';

export interface ProbeSpec {
  role: ProbeRole;
  symbols: string[];
  mode: ProbeMode;
  reads_registered_function: boolean;
}

export interface SessionSpec {
  schema: typeof SPEC_SCHEMA;
  /** Random per session; every frame the script emits carries it. */
  nonce: string;
  program: string;
  args: string[];
  /** Added to the inferior's environment (LLVM_PROFILE_FILE among them). */
  env: Record<string, string>;
  /** Capture mode sends the inferior's output to files instead of the pty. */
  stdout_path: string | null;
  stderr_path: string | null;
  /** dx-run kills the inferior after this many seconds and reports a timeout (null: never). */
  timeout_s: number | null;
  disable_aslr: boolean;
  /** An experiment dx-run makes in the target at each run (--experiment), or none. */
  experiment: ExperimentName | null;
  probes: ProbeSpec[];
  backtrace_depth: number;
  /** --census: `list` reads the C library's exit handler list at exit(); `stops` probes every call. */
  census?: CensusMode | null;
}

export function toProbeSpecs(rows: readonly ProbeRow[]): ProbeSpec[] {
  return rows.map((row) => ({
    role: row.role,
    symbols: [...row.symbols],
    mode: row.mode,
    reads_registered_function: row.readsRegisteredFunction === true,
  }));
}
