/**
 * Which raw profile version a compiler writes, from its DW_AT_producer (docs/ARCHITECTURE.md, "macOS"):
 *   upstream LLVM 14-17: 8, 18: 9, 19+: 10     ("Debian clang version 14.0.6", "clang version 19.1.0")
 *   Apple clang 14-16.x: 8, 17+: 10            ("Apple clang version 16.0.0 (clang-1600.0.26.6)")
 *   rustc 1.60-1.77 (LLVM 14-17): 8, 1.78-1.81 (LLVM 18): 9, 1.82+ (LLVM 19+): 10
 *                                              ("clang LLVM (rustc version 1.95.0 (59807616e 2026-04-14))")
 * Older compilers wrote raw versions before 8, whose records inspect does not parse.
 */
import type { RawVersion } from './prf-records';

export interface Compiler {
  /** Short name for sentences: "clang 14", "Apple clang 16.0", "rustc 1.95.0". */
  label: string;
  /** The raw profile version it writes, or null when unknown (not LLVM, or older than 8). */
  rawVersion: RawVersion | null;
}

const RUSTC = /rustc version (\d+)\.(\d+)(?:\.(\d+))?/;
const APPLE = /Apple (?:LLVM|clang) version (\d+)\.(\d+)/;
const CLANG = /clang version (\d+)\.(\d+)/;

export function compilerOf(producer: string): Compiler | null {
  const rust = RUSTC.exec(producer);
  if (rust !== null) {
    const minor = Number(rust[2]);
    const rawVersion = Number(rust[1]) !== 1 ? 10 : minor >= 82 ? 10 : minor >= 78 ? 9 : minor >= 60 ? 8 : null;
    return { label: `rustc ${rust[1]}.${rust[2]}${rust[3] === undefined ? '' : `.${rust[3]}`}`, rawVersion };
  }
  const apple = APPLE.exec(producer);
  if (apple !== null) {
    const major = Number(apple[1]);
    return { label: `Apple clang ${apple[1]}.${apple[2]}`, rawVersion: major >= 17 ? 10 : major >= 14 ? 8 : null };
  }
  const clang = CLANG.exec(producer);
  if (clang !== null) {
    const major = Number(clang[1]);
    return { label: `clang ${major}`, rawVersion: major >= 19 ? 10 : major === 18 ? 9 : major >= 14 ? 8 : null };
  }
  return null;
}

/** The compilers that write `version`, for the fix sentence. */
export function compilersWriting(version: RawVersion): string {
  if (version === 10) return 'LLVM 19 or newer (Apple clang 17+, rustc 1.82+)';
  if (version === 9) return 'LLVM 18 (rustc 1.78-1.81)';
  return 'LLVM 14-17 (Apple clang 14-16.x, rustc 1.60-1.77)';
}
