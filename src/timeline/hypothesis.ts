/**
 * The hypotheses the diagnosis weighs and the shape of a finding on one. Each is weighed by the verdict
 * module that owns it (its `hypothesis`); diagnosis.ts draws the conclusion. Imports nothing.
 *
 *   allocator-cleanup-first       mimalloc tears down before the exit-time write, which then
 *                                 reads freed memory (the order is the cause)
 *   corrupt-profile-data          the profile data does not fit the record layout of the runtime
 *                                 that writes it (objects instrumented by two LLVM versions)
 *   writer-fails-before-teardown  the writer crashes even when called before any teardown (the
 *                                 original report's explicit early write): not a matter of order
 */
export type HypothesisId = 'allocator-cleanup-first' | 'corrupt-profile-data' | 'writer-fails-before-teardown';
export const HYPOTHESES: readonly HypothesisId[] = [
  'allocator-cleanup-first',
  'corrupt-profile-data',
  'writer-fails-before-teardown',
];

export type HypothesisStatus = 'supported' | 'ruled-out' | 'open' | 'not-tested';

export interface HypothesisFinding {
  id: HypothesisId;
  status: HypothesisStatus;
  reason: string;
  evidence: number[];
}

export function finding(
  id: HypothesisId,
  status: HypothesisStatus,
  reason: string,
  evidence: readonly number[],
): HypothesisFinding {
  return { id, status, reason, evidence: [...evidence] };
}
