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

/** As safeText, but a newline stays a newline: for text of ours that embeds names (verdict reasons). */
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, (ch) => safeText(ch));
}

/**
 * A copy of `value` with every string made safe (`escape` for each): objects referenced twice stay
 * one object (identity within the copy is kept). Iterative over objects, so any depth is fine.
 */
export function safeDeep<T>(value: T, escapeText: (text: string) => string = safeText): T {
  const copies = new Map<object, unknown>();
  const copyOf = (item: unknown): unknown => {
    if (typeof item === 'string') return escapeText(item);
    if (typeof item !== 'object' || item === null) return item;
    const known = copies.get(item);
    if (known !== undefined) return known;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(item) ? [] : {};
    copies.set(item, copy);
    pending.push([item, copy]);
    return copy;
  };
  const pending: Array<[object, Record<string, unknown> | unknown[]]> = [];
  const root = copyOf(value);
  while (pending.length > 0) {
    const [source, copy] = pending.pop()!;
    if (Array.isArray(source)) (source as unknown[]).forEach((child, i) => ((copy as unknown[])[i] = copyOf(child)));
    else for (const [key, child] of Object.entries(source)) (copy as Record<string, unknown>)[key] = copyOf(child);
  }
  return root as T;
}
