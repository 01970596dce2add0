/**
 * Words for events, shared by the human renderers (text, markdown): one column value each, so
 * both show an event the same way.
 */
import type { DebugExitEvent, ExperimentEvent, Frame } from '../events';
import { ref } from '../evidence';
import type { AtexitRegistration } from '../registrations';
import { callerFrame, frameLabel } from '../symbols';
import { experimentMessage } from '../verdict-early-write';
import type { Timeline } from '../timeline';

/** `+12.345`: milliseconds since the first event of the timeline. */
export function elapsedMs(event: DebugExitEvent, timeline: Timeline): string {
  const start = timeline.events[0]?.t_ns ?? event.t_ns;
  return `+${((event.t_ns - start) / 1e6).toFixed(3)}`;
}

/** The thread id; names are listed once, in the header (the main thread is named after the program). */
export function threadOf(event: DebugExitEvent): string {
  if (event.kind === 'experiment') return event.tid === undefined ? '-' : String(event.tid);
  return event.kind === 'hit' || event.kind === 'signal' ? String(event.tid) : '-';
}

/** `22433 allocator-first` for each named thread, in order of appearance. */
export function threadNames(timeline: Timeline): string[] {
  const names = new Map<number, string>();
  for (const event of timeline.events) {
    if ((event.kind === 'hit' || event.kind === 'signal') && event.thread_name !== undefined) {
      if (!names.has(event.tid)) names.set(event.tid, event.thread_name);
    }
  }
  return [...names].map(([tid, name]) => `${tid} ${name}`);
}

/** The probe's role for hits, the event kind otherwise. */
export function roleOf(event: DebugExitEvent): string {
  return event.kind === 'hit' ? event.role : event.kind;
}

/** The probed symbol, with the function registered for atexit hits: `__cxa_atexit(mi_process_done)`. */
export function symbolOf(event: DebugExitEvent): string {
  switch (event.kind) {
    case 'hit':
      return event.registered === undefined ? event.symbol : `${event.symbol}(${event.registered.symbol})`;
    case 'probe-resolved':
      return event.symbol;
    case 'signal':
      return event.signal;
    case 'exit':
      return event.signal === undefined ? `status ${event.status}` : `signal ${event.signal}`;
    case 'error':
      return event.code;
    case 'hello':
      return event.lldb_version;
    case 'launched':
      return `pid ${event.pid}`;
    case 'integrity':
      return `profile data ${event.status}`;
    case 'experiment':
      return `${event.name} ${event.status}`;
    case 'exit-handler':
      return `${event.via}(${event.registered?.symbol ?? event.function})`;
    case 'census':
      return `census ${event.mode} ${event.status}`;
  }
}

/** The calling frame (hits), where a crash happened (signals), what a probe resolved to, ... */
export function detailOf(event: DebugExitEvent): string {
  switch (event.kind) {
    case 'hit': {
      const caller = callerFrame(event);
      return caller === undefined ? '' : `<- ${frameIn(caller, event.module)}`;
    }
    case 'probe-resolved':
      return `${event.role}: ${locations(event.locations, event.modules)}`;
    case 'signal': {
      const where = event.frames[0] === undefined ? event.pc : frameLabel(event.frames[0]);
      // LLDB's description repeats the name: "signal SIGSEGV: address not mapped to object ..."
      const description = event.description.replace(new RegExp(`^signal ${event.signal}:?\\s*`), '');
      return description === '' ? `in ${where}` : `in ${where} (${description})`;
    }
    case 'exit':
      return event.description === undefined || event.description === symbolOf(event) ? '' : event.description;
    case 'error':
      return event.message;
    case 'hello':
      return `${event.platform}, ${event.schema}`;
    case 'launched':
      return 'process launched';
    case 'integrity': {
      // The full finding is under Verdicts; the timeline line only places it.
      const layout = event.runtime_version === undefined ? '' : `raw version ${event.runtime_version} layout`;
      const records = event.records === undefined ? '' : `${event.records} records`;
      return [records, layout].filter(Boolean).join(', ') || 'see the profile-data-integrity verdict';
    }
    case 'experiment':
      return experimentDetail(event);
    case 'exit-handler':
      return `exit handler ${event.index} in ${event.registered?.module ?? event.function}${event.dso_module ? ` (dso ${event.dso_module})` : ''}`;
    case 'census':
      return (
        event.reason ??
        (event.count === undefined ? '' : `${event.count} exit handlers in ${event.library ?? 'the C library'}'s list`)
      );
  }
}

/** `__llvm_profile_write_file() at exit: SIGSEGV in initializeValueProfRuntimeRecord (fault 0x4)` */
function experimentDetail(event: ExperimentEvent): string {
  const call = `__llvm_profile_write_file() called at ${event.at ?? 'exit'}`;
  switch (event.status) {
    case 'returned':
      return `${call}: returned ${event.return_value ?? '?'}`;
    case 'crashed': {
      const top = event.frames?.[0];
      const where = top === undefined ? (event.pc ?? '?') : top.symbol;
      const fault = event.fault_address ? ` (fault address ${event.fault_address})` : '';
      return `${call}: ${event.signal ?? 'crashed'} in ${where}${fault}; unwound, exit resumed`;
    }
    case 'timeout':
      return `${call}: no return in time`;
    case 'failed': {
      const message = experimentMessage(event);
      return `${call}: could not be evaluated${message ? `: ${message}` : ''}`;
    }
  }
}

/** A frame's symbol, with its module only when that differs from the probed function's. */
function frameIn(frame: Frame, module: string): string {
  return frame.module === module ? frame.symbol : frameLabel(frame);
}

function locations(count: number, modules: readonly string[]): string {
  if (count === 0) return 'no location';
  const where = modules.length === 0 ? '' : ` in ${modules.map((m) => m.split('/').pop()).join(', ')}`;
  return `${count} location${count === 1 ? '' : 's'}${where}`;
}

export function describeRegistration(registration: AtexitRegistration): string {
  const fn = registration.registered?.symbol ?? '(unknown function)';
  const by = registration.registeredBy === null ? '' : ` by ${registration.registeredBy.symbol}`;
  const kind = registration.kind === 'other' ? '' : ` [${registration.kind}]`;
  return `${ref(registration.seq)} ${fn}${by}${kind}`;
}

export function commandLine(timeline: Timeline): string {
  return [timeline.target.program, ...timeline.target.args].map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
