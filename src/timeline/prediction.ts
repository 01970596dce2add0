/**
 * What registration order predicts. atexit handlers run last-registered first, so the order in
 * which the profile writer and the allocator teardown were registered predicts their exit order.
 * A prediction only: the verdicts rest on what was observed running.
 */
import type { AtexitRegistration, RegistrationKind } from './registrations';
import type { Timeline } from './timeline';

export interface ExitOrderPrediction {
  basis: 'atexit-lifo';
  /** Registration seqs in predicted run order (the reverse of registration order). */
  order: number[];
  /** Which of the two handlers is predicted to run first; null when both were not seen registered. */
  first: Exclude<RegistrationKind, 'other'> | null;
  reason: string;
  evidence: number[];
}

const PREDICTION_NOTE = 'a prediction from registration order (atexit handlers run LIFO), not evidence';

export function predictExitOrder(timeline: Timeline): ExitOrderPrediction {
  const registrations = timeline.registrations;
  const order = [...registrations].reverse().map((r) => r.seq);
  const writer = registrations.find((r) => r.kind === 'profile-writer');
  const teardown = registrations.find((r) => r.kind === 'allocator-teardown');
  if (writer === undefined || teardown === undefined) {
    const seen = writer ?? teardown;
    const evidence = seen === undefined ? [] : [seen.seq];
    return { basis: 'atexit-lifo', order, first: null, reason: missingReason(timeline, seen), evidence };
  }
  const first = writer.seq > teardown.seq ? writer : teardown;
  const second = first === writer ? teardown : writer;
  const reason =
    `${nameOf(first)} (#${first.seq}) was registered after ${nameOf(second)} (#${second.seq}), ` +
    `so it is predicted to run first: ${PREDICTION_NOTE}`;
  const evidence = [teardown.seq, writer.seq].sort((a, b) => a - b);
  const firstKind = first === writer ? 'profile-writer' : 'allocator-teardown';
  return { basis: 'atexit-lifo', order, first: firstKind, reason, evidence };
}

function missingReason(timeline: Timeline, seen: AtexitRegistration | undefined): string {
  const scope = timeline.census ? 'of all atexit registrations' : 'of the atexit registrations before main';
  const absent =
    'the other handler was not seen registered (a destructor, a shared library finalized from ' +
    `__cxa_finalize, or registered after main${timeline.census ? '' : ': try --census'})`;
  if (seen === undefined) {
    const count = timeline.registrations.length;
    return `no prediction: neither the profile writer nor an allocator teardown is among the ${count} ${scope}`;
  }
  return `no prediction: only ${nameOf(seen)} (#${seen.seq}) was seen registered; ${absent}`;
}

export function nameOf(registration: AtexitRegistration): string {
  return registration.registered?.symbol ?? `(unknown function)`;
}
