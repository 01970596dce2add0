/**
 * The timeline in the Chrome Trace Event Format (JSON object form), for chrome://tracing and
 * Perfetto: every event as an instant on its thread's track, at its time since the first event,
 * so that the gaps between exit, teardown, write and crash can be seen and measured. Events with
 * no thread (the integrity check, the exit status, probe resolutions) go on track 0, named for
 * debug-exit. The diagnosis and the verdicts ride along in `otherData` (the trace's metadata).
 *
 * Deterministic like json.ts: every object is built here with its keys in a fixed order, and
 * nothing is added that is not in the report. One trace event a line, so traces diff well.
 */
import type { DebugExitEvent, Frame } from '../events';
import { describeOutcome } from '../outcome';
import type { Report } from '../report';
import { callerFrame, frameLabel } from '../symbols';
import type { Timeline } from '../timeline';
import { resultLine, VERDICTS } from '../verdict-registry';
import { commandLine, detailOf, roleOf, symbolOf } from './describe';

/** The pid of a trace whose program never reported one (it did not launch, or the recording predates it). */
const UNKNOWN_PID = 1;
/** The track of events that happen in debug-exit rather than on a thread of the program. */
const DEBUG_EXIT_TID = 0;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function renderChrome(report: Report): string {
  const { timeline } = report;
  const pid = pidOf(timeline);
  const start = timeline.events[0]?.t_ns ?? 0;
  const traceEvents = [...metadataEvents(timeline, pid), ...timeline.events.map((e) => instantEvent(e, start, pid))];
  const lines = traceEvents.map((event) => `    ${JSON.stringify(event)}`);
  const body = lines.length === 0 ? '' : `\n${lines.join(',\n')}\n  `;
  const otherData = JSON.stringify(otherDataOf(report), null, 2).replace(/\n/g, '\n  ');
  return `{\n  "traceEvents": [${body}],\n  "displayTimeUnit": "ms",\n  "otherData": ${otherData}\n}\n`;
}

/** The launched program's pid: the first `launched` event's. */
function pidOf(timeline: Timeline): number {
  const launched = timeline.events.find((e) => e.kind === 'launched');
  return launched?.kind === 'launched' ? launched.pid : UNKNOWN_PID;
}

function tidOf(event: DebugExitEvent): number {
  if (event.kind === 'hit' || event.kind === 'signal') return event.tid;
  return event.kind === 'experiment' && event.tid !== undefined ? event.tid : DEBUG_EXIT_TID;
}

/** Microseconds since the first event (the format's unit); LLDB's clock is in nanoseconds. */
export function microsecondsSince(start: number, t_ns: number): number {
  return (t_ns - start) / 1000;
}

/** One thread-scoped instant: name the symbol (or what the event is), category its role or kind. */
function instantEvent(event: DebugExitEvent, start: number, pid: number): JsonObject {
  return {
    name: symbolOf(event),
    cat: roleOf(event),
    ph: 'i',
    s: 't',
    ts: microsecondsSince(start, event.t_ns),
    pid,
    tid: tidOf(event),
    args: argsOf(event),
  };
}

/** The seq, the event's key fields, and the words the text report shows for it. */
function argsOf(event: DebugExitEvent): JsonObject {
  return defined({ seq: event.seq, kind: event.kind, ...fieldsOf(event), detail: detailOf(event) || undefined });
}

function fieldsOf(event: DebugExitEvent): Record<string, Json | undefined> {
  switch (event.kind) {
    case 'hit': {
      const caller = callerFrame(event);
      return {
        role: event.role,
        symbol: event.symbol,
        module: event.module,
        registered: event.registered?.symbol,
        caller: caller === undefined ? undefined : frameLabel(caller),
        thread_name: event.thread_name,
        pc: event.pc,
      };
    }
    case 'signal':
      return {
        signal: event.signal,
        description: event.description,
        fault_address: event.fault_address,
        frame: topFrame(event.frames),
        thread_name: event.thread_name,
        pc: event.pc,
      };
    case 'integrity':
      return {
        status: event.status,
        reason: event.reason,
        runtime_version: event.runtime_version,
        records: event.records,
        module: event.module,
      };
    case 'experiment':
      return {
        name: event.name,
        at: event.at,
        status: event.status,
        return_value: event.return_value ?? undefined,
        signal: event.signal ?? undefined,
        fault_address: event.fault_address ?? undefined,
        frame: topFrame(event.frames ?? []),
        thread_name: event.thread_name,
      };
    case 'exit':
      return { status: event.status, signal: event.signal, description: event.description };
    case 'error':
      return { code: event.code, message: event.message };
    case 'launched':
      return { pid: event.pid };
    case 'hello':
      return { schema: event.schema, lldb_version: event.lldb_version, platform: event.platform };
    case 'probe-resolved':
      return { role: event.role, symbol: event.symbol, locations: event.locations, modules: [...event.modules] };
    case 'exit-handler':
      return {
        index: event.index,
        via: event.via,
        registered: event.registered?.symbol ?? event.function,
        arg: event.arg,
        dso_handle: event.dso_handle,
      };
    case 'census':
      return { mode: event.mode, status: event.status, reason: event.reason, count: event.count };
  }
}

function topFrame(frames: readonly Frame[]): string | undefined {
  return frames[0] === undefined ? undefined : frameLabel(frames[0]);
}

/** A copy without the undefined values, keys in the order given. */
function defined(fields: Record<string, Json | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, Json] => entry[1] !== undefined));
}

/**
 * Names for the tracks: the process after the program, each named thread of the program (in order
 * of appearance), and track 0 when events land on it.
 */
function metadataEvents(timeline: Timeline, pid: number): JsonObject[] {
  const program = timeline.target.program.split('/').pop() || timeline.target.program;
  const onTrackZero = timeline.events.some((e) => tidOf(e) === DEBUG_EXIT_TID);
  const threads = [
    ...(onTrackZero ? [{ tid: DEBUG_EXIT_TID, name: 'debug-exit (LLDB)' }] : []),
    ...threadNamesOf(timeline),
  ];
  return [
    { name: 'process_name', ph: 'M', pid, args: { name: program } },
    ...threads.map(({ tid, name }): JsonObject => ({ name: 'thread_name', ph: 'M', pid, tid, args: { name } })),
  ];
}

function threadNamesOf(timeline: Timeline): Array<{ tid: number; name: string }> {
  const names = new Map<number, string>();
  for (const event of timeline.events) {
    const name =
      event.kind === 'hit' || event.kind === 'signal' || event.kind === 'experiment' ? event.thread_name : undefined;
    const tid = tidOf(event);
    if (name !== undefined && tid !== DEBUG_EXIT_TID && !names.has(tid)) names.set(tid, name);
  }
  return [...names].map(([tid, name]) => ({ tid, name }));
}

/** What the trace viewer shows as metadata: the target, the diagnosis and every verdict's result, as strings. */
function otherDataOf(report: Report): JsonObject {
  const { timeline, diagnosis, verdicts } = report;
  return defined({
    generator: 'debug-exit',
    target: commandLine(timeline),
    outcome: describeOutcome(timeline.outcome),
    lldb_version: timeline.lldbVersion ?? undefined,
    platform: timeline.platform ?? undefined,
    diagnosis: diagnosis.conclusion,
    diagnosis_summary: diagnosis.summary,
    next_step: diagnosis.nextStep,
    ...Object.fromEntries(VERDICTS.map((m) => [m.jsonKey, resultLine(m, verdicts)])),
  });
}
