/**
 * atexit registrations, from atexit-register hits: which function was registered, when, and by
 * whom. glibc's `atexit` tail-calls `__cxa_atexit` (one registration, two hits): the script drops
 * that echo, so each hit here is one registration.
 */
import { EXIT_TIME_WRITER } from '../probes/catalogue';
import type { DebugExitEvent, Frame, ProbeHitEvent, RegisteredFunction } from './events';
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
}

export function deriveRegistrations(events: readonly DebugExitEvent[]): AtexitRegistration[] {
  return events
    .filter((e): e is ProbeHitEvent => e.kind === 'hit' && e.role === 'atexit-register')
    .map(toRegistration);
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
