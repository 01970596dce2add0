/**
 * The probe catalogue as data (docs/ARCHITECTURE.md, "Probes"). Adding a probe is adding a row.
 * The rows travel to lldb-scripts/debug_exit.py inside the session spec (see session/spec.ts).
 */
import type { ProbeMode } from '../contract/spec';
import type { ProbeRole } from '../timeline/events';

/** How often a probe reports (`every`, `once`, `once-per-write`, `until-main`): see src/contract/spec.ts. */
export type { ProbeMode } from '../contract/spec';

export type Platform = 'linux' | 'darwin';

export interface ProbeRow {
  role: ProbeRole;
  symbols: readonly string[];
  mode: ProbeMode;
  platforms: readonly Platform[];
  /** Read the function being registered from the generic arg1 register at the hit. */
  readsRegisteredFunction?: boolean;
}

const BOTH: readonly Platform[] = ['linux', 'darwin'];

export const PROBE_CATALOGUE: readonly ProbeRow[] = [
  { role: 'main', symbols: ['main'], mode: 'once', platforms: BOTH },
  { role: 'profile-register', symbols: ['__llvm_profile_register_write_file_atexit'], mode: 'every', platforms: BOTH },
  {
    role: 'allocator-init',
    symbols: ['mi_process_load', '_mi_process_init', '_mi_auto_process_init'],
    mode: 'once',
    platforms: BOTH,
  },
  {
    role: 'allocator-teardown',
    symbols: ['mi_process_done', 'mi_process_detach', '_mi_process_done', '_mi_auto_process_done'],
    mode: 'every',
    platforms: BOTH,
  },
  {
    role: 'allocator-release',
    symbols: [
      '_mi_heap_destroy_all',
      '_mi_heap_unsafe_destroy_all',
      '_mi_arena_unsafe_destroy_all',
      '_mi_segment_cache_free_all',
    ],
    mode: 'once',
    platforms: BOTH,
  },
  {
    role: 'profile-write',
    symbols: ['writeFileWithoutReturn', '__llvm_profile_write_file'],
    mode: 'every',
    platforms: BOTH,
  },
  {
    role: 'profile-write',
    symbols: ['lprofWriteDataImpl', 'writeOneValueProfData', 'initializeValueProfRuntimeRecord'],
    mode: 'once-per-write',
    platforms: BOTH,
  },
  { role: 'process-exit', symbols: ['exit', '_exit', '_Exit'], mode: 'every', platforms: BOTH },
  { role: 'process-exit', symbols: ['__cxa_finalize', '_dl_fini'], mode: 'every', platforms: ['linux'] },
  { role: 'process-exit', symbols: ['__cxa_finalize', '__cxa_finalize_ranges'], mode: 'every', platforms: ['darwin'] },
  {
    role: 'atexit-register',
    symbols: ['atexit', '__cxa_atexit'],
    mode: 'until-main',
    platforms: BOTH,
    readsRegisteredFunction: true,
  },
];

/** Symbols of the profile writer: a crash with one of these on the stack is a crash in the writer. */
export const PROFILE_WRITER_SYMBOLS: readonly string[] = [
  'writeFileWithoutReturn',
  '__llvm_profile_write_file',
  'lprofWriteData',
  'lprofWriteDataImpl',
  'writeValueProfData',
  'writeOneValueProfData',
  'initializeValueProfRuntimeRecord',
  'getValueProfDataSize',
  'serializeValueProfDataFrom',
];

/** The handler that `__llvm_profile_register_write_file_atexit` registers: the exit-time write. */
export const EXIT_TIME_WRITER = 'writeFileWithoutReturn';
export const EXPLICIT_WRITE = '__llvm_profile_write_file';

/** A probe the user adds (`--probe ROLE=SYMBOL`): another allocator's teardown, a custom writer... */
export interface ExtraProbe {
  role: ProbeRole;
  symbol: string;
}

/**
 * The catalogue's rows for `platform`, then the user's extra probes. Extra probes report every
 * hit (the user chose the symbol; its cost is theirs to judge); an extra atexit-register probe
 * reads the function registered, as the catalogue's do.
 */
export function probesFor(platform: Platform, census: boolean, extra: readonly ExtraProbe[] = []): ProbeRow[] {
  const rows = PROBE_CATALOGUE.filter((row) => row.platforms.includes(platform)).map((row) =>
    census && row.mode === 'until-main' ? { ...row, mode: 'every' as const } : row,
  );
  const added = extra.map(
    (probe): ProbeRow => ({
      role: probe.role,
      symbols: [probe.symbol],
      mode: 'every',
      platforms: [platform],
      readsRegisteredFunction: probe.role === 'atexit-register',
    }),
  );
  return [...rows, ...added];
}
