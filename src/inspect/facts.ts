/** What gather.ts reads from one image (a program, a slice, an object, an archive member). */
import type { CompileUnit } from './dwarf';
import type { DebugMapEntry, ImageFormat, ImageKind } from './image';
import type { ProfileNames } from './prf-names';
import type { LayoutRun, RawVersion } from './prf-records';

export interface RuntimeFacts {
  /** The layout the linked-in profile runtime writes, or null when none is linked in. */
  version: RawVersion | null;
  /** How that was decided (the runtime's symbols and the variable), like dx/integrity.py's version_source. */
  source: string;
}

export interface RawVersionSymbol {
  value: bigint;
  /** The section that holds the copy that won. */
  section: string;
}

export interface ImageFacts {
  path: string;
  /** Archive member name, or null. */
  member: string | null;
  format: ImageFormat;
  kind: ImageKind;
  arch: string;
  /** __llvm_prf_data bytes, or null when there is no such section. */
  dataSize: number | null;
  runs: LayoutRun[];
  names: ProfileNames | null;
  /** Why the names (or other profile sections) could not be read. */
  problems: string[];
  rawVersionSymbol: RawVersionSymbol | null;
  runtime: RuntimeFacts | null;
  units: CompileUnit[];
  /** Where the compile units came from ("DWARF in the file", "the debug map's object files") or why none. */
  debugInfo: string;
  debugMap: DebugMapEntry[];
}

export const VERSION_MASK = 0xffffffffn;

export function rawVersionOf(symbol: RawVersionSymbol | null): number | null {
  return symbol === null ? null : Number(symbol.value & VERSION_MASK);
}
