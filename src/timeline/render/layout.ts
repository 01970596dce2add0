/** Fitting text into columns for the text renderer. */

/** Greedy wrap of words to `width` columns: the first line prefixed by `indent`, the rest by `hanging`. */
export function wrap(text: string, width: number, indent: string, hanging = indent): string[] {
  return wrapUnits(text.split(/\s+/), width, indent, hanging);
}

/** Greedy wrap of units that must not be split (`#61 writeFileWithoutReturn,`), joined by spaces. */
export function wrapUnits(units: readonly string[], width: number, indent: string, hanging = indent): string[] {
  const lines: string[] = [];
  let line = '';
  const prefix = (): string => (lines.length === 0 ? indent : hanging);
  for (const unit of units.filter((u) => u !== '')) {
    if (line !== '' && prefix().length + line.length + 1 + unit.length > width) {
      lines.push(prefix() + line);
      line = unit;
    } else line = line === '' ? unit : `${line} ${unit}`;
  }
  if (line !== '') lines.push(prefix() + line);
  return lines;
}
