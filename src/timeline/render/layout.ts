/** Fitting text into columns for the text renderer. */

/** Greedy wrap of words to `width` columns, every line prefixed by `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  return wrapUnits(text.split(/\s+/), width, indent);
}

/** Greedy wrap of units that must not be split (`#61 writeFileWithoutReturn,`), joined by spaces. */
export function wrapUnits(units: readonly string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const unit of units.filter((u) => u !== '')) {
    if (line !== '' && indent.length + line.length + 1 + unit.length > width) {
      lines.push(indent + line);
      line = unit;
    } else line = line === '' ? unit : `${line} ${unit}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}
