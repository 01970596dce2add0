/**
 * Hand-made timelines for tests and examples: each call appends one event with the next seq and
 * returns that seq, so a test can name the evidence it expects.
 *
 *   const s = new Scenario();
 *   s.resolveRoles(['profile-write', 'allocator-teardown']);
 *   const done = s.hit('allocator-teardown', 'mi_process_done', { callers: ['__run_exit_handlers'] });
 *   const write = s.hit('profile-write', 'writeFileWithoutReturn');
 *   s.exit(0);
 *   const timeline = s.build();
 */
import { probesFor } from '../probes/catalogue';
import { PROBE_ROLES, type DebugExitEvent, type ErrorCode, type Frame, type ProbeRole } from './events';
import type { SessionOutcome } from './outcome';
import { buildTimeline, type Timeline, type TimelineInput } from './timeline';

export interface HitOptions {
  /** The callers, innermost first; default `['main']`. */
  callers?: string[];
  registered?: string;
  tid?: number;
  /** The name LLDB gives the probed function's own frame when it differs (`__GI___cxa_atexit`). */
  frameSymbol?: string;
  /** The probed function's module (its callers are in the program); default the program. */
  module?: string;
  threadName?: string;
}

/** Every probe role of the catalogue. */
export const ALL_ROLES: readonly ProbeRole[] = PROBE_ROLES;

/** The roles of a program built without mimalloc. */
export const NO_ALLOCATOR_ROLES: readonly ProbeRole[] = ALL_ROLES.filter((role) => !role.startsWith('allocator-'));

/** Modules are file names, as the script reports them. */
const MODULE = 'app';
const T0_NS = 5_000_000_000;
const STEP_NS = 250_000;

export class Scenario {
  private readonly events: DebugExitEvent[] = [];

  constructor(private readonly tid = 4242) {}

  private next(): { seq: number; t_ns: number } {
    const seq = this.events.length + 1;
    return { seq, t_ns: T0_NS + (seq - 1) * STEP_NS };
  }

  private push(event: DebugExitEvent): number {
    this.events.push(event);
    return event.seq;
  }

  hello(): number {
    const hello = { schema: 'debug-exit/event@1', lldb_version: 'lldb-19.1.7', platform: 'linux' };
    return this.push({ ...this.next(), kind: 'hello', ...hello });
  }

  resolved(role: ProbeRole, symbol: string, locations = 1): number {
    const modules = locations > 0 ? [MODULE] : [];
    return this.push({ ...this.next(), kind: 'probe-resolved', role, symbol, locations, modules });
  }

  unresolved(role: ProbeRole, symbol: string): number {
    return this.resolved(role, symbol, 0);
  }

  /** A resolution for every catalogue symbol of these roles (Linux rows). */
  resolveRoles(roles: readonly ProbeRole[], locations = 1): number[] {
    const rows = probesFor('linux', false).filter((row) => roles.includes(row.role));
    return rows.flatMap((row) => row.symbols.map((symbol) => this.resolved(row.role, symbol, locations)));
  }

  hit(role: ProbeRole, symbol: string, options: HitOptions = {}): number {
    const at = this.next();
    const module = options.module ?? MODULE;
    const frames = stack(options.frameSymbol ?? symbol, options.callers ?? ['main'], at.seq, module);
    const named = options.threadName === undefined ? {} : { thread_name: options.threadName };
    const fn = options.registered;
    const registered = fn === undefined ? {} : { registered: { address: address(fn), symbol: fn, module: MODULE } };
    const tid = options.tid ?? this.tid;
    const where = { module, tid, ...named, pc: pc(at.seq, 0), frames };
    return this.push({ ...at, kind: 'hit', role, symbol, ...where, ...registered });
  }

  /** A crash: `frames` innermost first. */
  signal(signal: string, frames: string[], description = 'invalid address'): number {
    const at = this.next();
    const [first = '?', ...callers] = frames;
    const where = { tid: this.tid, pc: pc(at.seq, 0), frames: stack(first, callers, at.seq) };
    return this.push({ ...at, kind: 'signal', signal, description, ...where });
  }

  integrity(status: 'consistent' | 'corrupt' | 'unknown', reason = `profile data ${status}`): number {
    return this.push({ ...this.next(), kind: 'integrity', status, reason });
  }

  /** The early-write experiment's result: `crashed` with `frames` innermost first, else returned/failed. */
  earlyWrite(
    status: 'returned' | 'crashed' | 'timeout' | 'failed',
    options: { returnValue?: number; frames?: string[]; fault?: string } = {},
  ): number {
    const at = this.next();
    const [first = 'exit', ...callers] = options.frames ?? ['exit', 'main'];
    const where = { tid: this.tid, pc: pc(at.seq, 0), frames: stack(first, callers, at.seq) };
    const crash =
      status === 'crashed'
        ? {
            signal: 'SIGSEGV',
            fault_address: options.fault ?? '0x4',
            description: 'signal SIGSEGV: address not mapped to object',
          }
        : {};
    const value = status === 'returned' ? { return_value: options.returnValue ?? 0 } : {};
    const message =
      status === 'failed'
        ? {
            message:
              "error: <user expression 0>:1:6: use of undeclared identifier '__llvm_profile_write_file'\n    1 | (int)__llvm_profile_write_file()",
          }
        : {};
    return this.push({
      ...at,
      kind: 'experiment',
      name: 'early-write',
      at: 'exit',
      status,
      ...where,
      ...crash,
      ...value,
      ...message,
    });
  }

  /** dx-run started the program (a run's first event). */
  launched(pid: number): number {
    return this.push({ ...this.next(), kind: 'launched', pid });
  }

  exit(status: number, signal?: number): number {
    const killed = signal === undefined ? {} : { signal, description: `signal ${signal}` };
    return this.push({ ...this.next(), kind: 'exit', status, ...killed });
  }

  error(code: ErrorCode, message: string): number {
    return this.push({ ...this.next(), kind: 'error', code, message });
  }

  build(outcome?: SessionOutcome, input: Partial<TimelineInput> = {}): Timeline {
    const target = { program: '/tmp/app', args: ['--work', '3'] };
    return buildTimeline({ target, profileFile: '/tmp/dx/default.profraw', events: this.events, outcome, ...input });
  }
}

function stack(symbol: string, callers: readonly string[], seq: number, module = MODULE): Frame[] {
  const frame = (name: string, depth: number): Frame => ({
    symbol: name,
    module: depth === 0 ? module : MODULE,
    pc: pc(seq, depth),
  });
  return [symbol, ...callers].map(frame);
}

function pc(seq: number, depth: number): string {
  return `0x${(0x401000 + seq * 0x100 + depth * 0x10).toString(16)}`;
}

/** A stable fake address per function name. */
function address(symbol: string): string {
  let hash = 0;
  for (const char of symbol) hash = (hash * 31 + char.charCodeAt(0)) % 0xfffff;
  return `0x${(0x400000 + hash).toString(16)}`;
}
