/**
 * Terminal escape sequences removed, so LLDB's last output can be quoted in an error message.
 *
 *   stripAnsi('\x1b[1mProcess 42 exited\x1b[0m\x1b]0;lldb\x07') === 'Process 42 exited'
 *
 * An unterminated string sequence (a target printing `ESC ]` or `ESC _` and nothing after) loses
 * only its introducer: its text stays visible, because hiding the rest of the output is worse in an
 * error message than showing a few stray characters.
 */

/** OSC, DCS, SOS, PM and APC strings (`ESC ] ... BEL`, `ESC _ ... ESC \`): our event frames included. */
const STRING_SEQUENCE = /\x1b[\]PX^_][^\x1b\x07]*(?:\x07|\x1b\\)/;
/** CSI: `ESC [` (or the 8-bit `\x9b`), parameters, intermediates, one final byte, e.g. `ESC [ 2 K`. */
const CONTROL_SEQUENCE = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/;
/** Short escapes: `ESC 7`, `ESC ( B`, `ESC =`; also the introducer of an unterminated sequence. */
const SHORT_ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]/;
const LONE_ESCAPE = /\x1b/;

const ANY_ESCAPE = new RegExp(
  [STRING_SEQUENCE, CONTROL_SEQUENCE, SHORT_ESCAPE, LONE_ESCAPE].map((re) => re.source).join('|'),
  'g',
);

export function stripAnsi(text: string): string {
  return text.replace(ANY_ESCAPE, '');
}
