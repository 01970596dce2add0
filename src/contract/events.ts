/**
 * The event model: what the lldb-scripts report, one object per framed event. Schema
 * `debug-exit/event@1`, written out in schema/event.schema.json (test/unit/contract.test.ts keeps the
 * two equal). Everything downstream (timeline, verdicts, renderers) reads only these types.
 */
import { EVENT_SCHEMA } from './ids';

export { EVENT_SCHEMA };

/** Every probe role, in the order a run meets them. */
export const PROBE_ROLES = [
  'main',
  'profile-register',
  'allocator-init',
  'allocator-teardown',
  'allocator-release',
  'profile-write',
  'process-exit',
  'atexit-register',
] as const;

export type ProbeRole = (typeof PROBE_ROLES)[number];

export interface Frame {
  /** Function name as LLDB symbolizes it; `?` when unknown. */
  symbol: string;
  module: string;
  file?: string;
  line?: number;
  pc: string;
}

/** The function an atexit / __cxa_atexit call registered, read from the generic arg1 register. */
export interface RegisteredFunction {
  address: string;
  symbol: string;
  module: string;
}

interface EventBase {
  seq: number;
  /** Monotonic nanoseconds inside LLDB. */
  t_ns: number;
}

/** The script is loaded and speaks this schema. */
export interface HelloEvent extends EventBase {
  kind: 'hello';
  schema: string;
  lldb_version: string;
  platform: string;
}

/** A probe was installed: `locations` 0 means it did not resolve (yet: libraries may load later). */
export interface ProbeResolvedEvent extends EventBase {
  kind: 'probe-resolved';
  role: ProbeRole;
  symbol: string;
  locations: number;
  modules: string[];
}

export interface ProbeHitEvent extends EventBase {
  kind: 'hit';
  role: ProbeRole;
  symbol: string;
  module: string;
  tid: number;
  thread_name?: string;
  pc: string;
  frames: Frame[];
  /** For registrations (atexit, __cxa_atexit): the function registered. */
  registered?: RegisteredFunction;
}

/** dx-run started the process: its pid, so the tool can kill it if LLDB itself dies. */
export interface LaunchedEvent extends EventBase {
  kind: 'launched';
  pid: number;
}

/**
 * The profile data checked against the record layout of the runtime that will write it, at the
 * first profile write (lldb-scripts/dx/integrity.py).
 */
export interface IntegrityEvent extends EventBase {
  kind: 'integrity';
  status: 'consistent' | 'corrupt' | 'unknown';
  reason: string;
  runtime_version?: number | null;
  record_size?: number | null;
  module?: string | null;
  /** Records in the data section; fractional when its size is not a whole number of records. */
  records?: number | null;
  first_bad?: {
    index: number | null;
    address: string;
    field: string;
    value: unknown;
    expected: string;
    problems?: string[];
  } | null;
  writer_would_see?: Record<string, unknown> | null;
  /** How the runtime's raw profile version was found (symbols, the version variable in memory). */
  version_source?: string | null;
  /** The profile sections of the module, by role (`data`, `counters`, ...); null when not found. */
  sections?: Record<string, { address: string; size: number } | null> | null;
  /** Where the writer would fault reading the corrupt data (the record and the load). */
  writer_fault?: { index: number; address: string; fault_address: string; load: string } | null;
  /** The data section walked with every known layout: which runs of records each explains. */
  layout_runs?: Array<{ raw_versions: number[]; offset: number; records: number; record_size: number }>;
}

/** An experiment debug-exit ran inside the target (`--experiment`); one event per run. */
export type ExperimentName = 'early-write';

/**
 * `early-write`: stopped at the first `exit` call, before any exit handler ran, the script called
 * `__llvm_profile_write_file()` in the target. `returned`: the call came back (`return_value` 0:
 * written); `crashed`: it stopped on `signal` (the frames are the crashing thread's, at the
 * crash; the thread was then unwound and the exit went on); `timeout`: it did not come back in
 * time; `failed`: LLDB could not evaluate it (no profile runtime, for one). For the other statuses
 * the frames are those of the thread the call was made from.
 */
export interface ExperimentEvent extends EventBase {
  kind: 'experiment';
  name: ExperimentName;
  at?: string;
  status: 'returned' | 'crashed' | 'timeout' | 'failed';
  return_value?: number | null;
  message?: string | null;
  signal?: string | null;
  fault_address?: string | null;
  description?: string | null;
  tid?: number;
  thread_name?: string;
  pc?: string;
  frames?: Frame[];
}

/** The process stopped on a signal (a crash, or an interrupt). */
export interface SignalEvent extends EventBase {
  kind: 'signal';
  signal: string;
  description: string;
  fault_address?: string;
  tid: number;
  thread_name?: string;
  pc: string;
  frames: Frame[];
}

/** The process is gone: `status` is its exit status, or -1 with `signal` set when a signal ended it. */
export interface ExitEvent extends EventBase {
  kind: 'exit';
  status: number;
  signal?: number;
  description?: string;
}

/**
 * Something the script could not do. `timeout`: the inferior outlived --timeout and was killed;
 * `launch-failed`: the process never started; `target-failed`: LLDB could not load the program;
 * `script`: an exception inside the script (its message says where).
 */
export type ErrorCode = 'timeout' | 'launch-failed' | 'target-failed' | 'script';

export interface ErrorEvent extends EventBase {
  kind: 'error';
  code: ErrorCode;
  message: string;
}

/**
 * --census (list): one registered exit handler, read from the C library's own list at the first
 * exit() call; `index` is its place in registration order.
 */
export interface ExitHandlerEvent extends EventBase {
  kind: 'exit-handler';
  index: number;
  /** The registration function the entry's flavor stands for: atexit, __cxa_atexit, on_exit. */
  via: string;
  flavor: string;
  /** The function's address; `registered` describes it at its first entry only (10,000 handlers are a few functions). */
  function: string;
  registered?: RegisteredFunction;
  arg?: string;
  /** __cxa_atexit's dso_handle; `dso_module`, the module it lies in, at its first entry only. */
  dso_handle?: string;
  dso_module?: string;
}

/** How the census ran: the list read (`read`), unreadable at exit(), or a fallback to stops at main. */
export interface CensusEvent extends EventBase {
  kind: 'census';
  mode: 'list' | 'stops';
  status: 'read' | 'unreadable' | 'fallback';
  reason?: string;
  library?: string;
  count?: number;
}

export type DebugExitEvent =
  | HelloEvent
  | ProbeResolvedEvent
  | ProbeHitEvent
  | LaunchedEvent
  | IntegrityEvent
  | ExperimentEvent
  | SignalEvent
  | ExitEvent
  | ExitHandlerEvent
  | CensusEvent
  | ErrorEvent;

export type EventKind = DebugExitEvent['kind'];

/**
 * Session control, not part of the timeline: a dx- command finished (seq 0). The session machine
 * waits for it instead of a prompt in LLDB's output, which the target could print.
 */
export interface DoneEvent extends EventBase {
  kind: 'done';
  command: string;
}

/** What a frame of the channel carries: a timeline event, or session control. */
export type ChannelEvent = DebugExitEvent | DoneEvent;
