/**
 * Symbol knowledge the timeline and the verdicts share: which frames belong to the profile writer,
 * which are the atexit machinery, and the catalogue's symbols per role.
 */
import { PROBE_CATALOGUE, PROFILE_WRITER_SYMBOLS } from '../probes/catalogue';
import type { Frame, ProbeRole } from './events';

/** The registration functions themselves (glibc's `atexit` tail-calls `__cxa_atexit`). */
const ATEXIT_SYMBOLS = new Set(['atexit', '__cxa_atexit', '__new_exitfn']);

/** The writer's, and the value profiler's run-time functions (a foreign record crashes them mid-run). */
const WRITER_SYMBOLS = new Set([
  ...PROFILE_WRITER_SYMBOLS,
  'instrumentTargetValueImpl',
  'allocateValueProfileCounters',
  'allocateOneNode',
]);

/**
 * One function under the names LLDB gives it: `foo(int)`, `foo.cold.1`, `foo.part.0`, `foo + 99`
 * -> `foo`, and glibc's internal aliases `__GI_exit`, `__GI___cxa_atexit` -> `exit`, `__cxa_atexit`.
 */
export function baseSymbol(symbol: string): string {
  return symbol
    .replace(/\s*\+\s*\d+$/, '')
    .replace(/\(.*$/, '')
    .replace(/\.(cold|part|isra|constprop|llvm)\b.*$/, '')
    .replace(/^__GI_/, '')
    .trim();
}

export function isAtexitSymbol(symbol: string): boolean {
  return ATEXIT_SYMBOLS.has(baseSymbol(symbol));
}

/** The compiler-rt profile writer: its known functions, and anything named `__llvm_profile*` / `lprof*`. */
export function isProfileWriterSymbol(symbol: string): boolean {
  const name = baseSymbol(symbol);
  return WRITER_SYMBOLS.has(name) || name.startsWith('__llvm_profile') || name.startsWith('lprof');
}

/** The innermost (closest to the crash) frame that belongs to the profile writer. */
export function innermostWriterFrame(frames: readonly Frame[]): Frame | undefined {
  return frames.find((frame) => isProfileWriterSymbol(frame.symbol));
}

export function framesInclude(frames: readonly Frame[], ...symbols: string[]): boolean {
  return frames.some((frame) => symbols.includes(baseSymbol(frame.symbol)));
}

/** The frame that called the probed function: frame 0 is the probed function itself. */
export function callerFrame(hit: { symbol: string; pc: string; frames: readonly Frame[] }): Frame | undefined {
  const [first, ...rest] = hit.frames;
  if (first === undefined) return undefined;
  const isProbed = first.pc === hit.pc || baseSymbol(first.symbol) === hit.symbol;
  return isProbed ? rest[0] : first;
}

/** The catalogue's symbols for a role, each once, in catalogue order. */
export function catalogueSymbols(role: ProbeRole): string[] {
  const symbols = PROBE_CATALOGUE.filter((row) => row.role === role).flatMap((row) => row.symbols);
  return [...new Set(symbols)];
}

/** `module`symbol` as LLDB writes a location, or just the symbol when the module is unknown. */
export function frameLabel(frame: Frame): string {
  const module = frame.module.split('/').pop() ?? '';
  return module === '' || module === '?' ? frame.symbol : `${module}\`${frame.symbol}`;
}
