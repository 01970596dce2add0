/** Short progress lines on stderr while a capture runs (silenced by --quiet or a non-TTY in CI). */
import { safeText } from '../protocol/safe-text';
import type { Token } from '../protocol/tokens';

const PHASES: Record<string, string> = {
  starting: 'starting LLDB',
  importing: 'loading the probe script',
  settingUp: 'installing probes',
  running: 'running the program',
  quitting: 'closing LLDB',
};

export interface Progress {
  phase(name: string): void;
  token(token: Token): void;
  done(): void;
}

export function progressOn(stream: NodeJS.WritableStream, label: string, enabled: boolean): Progress {
  let hits = 0;
  let last = '';
  // The label (the program's path) and the script's messages can hold what the target named.
  const say = (text: string) => enabled && stream.write(`debug-exit: ${safeText(label)}: ${safeText(text)}\n`);
  return {
    phase(name) {
      if (name === last || !PHASES[name]) return;
      last = name;
      say(PHASES[name]);
    },
    token(token) {
      if (token.type !== 'event') return;
      const event = token.event;
      if (event.kind === 'hit') hits++;
      if (event.kind === 'signal') say(`the program stopped on ${event.signal}`);
      if (event.kind === 'error') say(`${event.code}: ${event.message}`);
    },
    done() {
      say(`${hits} probe hits`);
    },
  };
}
