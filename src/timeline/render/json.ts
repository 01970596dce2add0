/**
 * The stable machine interface: schema `debug-exit/report@1`. Deterministic: every object's key
 * order is fixed here (never taken from the input), and nothing is added that is not in the
 * report, so two renders of one timeline are byte-identical.
 */
import type { Frame } from '../events';
import type { SessionOutcome } from '../outcome';
import type { ExitOrderPrediction } from '../prediction';
import type { ProbeResolution } from '../probes';
import type { AtexitRegistration } from '../registrations';
import type { Report } from '../report';
import type { Diagnosis } from '../diagnosis';
import type { AllocatorFirstVerdict, CrashAttribution, EarlyWriteVerdict, ExplicitWritesVerdict, IntegrityVerdict } from '../verdict';
import type { ProfileOutputVerdict } from '../verdict-profile-output';

export const REPORT_SCHEMA = 'debug-exit/report@1';

/** Key order for event objects and their parts; keys not listed follow, alphabetically. */
const EVENT_KEY_ORDER = [
  'seq', 't_ns', 'kind', 'name', 'at', 'schema', 'code', 'role', 'symbol', 'signal', 'status', 'description', 'message',
  'fault_address', 'locations', 'modules', 'module', 'file', 'line', 'tid', 'thread_name', 'pc', 'address',
  'registered', 'frames', 'args', 'lldb_version', 'platform',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function renderJson(report: Report): string {
  return `${JSON.stringify(reportDocument(report), null, 2)}\n`;
}

export function reportDocument(report: Report): Json {
  const { timeline, verdicts } = report;
  return {
    schema: REPORT_SCHEMA,
    target: { program: timeline.target.program, args: [...timeline.target.args] },
    profile_file: timeline.profileFile,
    aslr: timeline.aslr,
    platform: timeline.platform,
    lldb_version: timeline.lldbVersion,
    census: timeline.census,
    experiment: timeline.experiment,
    outcome: outcomeJson(timeline.outcome),
    diagnosis: diagnosisJson(report.diagnosis),
    verdicts: {
      allocator_cleanup_first: allocatorFirstJson(verdicts.allocatorFirst),
      explicit_writes: explicitWritesJson(verdicts.explicitWrites),
      crash_attribution: crashJson(verdicts.crash),
      profile_data_integrity: integrityJson(verdicts.integrity),
      early_write: earlyWriteJson(verdicts.earlyWrite),
      profile_output: profileOutputJson(verdicts.profileOutput),
    },
    prediction: predictionJson(report.prediction),
    probes: timeline.probes.map(probeJson),
    registrations: timeline.registrations.map(registrationJson),
    events: timeline.events.map((event) => ordered(event)),
  };
}

function outcomeJson(outcome: SessionOutcome): Json {
  switch (outcome.kind) {
    case 'exited':
      return { kind: outcome.kind, status: outcome.status };
    case 'signaled':
      return { kind: outcome.kind, signal: outcome.signal };
    case 'timeout':
      return { kind: outcome.kind, seconds: outcome.seconds };
    case 'lldb-died':
      return { kind: outcome.kind, last_output: outcome.lastOutput };
    case 'cut':
    case 'interrupted':
      return { kind: outcome.kind };
    case 'launch-failed':
      return { kind: outcome.kind, message: outcome.message };
  }
}

function allocatorFirstJson(v: AllocatorFirstVerdict): Json {
  const { name, result, cause, witness, reason } = v;
  return { name, result, cause, witness, reason, evidence: [...v.evidence] };
}

function explicitWritesJson(v: ExplicitWritesVerdict): Json {
  const writes = v.writes.map((w) => ({ seq: w.seq, tid: w.tid, caller: frameJson(w.caller) }));
  return { name: v.name, result: v.result, reason: v.reason, evidence: [...v.evidence], writes };
}

function diagnosisJson(d: Diagnosis): Json {
  const hypotheses = d.hypotheses.map((h) => ({ id: h.id, status: h.status, reason: h.reason, evidence: [...h.evidence] }));
  return { conclusion: d.conclusion, summary: d.summary, next_step: d.nextStep, hypotheses, evidence: [...d.evidence] };
}

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

function profileOutputJson(v: ProfileOutputVerdict): Json {
  const files = v.files.map((f) => ({
    path: f.path, size: f.size, magic: f.magic, raw_version: f.rawVersion, accepted: f.accepted, tool_message: f.toolMessage,
  }));
  return {
    name: v.name, result: v.result, folder: v.folder, kept: v.kept, files, runtime_messages: [...v.runtimeMessages],
    llvm_profdata: v.llvmProfdata, exit_status: v.exitStatus, reason: v.reason, evidence: [...v.evidence],
  };
}

function integrityJson(v: IntegrityVerdict): Json {
  const { name, result, reason } = v;
  const version = v.runtimeVersion;
  return { name, result, runtime_version: version, reason, evidence: [...v.evidence], first_bad: toJson(v.firstBad), writer_would_see: toJson(v.writerWouldSee) };
}

/** Values from the script's JSON, kept as they came (they were JSON already). */
function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function crashJson(v: CrashAttribution): Json {
  return {
    name: v.name,
    result: v.result,
    signal: v.signal,
    writer_frame: frameJson(v.writerFrame),
    allocator: v.allocator,
    integrity: v.integrity,
    reason: v.reason,
    evidence: [...v.evidence],
  };
}

function predictionJson(p: ExitOrderPrediction): Json {
  return { basis: p.basis, first: p.first, order: [...p.order], reason: p.reason, evidence: [...p.evidence] };
}

function probeJson(p: ProbeResolution): Json {
  return { role: p.role, symbol: p.symbol, locations: p.locations, modules: [...p.modules], seq: p.seq };
}

function registrationJson(r: AtexitRegistration): Json {
  return {
    seq: r.seq,
    via: r.via,
    tid: r.tid,
    kind: r.kind,
    registered: r.registered === null ? null : ordered(r.registered),
    registered_by: frameJson(r.registeredBy),
  };
}

function frameJson(frame: Frame | null): Json {
  return frame === null ? null : ordered(frame);
}

/** A copy with keys in EVENT_KEY_ORDER, then the rest alphabetically; undefined values dropped. */
function ordered(value: unknown): Json {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return (value ?? null) as Json;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).filter((key) => source[key] !== undefined);
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, ordered(source[key])]));
}

function rank(key: string): number {
  const index = EVENT_KEY_ORDER.indexOf(key);
  return index === -1 ? EVENT_KEY_ORDER.length : index;
}
