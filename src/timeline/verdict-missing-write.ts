/**
 * Why no exit-time profile write was observed: the first rule that applies names the cause.
 * The order matters: a cause that explains the others comes first (a program that never ran, a
 * program that is not instrumented, a crash, a process that skipped its exit handlers, a session
 * cut short) before the plain "exit ran, the write did not".
 */
import { EXIT_TIME_WRITER, EXPLICIT_WRITE } from '../probes/catalogue';
import type { ErrorCode } from './events';
import { evidenceOf, ref } from './evidence';
import type { ExitPath } from './exit-path';
import { describeOutcome } from './outcome';
import { callerFrame, catalogueSymbols, frameLabel, innermostWriterFrame } from './symbols';
import { firstHit, probeResolved, roleResolved, unresolvedSymbols, type Timeline } from './timeline';
import type { InconclusiveCause } from './verdict-types';

export interface MissingWrite {
  cause: InconclusiveCause;
  reason: string;
  evidence: number[];
}

type Rule = (timeline: Timeline, path: ExitPath) => MissingWrite | undefined;

const RULES: readonly Rule[] = [
  launchFailed,
  writerUnresolved,
  crashed,
  exitHandlersSkipped,
  sessionCutShort,
  exitNotObserved,
];

export function explainMissingWrite(timeline: Timeline, path: ExitPath): MissingWrite {
  for (const rule of RULES) {
    const found = rule(timeline, path);
    if (found !== undefined) return withTeardownNote(timeline, found);
  }
  return withTeardownNote(timeline, exitTimeWriteMissing(timeline, path));
}

/** `the allocator-teardown probes did not resolve (mi_process_done, ...): ...`, naming them. */
export function teardownUnresolved(timeline: Timeline): string {
  const symbols = unresolvedSymbols(timeline, 'allocator-teardown').join(', ');
  const why = 'no mimalloc in the program, or its symbols are stripped';
  return `the allocator-teardown probes did not resolve (${symbols}): ${why}`;
}

export function teardownProbeSeqs(timeline: Timeline): number[] {
  return timeline.probes.filter((p) => p.role === 'allocator-teardown').map((p) => p.seq);
}

function withTeardownNote(timeline: Timeline, found: MissingWrite): MissingWrite {
  if (found.cause === 'launch-failed' || roleResolved(timeline, 'allocator-teardown')) return found;
  const reason = `${found.reason}; also, ${teardownUnresolved(timeline)}`;
  return { ...found, reason, evidence: evidenceOf(found.evidence, teardownProbeSeqs(timeline)) };
}

function errorSeqs(timeline: Timeline, codes: readonly ErrorCode[]): number[] {
  return timeline.events.filter((e) => e.kind === 'error' && codes.includes(e.code)).map((e) => e.seq);
}

function launchFailed(timeline: Timeline): MissingWrite | undefined {
  if (timeline.outcome.kind !== 'launch-failed') return undefined;
  const evidence = errorSeqs(timeline, ['launch-failed', 'target-failed']);
  return { cause: 'launch-failed', reason: `the program never ran: ${timeline.outcome.message}`, evidence };
}

function writerUnresolved(timeline: Timeline): MissingWrite | undefined {
  if (roleResolved(timeline, 'profile-write')) return undefined;
  const symbols = unresolvedSymbols(timeline, 'profile-write').join(', ');
  const reason =
    `the profile-write probes did not resolve (${symbols}): the program is not instrumented ` +
    '(-fprofile-generate), or its profile runtime is stripped';
  const evidence = timeline.probes.filter((p) => p.role === 'profile-write').map((p) => p.seq);
  return { cause: 'writer-unresolved', reason, evidence };
}

function crashed(_timeline: Timeline, path: ExitPath): MissingWrite | undefined {
  const crash = path.crash;
  if (crash === undefined) return undefined;
  const where = crash.frames[0] === undefined ? crash.pc : frameLabel(crash.frames[0]);
  const head = `the process crashed with ${crash.signal} in ${where} (${ref(crash.seq)})`;
  const entry = path.exitEntry;
  if (entry !== undefined && entry.seq < crash.seq) {
    const reason = `${head} after exit was entered (${ref(entry.seq)}), before the exit-time write ran`;
    return { cause: 'crashed-at-exit', reason, evidence: evidenceOf(entry.seq, crash.seq) };
  }
  const writer = innermostWriterFrame(crash.frames);
  const inWriter =
    writer === undefined ? '' : ` inside the profile writer (${writer.symbol}: a write the program made itself)`;
  const reason = `${head}${inWriter} before exit was entered: there was no exit-time write to order`;
  return { cause: 'crashed-before-exit', reason, evidence: [crash.seq] };
}

function exitHandlersSkipped(_timeline: Timeline, path: ExitPath): MissingWrite | undefined {
  const hit = path.abruptExit;
  if (hit === undefined) return undefined;
  const caller = callerFrame(hit);
  const from = caller === undefined ? '' : ` from ${caller.symbol}`;
  const reason =
    `the process left through ${hit.symbol} (${ref(hit.seq)})${from}: ` +
    'no exit handler ran, so there was no exit-time write';
  return { cause: 'exit-handlers-skipped', reason, evidence: [hit.seq] };
}

function sessionCutShort(timeline: Timeline, path: ExitPath): MissingWrite | undefined {
  const outcome = timeline.outcome;
  const entry = path.exitEntry;
  const when = entry === undefined ? ' before exit was entered' : ` after exit was entered (${ref(entry.seq)})`;
  const tail = `${when}; the exit-time write was never observed`;
  const last = timeline.events[timeline.events.length - 1]?.seq;
  const lastEvidence = evidenceOf(entry?.seq, last);
  const lastText = last === undefined ? '' : ` (last event ${ref(last)})`;
  switch (outcome.kind) {
    case 'timeout':
      return cutShort('timeout', describeOutcome(outcome), evidenceOf(entry?.seq, errorSeqs(timeline, ['timeout'])));
    case 'lldb-died':
      return cutShort('lldb-died', 'LLDB died', lastEvidence);
    case 'cut':
      return cutShort('cut', `the recording ends${lastText}`, lastEvidence);
    case 'interrupted':
      return cutShort('interrupted', `the capture was stopped by the user${lastText}`, lastEvidence);
    case 'signaled': {
      const evidence = evidenceOf(entry?.seq, exitSeqs(timeline));
      return cutShort('killed', `the process was ended by ${outcome.signal}`, evidence);
    }
    default:
      return undefined;
  }

  function cutShort(cause: InconclusiveCause, what: string, evidence: number[]): MissingWrite {
    return { cause, reason: `${what}${tail}`, evidence };
  }
}

function exitSeqs(timeline: Timeline): number[] {
  return timeline.events.filter((e) => e.kind === 'exit').map((e) => e.seq);
}

function exitNotObserved(timeline: Timeline, path: ExitPath): MissingWrite | undefined {
  if (path.exitEntry !== undefined) return undefined;
  const unresolved = probeResolved(timeline, 'process-exit', 'exit') ? '' : ' (the exit probe did not resolve)';
  const reason =
    `the process ${describeOutcome(timeline.outcome)}, but exit was never seen entered${unresolved} ` +
    'and no exit-time write ran';
  return { cause: 'exit-not-observed', reason, evidence: exitSeqs(timeline) };
}

function exitTimeWriteMissing(timeline: Timeline, path: ExitPath): MissingWrite {
  const entry = path.exitEntry;
  const register = firstHit(timeline, 'profile-register');
  const registerName = catalogueSymbols('profile-register')[0] ?? 'the profile runtime';
  let detail = `${registerName} was not seen running: the handler may never have been registered`;
  if (!probeResolved(timeline, 'profile-write', EXIT_TIME_WRITER)) {
    detail = `${EXIT_TIME_WRITER} did not resolve and no ${EXPLICIT_WRITE} ran after exit`;
  } else if (register !== undefined) {
    detail = `${EXIT_TIME_WRITER} did not run although ${register.symbol} registered it (${ref(register.seq)})`;
  }
  const at = entry === undefined ? '' : ` (${ref(entry.seq)})`;
  const reason = `exit was entered${at} but the exit-time profile write never ran: ${detail}`;
  const evidence = evidenceOf(entry?.seq, register?.seq, exitSeqs(timeline));
  return { cause: 'exit-time-write-missing', reason, evidence };
}
