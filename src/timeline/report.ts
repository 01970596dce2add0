/** A report: the timeline, the prediction from registrations, and the verdicts. What renderers read. */
import { diagnose, type Diagnosis } from './diagnosis';
import { predictExitOrder, type ExitOrderPrediction } from './prediction';
import type { Timeline } from './timeline';
import { judgeTimeline, type JudgeOptions, type Verdicts } from './verdict';

export interface Report {
  timeline: Timeline;
  prediction: ExitOrderPrediction;
  verdicts: Verdicts;
  /** The verdicts weighed together: what the evidence supports, what it rules out, what to do. */
  diagnosis: Diagnosis;
}

export function buildReport(timeline: Timeline, options: JudgeOptions = {}): Report {
  const verdicts = judgeTimeline(timeline, options);
  return { timeline, prediction: predictExitOrder(timeline), verdicts, diagnosis: diagnose(verdicts) };
}
