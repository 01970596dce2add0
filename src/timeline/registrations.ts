/**
 * atexit registrations, from atexit-register hits: which function was registered, when, and by
 * whom. glibc's `atexit` tail-calls `__cxa_atexit` (one registration, two hits): the script drops
 * that echo, so each hit here is one registration.
 */
import { EXIT_TIME_WRITER } from '../probes/catalogue';
import type { CensusEvent, DebugExitEvent, ExitHandlerEvent, Frame, ProbeHitEvent, RegisteredFunction } from './events';
import { baseSymbol, catalogueSymbols, isAtexitSymbol } from './symbols';

/** What a registered function is to debug-exit. */
export type RegistrationKind = 'profile-writer' | 'allocator-teardown' | 'other';

export interface AtexitRegistration {
  /** The atexit-register hit. */
  seq: number;
  /** The registration function: `atexit` or `__cxa_atexit`. */
  via: string;
  tid: number;
  /** The function registered; null when the script could not read it. */
  registered: RegisteredFunction | null;
  /** The first frame that is not the atexit machinery: who asked for the registration. */
  registeredBy: Frame | null;
  kind: RegistrationKind;
  /** --census (list): the entry's argument and __cxa_atexit's dso_handle (and its module). */
  arg?: string;
  dsoHandle?: string;
  dsoModule?: string;
}

/**
 * --census (list): the C library's list, read at exit(), is the registrations (who asked for each
 * is not in it: registeredBy is null; tid is the thread that called exit()). Otherwise the hits.
 */
export function deriveRegistrations(events: readonly DebugExitEvent[]): AtexitRegistration[] {
  const listed = events.filter((e): e is ExitHandlerEvent => e.kind === 'exit-handler');
  if (listed.length > 0) return fromList(events, listed);
  return events.filter((e): e is ProbeHitEvent => e.kind === 'hit' && e.role === 'atexit-register').map(toRegistration);
}

function fromList(events: readonly DebugExitEvent[], listed: ExitHandlerEvent[]): AtexitRegistration[] {
  const exitCall = events.find(
    (e): e is ProbeHitEvent => e.kind === 'hit' && e.role === 'process-exit' && e.seq < listed[0].seq,
  );
  // Each function and dso is described at its first entry; later entries name the address.
  const functions = new Map<string, RegisteredFunction>();
  const modules = new Map<string, string>();
  for (const entry of listed) {
    if (entry.registered !== undefined && !functions.has(entry.function))
      functions.set(entry.function, entry.registered);
    if (entry.dso_handle !== undefined && entry.dso_module !== undefined && !modules.has(entry.dso_handle))
      modules.set(entry.dso_handle, entry.dso_module);
  }
  return [...listed]
    .sort((a, b) => a.index - b.index)
    .map((entry) => {
      const known = functions.get(entry.function);
      const registered = known === undefined ? { address: entry.function, symbol: '?', module: '?' } : { ...known };
      const dsoModule = entry.dso_handle === undefined ? undefined : modules.get(entry.dso_handle);
      return {
        seq: entry.seq,
        via: entry.via,
        tid: exitCall?.tid ?? 0,
        registered,
        registeredBy: null,
        kind: registrationKind(registered),
        ...(entry.arg === undefined ? {} : { arg: entry.arg }),
        ...(entry.dso_handle === undefined ? {} : { dsoHandle: entry.dso_handle }),
        ...(dsoModule === undefined ? {} : { dsoModule }),
      };
    });
}

/** Which census ran: `list`, `stops`, or null (registrations probed before main only). */
export type CensusMode = 'list' | 'stops' | null;

export interface CensusInfo {
  mode: CensusMode;
  /** Why the list could not be used (the census fell back to stops, or read nothing). */
  note: string | null;
}

export function censusInfo(events: readonly DebugExitEvent[], census: boolean): CensusInfo {
  const said = events.filter((e): e is CensusEvent => e.kind === 'census');
  const fallback = said.find((e) => e.status === 'fallback');
  if (fallback)
    return {
      mode: 'stops',
      note: `fell back to a stop per registration: ${fallback.reason ?? 'the list cannot be read'}`,
    };
  const unreadable = said.find((e) => e.status === 'unreadable');
  if (unreadable)
    return {
      mode: 'list',
      note: `the exit handler list could not be read at exit(): ${unreadable.reason ?? ''}; registrations before main only`,
    };
  if (said.some((e) => e.status === 'read')) return { mode: 'list', note: null };
  return { mode: census ? 'stops' : null, note: null };
}

function toRegistration(hit: ProbeHitEvent): AtexitRegistration {
  const registered = hit.registered === undefined ? null : { ...hit.registered };
  return {
    seq: hit.seq,
    via: hit.symbol,
    tid: hit.tid,
    registered,
    registeredBy: hit.frames.find((frame) => !isAtexitSymbol(frame.symbol)) ?? null,
    kind: registrationKind(registered),
  };
}

export function registrationKind(registered: RegisteredFunction | null): RegistrationKind {
  if (registered === null) return 'other';
  const name = baseSymbol(registered.symbol);
  if (name === EXIT_TIME_WRITER) return 'profile-writer';
  if (catalogueSymbols('allocator-teardown').includes(name)) return 'allocator-teardown';
  return 'other';
}
