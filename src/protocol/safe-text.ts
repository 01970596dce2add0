/**
 * Text from the target (symbols, thread and module names, args, paths) made safe for a terminal:
 * every C0/C1 control character, DEL and the Unicode bidi controls are written as visible escapes
 * (`\x1b`, `\u202e`), so no OSC 52 clipboard write, title change or cursor query can reach a
 * terminal through a report. Newline and tab are escaped too: one value stays one line.
 *
 *   safeText('dx-\x1b]52;c;SGVsbG8=\x07') -> 'dx-\\x1b]52;c;SGVsbG8=\\x07'
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function hasUnsafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}
