/**
 * The verdict engine's entry point. Every verdict is a pure function of the timeline and carries its
 * evidence (event seqs) and a reason a person can check against them. The vocabulary is in
 * verdict-types.ts, the verdicts themselves in the modules of verdict-registry.ts.
 */
import type { Timeline } from './timeline';
import { judgeAllocatorFirst } from './verdict-allocator-first';
import { attributeCrash } from './verdict-crash';
import { judgeEarlyWrite } from './verdict-early-write';
import { judgeExplicitWrites } from './verdict-explicit-writes';
import { judgeIntegrity } from './verdict-integrity';
import { judgeAll } from './verdict-registry';
import type { JudgeOptions, Verdicts } from './verdict-types';

export type * from './verdict-types';

/** Every verdict of the registry, each judged after the verdicts it needs. */
export function judgeTimeline(timeline: Timeline, options: JudgeOptions = {}): Verdicts {
  return judgeAll(timeline, options);
}

export { judgeAllocatorFirst, judgeExplicitWrites, attributeCrash, judgeEarlyWrite, judgeIntegrity };
