/**
 * The session spec `debug-exit/spec@1`: the JSON file the tool writes for lldb-scripts/debug_exit.py
 * (`dx-setup FILE`), written out in schema/spec.schema.json and mirrored for the script in
 * lldb-scripts/dx/contract.py (test/unit/contract.test.ts keeps the three equal).
 */
import type { ExperimentName, ProbeRole } from './events';
import { SPEC_SCHEMA } from './ids';

export { SPEC_SCHEMA };

/**
 * How often a probe reports, which is what bounds the cost of a capture (each hit is a stop):
 * - `every`: every hit (the symbol itself runs a bounded number of times: exit, mi_process_done);
 * - `once`: the first hit, then the breakpoint is disabled;
 * - `once-per-write`: the first hit after each `__llvm_profile_write_file` entry (hot writer internals);
 * - `until-main`: every hit until `main` is entered, then disabled (pre-main atexit registrations,
 *   which is where runtimes register their handlers); with `--census` these report every hit.
 */
export const PROBE_MODES = ['every', 'once', 'once-per-write', 'until-main'] as const;
export type ProbeMode = (typeof PROBE_MODES)[number];

/** --census (list, the default) or --census=stops. */
export const CENSUS_MODES = ['list', 'stops'] as const;
export type CensusMode = (typeof CENSUS_MODES)[number];

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

/** The deepest backtrace the script accepts in `backtrace_depth`. */
export const MAX_BACKTRACE_DEPTH = 256;
