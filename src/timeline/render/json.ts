/**
 * The stable machine interface: schema `debug-exit/report@1`. Deterministic: every object's key
 * order is fixed here (never taken from the input), and nothing is added that is not in the
 * report, so two renders of one timeline are byte-identical.
 */
import type { SessionOutcome } from '../outcome';
import type { ExitOrderPrediction } from '../prediction';
import type { ProbeResolution } from '../probes';
import type { AtexitRegistration } from '../registrations';
import type { Report } from '../report';
import type { Diagnosis } from '../diagnosis';
import { VERDICTS } from '../verdict-registry';
import { frameJson, ordered, type Json } from './json-values';

import { REPORT_SCHEMA } from '../../contract/ids';

export { REPORT_SCHEMA };

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
    census_mode: timeline.censusMode,
    census_note: timeline.censusNote,
    program_sha256: timeline.programSha256,
    experiment: timeline.experiment,
    outcome: outcomeJson(timeline.outcome),
    diagnosis: diagnosisJson(report.diagnosis),
    verdicts: Object.fromEntries(VERDICTS.map((m) => [m.jsonKey, m.json(verdicts[m.key])])),
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
    case 'lost':
      return { kind: outcome.kind, description: outcome.description };
  }
}

function diagnosisJson(d: Diagnosis): Json {
  const hypotheses = d.hypotheses.map((h) => ({
    id: h.id,
    status: h.status,
    reason: h.reason,
    evidence: [...h.evidence],
  }));
  return { conclusion: d.conclusion, summary: d.summary, next_step: d.nextStep, hypotheses, evidence: [...d.evidence] };
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
    ...(r.arg === undefined ? {} : { arg: r.arg }),
    ...(r.dsoHandle === undefined ? {} : { dso_handle: r.dsoHandle }),
    ...(r.dsoModule === undefined ? {} : { dso_module: r.dsoModule }),
  };
}
