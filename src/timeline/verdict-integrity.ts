/**
 * The profile-data integrity verdict: the finding of the first integrity check of the session (made by
 * the script at the first profile write), as it came in the `integrity` event.
 */
import type { IntegrityEvent } from './events';
import { ref } from './evidence';
import { finding, type HypothesisFinding } from './hypothesis';
import { toJson, type Json } from './render/json-values';
import type { Timeline } from './timeline';
import type { IntegrityVerdict, VerdictModule, Verdicts } from './verdict-types';

/** The first integrity check of the session (made at the first profile write). */
export function judgeIntegrity(timeline: Timeline): IntegrityVerdict {
  const check = timeline.events.find((e): e is IntegrityEvent => e.kind === 'integrity');
  if (check === undefined) {
    const reason = 'not checked: no profile write was reached (or the recording predates the check)';
    return {
      name: 'profile-data-integrity',
      result: 'unknown',
      reason,
      evidence: [],
      runtimeVersion: null,
      firstBad: null,
      writerWouldSee: null,
    };
  }
  return {
    name: 'profile-data-integrity',
    result: check.status,
    reason: check.reason,
    evidence: [check.seq],
    runtimeVersion: check.runtime_version ?? null,
    firstBad: check.first_bad ?? null,
    writerWouldSee: check.writer_would_see ?? null,
  };
}

export const integrityVerdict: VerdictModule<'integrity'> = {
  key: 'integrity',
  name: 'profile-data-integrity',
  jsonKey: 'profile_data_integrity',
  needs: [],
  judge: (timeline) => judgeIntegrity(timeline),
  json: integrityJson,
  repeat: { label: 'profile-data integrity' },
  hypothesis: corruptData,
};

function integrityJson(v: IntegrityVerdict): Json {
  const { name, result, reason } = v;
  const version = v.runtimeVersion;
  return {
    name,
    result,
    runtime_version: version,
    reason,
    evidence: [...v.evidence],
    first_bad: toJson(v.firstBad),
    writer_would_see: toJson(v.writerWouldSee),
  };
}

/** The corrupt-profile-data hypothesis: what the integrity check found. */
function corruptData({ integrity }: Verdicts): HypothesisFinding {
  const id = 'corrupt-profile-data';
  if (integrity.result === 'corrupt') {
    const bad = integrity.firstBad;
    const detail = bad
      ? `: record ${bad.index} has ${bad.field} = ${JSON.stringify(bad.value)}, expected ${bad.expected}`
      : '';
    const cited = integrity.evidence.length > 0 ? ` (see profile-data-integrity, ${ref(integrity.evidence[0])})` : '';
    return finding(
      id,
      'supported',
      `the profile data does not fit the record layout of the runtime that writes it${detail}${cited}`,
      integrity.evidence,
    );
  }
  if (integrity.result === 'consistent') {
    return finding(
      id,
      'ruled-out',
      'the profile data fits the record layout of the runtime that writes it',
      integrity.evidence,
    );
  }
  return finding(id, 'open', `integrity ${integrity.reason}`, integrity.evidence);
}
