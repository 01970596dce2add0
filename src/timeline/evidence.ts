/** Evidence: the event seqs a verdict rests on, each once, ascending. */
export type SeqSource = number | undefined | null | readonly number[];

export function evidenceOf(...sources: SeqSource[]): number[] {
  const seqs = sources.flatMap((source) => (source === undefined || source === null ? [] : source));
  return [...new Set(seqs)].sort((a, b) => a - b);
}

/** How reasons cite an event: `#12`. */
export function ref(seq: number): string {
  return `#${seq}`;
}
