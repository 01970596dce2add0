/**
 * The combined diagnosis at the top of a report: the three explanations people weigh for a profile
 * writer crash at exit, each marked supported, ruled out, open or not tested from the verdicts, a
 * conclusion, and the next step that conclusion calls for. Pure: it reads the verdicts only.
 * Each hypothesis (hypothesis.ts) is weighed by the verdict module that owns it; the conclusion,
 * which weighs them together, is drawn here.
 */
import { evidenceOf } from './evidence';
import type { HypothesisFinding, HypothesisId } from './hypothesis';
import { VERDICTS } from './verdict-registry';
import type { IntegrityVerdict, Verdicts } from './verdict-types';
import { FAILED_PROFILE_OUTPUTS } from './verdict-profile-output';

export { HYPOTHESES, type HypothesisFinding, type HypothesisId, type HypothesisStatus } from './hypothesis';

export type Conclusion = HypothesisId | 'unexplained-crash' | 'no-crash';

export interface Diagnosis {
  conclusion: Conclusion;
  summary: string;
  nextStep: string;
  /** One finding per hypothesis, in HYPOTHESES order. */
  hypotheses: HypothesisFinding[];
  evidence: number[];
}

export function diagnose(verdicts: Verdicts): Diagnosis {
  const hypotheses = VERDICTS.flatMap((m) => (m.hypothesis === undefined ? [] : [m.hypothesis(verdicts)]));
  const status = (id: HypothesisId): HypothesisFinding => hypotheses.find((h) => h.id === id)!;
  const { conclusion, summary, nextStep } = trainingRun(verdicts, conclude(verdicts, status));
  const supported = hypotheses.filter((h) => h.status === 'supported');
  const evidence = evidenceOf(...supported.map((h) => h.evidence), verdicts.crash.evidence);
  return { conclusion, summary, nextStep, hypotheses, evidence };
}

type Lookup = (id: HypothesisId) => HypothesisFinding;

function conclude(verdicts: Verdicts, status: Lookup): Pick<Diagnosis, 'conclusion' | 'summary' | 'nextStep'> {
  const { crash } = verdicts;
  const crashed = crash.result !== 'no-crash';
  const crashText =
    crash.signal === null
      ? 'the crash'
      : `the ${crash.signal}${crash.writerFrame ? ` in ${crash.writerFrame.symbol}` : ''}`;
  if (status('corrupt-profile-data').status === 'supported') {
    const early =
      status('writer-fails-before-teardown').status === 'supported' ? '; the writer fails before any teardown too' : '';
    const order = status('allocator-cleanup-first').status === 'ruled-out' ? ', not the allocator teardown' : '';
    const summary = crashed
      ? `Corrupt profile data explains ${crashText}${order}${early}.`
      : `The profile data is corrupt; the writer did not crash in this run, but what it wrote cannot be trusted${early}.`;
    return { conclusion: 'corrupt-profile-data', summary, nextStep: sameLlvmStep(verdicts.integrity) };
  }
  if (status('allocator-cleanup-first').status === 'supported') {
    return {
      conclusion: 'allocator-cleanup-first',
      summary: `The allocator was torn down before the exit-time profile write, which then crashed: allocator-cleanup-first explains ${crashText}.`,
      nextStep:
        'Make the profile write come before the teardown: call __llvm_profile_dump() at the end of main (the exit-time ' +
        'write is then skipped), or link so that mimalloc registers its exit handler before the profile runtime does ' +
        '(handlers run in reverse order of registration; `x.o libmimalloc.a`, with clang adding the profile runtime last, ' +
        'writes the profile first). --census shows every registration.',
    };
  }
  if (status('writer-fails-before-teardown').status === 'supported') {
    return {
      conclusion: 'writer-fails-before-teardown',
      summary: `The profile writer crashes even before any teardown, with profile data that passed the layout check: the exit order is not the cause of ${crashText}.`,
      nextStep:
        "Read the early write's crash frames; check that every instrumented object and the profile runtime come from one " +
        'LLVM release, and debug the writer at the prompt: debug-exit interactive -- PROGRAM.',
    };
  }
  if (crashed) {
    return {
      conclusion: 'unexplained-crash',
      summary: `Neither hypothesis explains ${crashText}: ${crash.reason}.`,
      nextStep: unexplainedStep(verdicts),
    };
  }
  return noCrash(verdicts);
}

type Concluded = Pick<Diagnosis, 'conclusion' | 'summary' | 'nextStep'>;

const VERSION_MISMATCH = /version mismatch/i;

/**
 * A run that exits without a crash but leaves no usable profile is a failed PGO training run,
 * whatever else the diagnosis says: said in the summary, with the fix as the next step.
 */
function trainingRun(verdicts: Verdicts, concluded: Concluded): Concluded {
  const output = verdicts.profileOutput;
  if (
    verdicts.crash.result !== 'no-crash' ||
    output.exitStatus === null ||
    !FAILED_PROFILE_OUTPUTS.includes(output.result)
  ) {
    return concluded;
  }
  const what =
    output.result === 'not-written'
      ? 'no profile was written'
      : output.result === 'empty'
        ? 'the profile is empty (0 bytes)'
        : 'the profile it wrote is invalid';
  const rejected = output.files.find((f) => f.accepted === false);
  const said =
    output.runtimeMessages.length > 0
      ? ` (the profile runtime said: ${JSON.stringify(output.runtimeMessages[0])})`
      : rejected?.toolMessage
        ? ` (llvm-profdata: ${rejected.toolMessage})`
        : '';
  const before = concluded.summary.replace(', but what it wrote cannot be trusted', '');
  const summary = `${before} The program exited with status ${output.exitStatus}, but ${what}${said}: a failed training run.`;
  const foreign =
    concluded.conclusion === 'corrupt-profile-data' || output.runtimeMessages.some((m) => VERSION_MISMATCH.test(m));
  if (foreign) return { ...concluded, summary, nextStep: sameLlvmStep(verdicts.integrity) };
  const nextStep =
    output.result === 'invalid'
      ? 'Merge the profile with the llvm-profdata of the LLVM that built the profile runtime; if it still rejects it, check that every ' +
        'instrumented object comes from that LLVM (objects from another LLVM write records the runtime misreads).'
      : 'Let the program end through exit() or a return from main (not _exit, abort or a fatal signal), or call ' +
        '__llvm_profile_write_file() before it ends; check that the folder of LLVM_PROFILE_FILE is writable (--profile-dir DIR).';
  return { ...concluded, summary, nextStep };
}

function sameLlvmStep(integrity: IntegrityVerdict): string {
  const version = integrity.runtimeVersion === null ? '' : ` (raw profile version ${integrity.runtimeVersion})`;
  return (
    'Build the C dependencies with -fno-profile-generate, or with the same LLVM as the profile runtime' +
    `${version}; in Rust builds (cargo pgo) that is the C code build scripts compile. Then capture again: ` +
    'the profile-data integrity must read consistent.'
  );
}

function unexplainedStep({ crash, earlyWrite }: Verdicts): string {
  if (crash.result === 'outside-profile-writer') {
    return 'Debug it as an ordinary crash, with the probes in place: debug-exit interactive -- PROGRAM.';
  }
  if (crash.result === 'allocator-state-unknown') {
    return 'Link a mimalloc with symbols so that its teardown can be probed, then capture again.';
  }
  return earlyWrite.result === 'not-requested'
    ? 'Capture again with --experiment early-write: a writer that crashes before any teardown is not an ordering problem.'
    : 'Debug the writer at the prompt: debug-exit interactive -- PROGRAM.';
}

function noCrash({ allocatorFirst: order }: Verdicts): Pick<Diagnosis, 'conclusion' | 'summary' | 'nextStep'> {
  if (order.result === 'confirmed') {
    return {
      conclusion: 'no-crash',
      summary:
        'No crash. The allocator was torn down before the exit-time profile write: the order the hypothesis needs is there, but the writer survived it in this run.',
      nextStep:
        'MIMALLOC_DESTROY_ON_EXIT=1 (--env) makes the teardown release its memory at once and shows whether this order can crash; --repeat N shows whether it varies.',
    };
  }
  if (order.result === 'refuted') {
    return {
      conclusion: 'no-crash',
      summary:
        'No crash, and the profile was written before any allocator teardown: the exit order is sound on this build.',
      nextStep: 'Nothing to fix in the exit order here; where the crash is seen (macOS runners), capture there.',
    };
  }
  return {
    conclusion: 'no-crash',
    summary: `No crash in the profile writer; the exit order could not be decided (${order.cause ?? 'inconclusive'}).`,
    nextStep: `See the allocator-cleanup-first verdict for what is missing: ${order.reason}.`,
  };
}
