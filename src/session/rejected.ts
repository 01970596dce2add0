/**
 * The "rejected frames" line: frames that did not come from the script's channel, or failed its
 * checks there, with what they claimed. Evidence that the program tried to forge events; they
 * never reach the timeline.
 *
 *   rejected frames: 4, none of them in the timeline: 4 in LLDB's terminal output (claimed hit, signal, exit, done)
 */
import { safeText } from '../protocol/safe-text';
import type { RejectedFrame } from './session-log';

export function rejectedFramesLine(count: number, frames: readonly RejectedFrame[]): string | null {
  if (count === 0) return null;
  const terminal = frames.filter((f) => f.source === 'terminal');
  const channel = frames.filter((f) => f.source === 'channel');
  const parts: string[] = [];
  if (terminal.length > 0)
    parts.push(
      `${terminal.length} in LLDB's terminal output, not on the script's channel (claimed ${claims(terminal)})`,
    );
  if (channel.length > 0)
    parts.push(
      `${channel.length} on the channel: ${channel
        .slice(0, 5)
        .map((f) => `${f.claimed === null ? 'frame' : safeText(f.claimed)}: ${safeText(f.reason)}`)
        .join('; ')}`,
    );
  const more = count > frames.length ? `; ${count - frames.length} more` : '';
  return `rejected frames: ${count}, none of them in the timeline: ${parts.join('; ')}${more}`;
}

function claims(frames: readonly RejectedFrame[]): string {
  const kinds = frames.map((f) => (f.claimed === null ? '?' : safeText(f.claimed)));
  const shown = kinds.slice(0, 12).join(', ');
  return kinds.length > 12 ? `${shown}, ...` : shown;
}
