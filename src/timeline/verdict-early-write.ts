/**
 * The early-write experiment (--experiment early-write): stopped at the first `exit` call, before
 * any exit handler ran, dx-run called `__llvm_profile_write_file()` in the target. A writer that
 * crashes there, with the allocator still live, fails whatever the exit order: teardown cannot be
 * the cause. One that writes cleanly there and crashes only after a teardown points at the order.
 */
import type { ExperimentEvent } from './events';
import { evidenceOf, ref } from './evidence';
import { innermostWriterFrame, frameLabel } from './symbols';
import type { Timeline } from './timeline';
import { finding, type HypothesisFinding } from './hypothesis';
import { frameJson, type Json } from './render/json-values';
import type { EarlyWriteVerdict, VerdictModule, Verdicts } from './verdict-types';
import { allocatorAt } from './verdict-crash';

const CALL = '__llvm_profile_write_file()';

export function judgeEarlyWrite(timeline: Timeline): EarlyWriteVerdict {
  const event = timeline.events.find((e): e is ExperimentEvent => e.kind === 'experiment' && e.name === 'early-write');
  if (event === undefined) return notRun(timeline);
  const allocator = allocatorAt(timeline, event.seq);
  const beforeTeardown = allocator.state !== 'torn-down';
  const when = `${CALL} called at ${event.at ?? 'exit'} (${ref(event.seq)}), ${whenText(allocator.state, allocator.text)}`;
  const evidence = evidenceOf(event.seq, allocator.evidence);
  const base = {
    name: 'early-write' as const,
    evidence,
    beforeTeardown,
    allocator: allocator.state,
    writerFrame: null,
    signal: null,
    faultAddress: null,
  };
  switch (event.status) {
    case 'returned': {
      const value = event.return_value ?? null;
      if (value === 0) {
        const reason = `${when}, wrote the profile and returned 0: the writer works on this data before any teardown`;
        return { ...base, result: 'wrote', reason };
      }
      const reason = `${when}, returned ${value ?? '?'}: the writer reported a failure without crashing (the runtime prints why on the program's stderr)`;
      return { ...base, result: 'write-failed', reason };
    }
    case 'crashed': {
      const frames = event.frames ?? [];
      const writer = innermostWriterFrame(frames) ?? null;
      const top = frames[0] === undefined ? (event.pc ?? '?') : frameLabel(frames[0]);
      const fault = event.fault_address ? `, fault address ${event.fault_address}` : '';
      const place =
        writer === null
          ? ''
          : writer === frames[0]
            ? ', in the profile writer'
            : `, inside the profile writer (${writer.symbol})`;
      const meaning = beforeTeardown
        ? 'the writer fails before any teardown ran, so teardown order cannot be the cause'
        : 'the allocator had already been torn down, so this does not separate the two';
      const reason = `${when}, crashed: ${event.signal ?? 'signal'} in ${top}${place}${fault}: ${meaning}`;
      return {
        ...base,
        result: 'crashed',
        reason,
        writerFrame: writer,
        signal: event.signal ?? null,
        faultAddress: event.fault_address ?? null,
      };
    }
    case 'timeout':
    case 'failed': {
      const why = event.status === 'timeout' ? 'did not return in time' : 'could not be evaluated';
      const message = experimentMessage(event);
      const reason = `${when}, ${why}${message ? `: ${message}` : ''}`;
      return { ...base, result: 'could-not-run', reason };
    }
  }
}

/**
 * LLDB's error for the call, cut to its first line without the `error:` prefix: the rest is a
 * source excerpt, or advice ("use thread return -x") that no longer holds once the call is unwound.
 */
export function experimentMessage(event: ExperimentEvent): string | null {
  const first = (event.message ?? '')
    .split('\n')[0]
    .replace(/^error:\s*/, '')
    .trim();
  return first === '' ? null : first;
}

function whenText(state: string, text: string): string {
  if (state === 'torn-down') return text;
  if (state === 'absent') return 'before any exit handler ran (no allocator probe resolved: no mimalloc)';
  return 'before any exit handler ran, with the allocator live';
}

function notRun(timeline: Timeline): EarlyWriteVerdict {
  const base = {
    name: 'early-write' as const,
    beforeTeardown: null,
    allocator: null,
    writerFrame: null,
    signal: null,
    faultAddress: null,
  };
  if (timeline.experiment !== 'early-write') {
    const reason = 'not requested (--experiment early-write calls the writer at exit(), before any teardown)';
    return { ...base, result: 'not-requested', reason, evidence: [] };
  }
  const exits = timeline.events.filter((e) => e.kind === 'exit' || e.kind === 'signal').map((e) => e.seq);
  const reason = 'requested, but exit() was never called (the program crashed, was killed, or left through _exit)';
  return { ...base, result: 'not-reached', reason, evidence: exits };
}

export const earlyWriteVerdict: VerdictModule<'earlyWrite'> = {
  key: 'earlyWrite',
  name: 'early-write',
  jsonKey: 'early_write',
  needs: [],
  judge: (timeline) => judgeEarlyWrite(timeline),
  json: earlyWriteJson,
  repeat: { label: 'early write', shown: (timeline) => timeline.experiment !== null },
  hypothesis: writerFailsEarly,
};

function earlyWriteJson(v: EarlyWriteVerdict): Json {
  return {
    name: v.name,
    result: v.result,
    before_teardown: v.beforeTeardown,
    allocator: v.allocator,
    signal: v.signal,
    fault_address: v.faultAddress,
    writer_frame: frameJson(v.writerFrame),
    reason: v.reason,
    evidence: [...v.evidence],
  };
}

/** The writer-fails-before-teardown hypothesis: what the writer did when called before any teardown. */
function writerFailsEarly({ earlyWrite }: Verdicts): HypothesisFinding {
  const id = 'writer-fails-before-teardown';
  switch (earlyWrite.result) {
    case 'crashed':
      return earlyWrite.beforeTeardown === true
        ? finding(
            id,
            'supported',
            `called at exit() before any teardown, the writer crashed (${earlyWrite.signal ?? 'signal'} in ${earlyWrite.writerFrame?.symbol ?? '?'})`,
            earlyWrite.evidence,
          )
        : finding(id, 'open', 'the early write crashed, but after a teardown', earlyWrite.evidence);
    case 'wrote':
      return finding(
        id,
        'ruled-out',
        'called at exit() before any teardown, the writer wrote the profile and returned 0',
        earlyWrite.evidence,
      );
    case 'not-requested':
      return finding(id, 'not-tested', 'run with --experiment early-write to call the writer before any teardown', []);
    default:
      return finding(id, 'open', earlyWrite.reason, earlyWrite.evidence);
  }
}
