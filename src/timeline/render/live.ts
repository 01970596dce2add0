/** One short line per probe hit, for the interactive session: role, symbol, thread. Pure. */
import type { DebugExitEvent } from '../events';
import { symbolOf } from './describe';

export function liveLine(event: DebugExitEvent): string {
  if (event.kind !== 'hit') return '';
  const thread = event.thread_name ? `${event.tid} ${event.thread_name}` : String(event.tid);
  return `[debug-exit] #${event.seq} ${event.role} ${symbolOf(event)} (thread ${thread})`;
}
