/**
 * Every verdict, in the order the reports show them. A new verdict is one module (see VerdictModule in
 * verdict-types.ts) and one line here; `judgeTimeline` judges them in the order of their `needs`.
 */
import { allocatorFirstVerdict } from './verdict-allocator-first';
import { crashVerdict } from './verdict-crash';
import { earlyWriteVerdict } from './verdict-early-write';
import { explicitWritesVerdict } from './verdict-explicit-writes';
import { integrityVerdict } from './verdict-integrity';
import { profileOutputVerdict } from './verdict-profile-output';
import type { JudgeOptions, Verdict, VerdictModule, Verdicts } from './verdict-types';
import type { Timeline } from './timeline';

export const VERDICTS: readonly VerdictModule[] = [
  allocatorFirstVerdict,
  explicitWritesVerdict,
  crashVerdict,
  integrityVerdict,
  earlyWriteVerdict,
  profileOutputVerdict,
];

/**
 * The modules in an order where each comes after the verdicts it needs (a topological sort that keeps
 * the registry's order where the needs allow). Throws on a need no module provides, and on a cycle.
 */
export function judgingOrder(modules: readonly VerdictModule[]): VerdictModule[] {
  const keys = new Set(modules.map((m) => m.key));
  for (const m of modules) {
    const missing = m.needs.filter((need) => !keys.has(need));
    if (missing.length > 0)
      throw new Error(`verdict ${m.name} needs ${missing.join(', ')}, which no verdict module provides`);
  }
  const order: VerdictModule[] = [];
  const done = new Set<string>();
  while (order.length < modules.length) {
    const next = modules.find((m) => !done.has(m.key) && m.needs.every((need) => done.has(need)));
    if (next === undefined) {
      const stuck = modules.filter((m) => !done.has(m.key)).map((m) => m.name);
      throw new Error(`verdict modules need each other in a cycle: ${stuck.join(', ')}`);
    }
    order.push(next);
    done.add(next.key);
  }
  return order;
}

const JUDGING_ORDER = judgingOrder(VERDICTS);

/** Every verdict of the registry on one timeline, each judged after the verdicts it needs. */
export function judgeAll(
  timeline: Timeline,
  options: JudgeOptions = {},
  modules: readonly VerdictModule[] = VERDICTS,
): Verdicts {
  const judged: Partial<Record<keyof Verdicts, Verdict<string, string>>> = {};
  const order = modules === VERDICTS ? JUDGING_ORDER : judgingOrder(modules);
  for (const m of order) judged[m.key] = m.judge(timeline, judged as Verdicts, options);
  return Object.fromEntries(modules.map((m) => [m.key, judged[m.key]])) as unknown as Verdicts;
}

/** `CONFIRMED`, or `INCONCLUSIVE (timeout)` with the module's qualifier: how the text report shows a result. */
export function resultText(m: VerdictModule, verdicts: Verdicts): string {
  const q = m.qualifier?.(verdicts[m.key]) ?? null;
  return `${verdicts[m.key].result.toUpperCase()}${q === null ? '' : ` (${q})`}`;
}

/** `inconclusive (timeout)`: a result with its qualifier, as the trace metadata shows it. */
export function resultLine(m: VerdictModule, verdicts: Verdicts): string {
  const q = m.qualifier?.(verdicts[m.key]) ?? null;
  return q === null ? verdicts[m.key].result : `${verdicts[m.key].result} (${q})`;
}
