/**
 * Probe resolution: whether each (role, symbol) probe has locations. A probe that resolves to no
 * location is evidence too (docs/ARCHITECTURE.md, "Probes"): it can make a verdict inconclusive.
 */
import type { DebugExitEvent, ProbeResolvedEvent, ProbeRole } from './events';

export interface ProbeResolution {
  role: ProbeRole;
  symbol: string;
  locations: number;
  modules: string[];
  /** The probe-resolved event this resolution comes from (the last one for the probe). */
  seq: number;
}

/** Final resolution per (role, symbol): a later event (a library loaded later) supersedes an earlier one. */
export function finalResolutions(events: readonly DebugExitEvent[]): ProbeResolution[] {
  const byProbe = new Map<string, ProbeResolution>();
  for (const event of events) {
    if (event.kind !== 'probe-resolved') continue;
    const key = `${event.role}\u0000${event.symbol}`;
    // Map.set on a known key keeps its place: probes stay in the order they were first reported.
    byProbe.set(key, toResolution(event));
  }
  return [...byProbe.values()];
}

function toResolution(event: ProbeResolvedEvent): ProbeResolution {
  return {
    role: event.role,
    symbol: event.symbol,
    locations: event.locations,
    modules: [...event.modules],
    seq: event.seq,
  };
}

export function isResolved(resolution: ProbeResolution): boolean {
  return resolution.locations > 0;
}
