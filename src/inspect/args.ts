/**
 * `debug-exit inspect [--format text|json] [--arch ARCH] PROGRAM...`: parsing, pure. Files are
 * checked by the command before any is read (usage errors, exit 2).
 */
import { usageError } from '../session/failure';
import { MACHO_ARCHS } from './macho';

export interface InspectArgs {
  command: 'inspect';
  format: 'text' | 'json';
  /** The slice of universal binaries to read, or null for every slice. */
  arch: string | null;
  programs: string[];
}

const HINT = 'debug-exit inspect [--format text|json] [--arch ARCH] PROGRAM... (programs, .o files, .a/.rlib archives)';

export function parseInspectArgs(argv: readonly string[]): InspectArgs {
  const args: InspectArgs = { command: 'inspect', format: 'text', arch: null, programs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      args.programs.push(...argv.slice(i + 1));
      break;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw usageError(`inspect: ${flag} needs a value`, HINT);
      return v;
    };
    if (flag === '--format') {
      const format = value();
      if (format !== 'text' && format !== 'json') throw usageError(`inspect: --format must be text or json, not "${format}"`, HINT);
      args.format = format;
    } else if (flag === '--arch') {
      const arch = value();
      if (!(MACHO_ARCHS as readonly string[]).includes(arch)) throw usageError(`inspect: unknown --arch "${arch}"; one of ${MACHO_ARCHS.join(', ')}`, HINT);
      args.arch = arch;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw usageError(`inspect: unknown option ${arg}`, HINT);
    } else {
      args.programs.push(arg);
    }
  }
  if (args.programs.length === 0) throw usageError('inspect: no program given', HINT);
  if (args.programs.includes('')) throw usageError('inspect: a program is an empty string', HINT);
  return args;
}
