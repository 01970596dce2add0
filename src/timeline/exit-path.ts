/**
 * Facts about the way out of the process that the verdicts share: where exit was entered, whether
 * the process left without running exit handlers, the profile write made at exit, the crash.
 */
import { EXIT_TIME_WRITER, EXPLICIT_WRITE } from '../probes/catalogue';
import type { ProbeHitEvent, SignalEvent } from './events';
import { firstCrash } from './outcome';
import { baseSymbol, framesInclude, innermostWriterFrame, isProfileWriterSymbol } from './symbols';
import { firstHit, probeHits, probeResolved, type Timeline } from './timeline';

/** Called from exit; they stand for its entry only when the `exit` probe itself did not resolve. */
const FINALIZERS = ['_dl_fini', '__cxa_finalize', '__cxa_finalize_ranges'];
/** Frames that put a stack inside exit (glibc's handler loop, the finalizers). */
const EXIT_FRAMES = ['exit', '__run_exit_handlers', '_tlv_exit', ...FINALIZERS];
/** Leave at once: no atexit handler, no destructor runs. */
const ABRUPT_EXITS = ['_exit', '_Exit'];

export interface ExitTimeWrite {
  hit: ProbeHitEvent;
  /** The registered handler itself, or (it did not resolve) the first write after exit was entered. */
  via: 'exit-time-writer' | 'write-after-exit';
}

export interface ExitPath {
  exitEntry: ProbeHitEvent | undefined;
  /** `_exit` / `_Exit` before exit was entered (exit itself ends in `_exit`). */
  abruptExit: ProbeHitEvent | undefined;
  write: ExitTimeWrite | undefined;
  crash: SignalEvent | undefined;
}

export function exitPath(timeline: Timeline): ExitPath {
  const entry = exitEntry(timeline);
  return {
    exitEntry: entry,
    abruptExit: probeHits(timeline, 'process-exit').find(
      (hit) => ABRUPT_EXITS.includes(baseSymbol(hit.symbol)) && (entry === undefined || hit.seq < entry.seq),
    ),
    write: exitTimeWrite(timeline, entry),
    crash: firstCrash(timeline.events),
  };
}

function exitEntry(timeline: Timeline): ProbeHitEvent | undefined {
  const exit = firstHit(timeline, 'process-exit', 'exit');
  if (exit !== undefined || probeResolved(timeline, 'process-exit', 'exit')) return exit;
  return probeHits(timeline, 'process-exit').find((hit) => FINALIZERS.includes(baseSymbol(hit.symbol)));
}

function exitTimeWrite(timeline: Timeline, entry: ProbeHitEvent | undefined): ExitTimeWrite | undefined {
  const writer = firstHit(timeline, 'profile-write', EXIT_TIME_WRITER);
  if (writer !== undefined) return { hit: writer, via: 'exit-time-writer' };
  // The handler resolved and never ran: a write after exit came from some other handler.
  if (probeResolved(timeline, 'profile-write', EXIT_TIME_WRITER) || entry === undefined) return undefined;
  const write = probeHits(timeline, 'profile-write', EXPLICIT_WRITE).find((hit) => hit.seq > entry.seq);
  return write === undefined ? undefined : { hit: write, via: 'write-after-exit' };
}

/**
 * A crash inside profile-writer frames during exit when no exit-time write was observed (its probe
 * did not resolve, or it is stripped): the frames show the exit-time write had begun. The stack
 * may not name writeFileWithoutReturn: it tail-calls __llvm_profile_write_file.
 */
export function writerCrashAtExit(path: ExitPath): SignalEvent | undefined {
  const crash = path.crash;
  if (crash === undefined || path.write !== undefined) return undefined;
  if (innermostWriterFrame(crash.frames) === undefined) return undefined;
  const afterEntry = path.exitEntry !== undefined && path.exitEntry.seq < crash.seq;
  return afterEntry || framesInclude(crash.frames, EXIT_TIME_WRITER, ...EXIT_FRAMES) ? crash : undefined;
}

/** Whether a hit ran inside the profile writer (then it cannot have run before the write began). */
export function insideWriter(hit: ProbeHitEvent): boolean {
  return hit.frames.slice(1).some((frame) => isProfileWriterSymbol(frame.symbol));
}
