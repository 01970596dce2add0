/** A report: the timeline, the prediction from registrations, and the verdicts. What renderers read. */
import { predictExitOrder, type ExitOrderPrediction } from './prediction';
import type { Timeline } from './timeline';
import { judgeTimeline, type JudgeOptions, type Verdicts } from './verdict';

export interface Report {
  timeline: Timeline;
  prediction: ExitOrderPrediction;
  verdicts: Verdicts;
}

export function buildReport(timeline: Timeline, options: JudgeOptions = {}): Report {
  return { timeline, prediction: predictExitOrder(timeline), verdicts: judgeTimeline(timeline, options) };
}
