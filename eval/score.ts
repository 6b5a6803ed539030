/**
 * Scores the explanation engine against labelled account-nights: confusion matrix, accuracy per label, false
 * alarms, detection recall, macro-F1 and calibration of the top cause's confidence.
 */
import type { Cause, Explanation, Verdict } from '../core/model.ts';
import { Cause as CauseSchema } from '../core/model.ts';

/** A top-cause label: a cause id, or the verdicts that carry no cause. */
export type TopLabel = Cause | 'none' | 'unknown';

/** Every top-cause label, in report order. */
export const TOP_LABELS: readonly TopLabel[] = [...CauseSchema.options, 'none', 'unknown'];

/** What a correct engine should say of one account-night. */
export interface ExpectedNight {
  id: string;
  /** What the generator made of the night (an ordinary night, a data gap, a cause…), for breakdowns. */
  scenario: string;
  verdict: Verdict;
  topCause: TopLabel;
}

/** One account-night: what was expected and what the engine said. */
export interface EvalRecord {
  fleet: number;
  accountId: string;
  scenario: string;
  expectedVerdict: Verdict;
  expected: TopLabel;
  actualVerdict: Verdict;
  actual: TopLabel;
  /** Confidence of the engine's top cause (NaN when it gave none). */
  confidence: number;
}

/** A calibration bin: predictions whose confidence falls in [low, high). */
export interface CalibrationBin {
  low: number;
  high: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/** Per-label scores. `accuracy` is the share of nights with this expected label given this label. */
export interface LabelScore {
  count: number;
  accuracy: number;
  precision: number;
  f1: number;
}

/** The scores of one evaluation. */
export interface EvalReport {
  records: EvalRecord[];
  /** confusion[expected][actual] = count. */
  confusion: Record<TopLabel, Record<TopLabel, number>>;
  perLabel: Record<TopLabel, LabelScore>;
  accuracy: number;
  /** Nights expected `none` or `unknown` that the engine called a loss or a slowdown, whatever the scenario. */
  falseAlarmRate: number;
  /** Nights expected `loss` or `slowdown` that the engine also called a loss or a slowdown. */
  detectionRecall: number;
  macroF1: number;
  calibration: CalibrationBin[];
  /** The largest gap between confidence and accuracy over bins of at least {@link CALIBRATION_MIN_COUNT}. */
  worstCalibrationGap: number;
}

/** Bins with fewer predictions than this are too small to judge calibration on. */
export const CALIBRATION_MIN_COUNT = 20;

const CALIBRATION_EDGES = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];

/** Compares one fleet's explanation with what was expected of each account, in fleet order. */
export function compareWithExpected(
  expected: readonly ExpectedNight[],
  explanation: Explanation,
  fleet: number,
): EvalRecord[] {
  return expected.map((label, index): EvalRecord => {
    const explained = explanation.accounts[index];
    if (!explained || explained.id !== label.id)
      throw new Error(`explanation does not match account ${label.id}`);
    const top = explained.causes[0];
    const alarm = explained.verdict === 'loss' || explained.verdict === 'slowdown';
    const actual: TopLabel = alarm
      ? (top?.cause ?? 'none')
      : explained.verdict === 'unknown'
        ? 'unknown'
        : 'none';
    return {
      fleet,
      accountId: label.id,
      scenario: label.scenario,
      expectedVerdict: label.verdict,
      expected: label.topCause,
      actualVerdict: explained.verdict,
      actual,
      confidence: top && alarm ? top.confidence : Number.NaN,
    };
  });
}

const isAlarm = (verdict: Verdict) => verdict === 'loss' || verdict === 'slowdown';

/** Computes every score from records. */
export function scoreRecords(records: EvalRecord[]): EvalReport {
  const confusion = Object.fromEntries(
    TOP_LABELS.map((expected) => [
      expected,
      Object.fromEntries(TOP_LABELS.map((actual) => [actual, 0])),
    ]),
  ) as Record<TopLabel, Record<TopLabel, number>>;
  for (const record of records) confusion[record.expected][record.actual] += 1;
  const perLabel = {} as Record<TopLabel, LabelScore>;
  const f1s: number[] = [];
  for (const label of TOP_LABELS) {
    const hits = confusion[label][label];
    const count = TOP_LABELS.reduce((sum, actual) => sum + confusion[label][actual], 0);
    const predicted = TOP_LABELS.reduce((sum, expected) => sum + confusion[expected][label], 0);
    const recall = count > 0 ? hits / count : Number.NaN;
    const precision = predicted > 0 ? hits / predicted : Number.NaN;
    const f1 =
      count === 0 && predicted === 0
        ? Number.NaN
        : hits === 0
          ? 0
          : (2 * precision * recall) / (precision + recall);
    if (!Number.isNaN(f1)) f1s.push(f1);
    perLabel[label] = { count, accuracy: recall, precision, f1 };
  }
  const quiet = records.filter((record) => !isAlarm(record.expectedVerdict));
  const events = records.filter((record) => isAlarm(record.expectedVerdict));
  const calibration = calibrationBins(records);
  return {
    records,
    confusion,
    perLabel,
    accuracy: share(records, (record) => record.actual === record.expected),
    falseAlarmRate: share(quiet, (record) => isAlarm(record.actualVerdict)),
    detectionRecall: share(events, (record) => isAlarm(record.actualVerdict)),
    macroF1: f1s.reduce((sum, f1) => sum + f1, 0) / Math.max(1, f1s.length),
    calibration,
    worstCalibrationGap: Math.max(
      0,
      ...calibration
        .filter((bin) => bin.count >= CALIBRATION_MIN_COUNT)
        .map((bin) => Math.abs(bin.meanConfidence - bin.accuracy)),
    ),
  };
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / Math.max(1, items.length);
}

function calibrationBins(records: readonly EvalRecord[]): CalibrationBin[] {
  const bins: CalibrationBin[] = [];
  for (let index = 1; index < CALIBRATION_EDGES.length; index += 1) {
    const low = CALIBRATION_EDGES[index - 1] as number;
    const high = CALIBRATION_EDGES[index] as number;
    const inBin = records.filter((record) => record.confidence >= low && record.confidence < high);
    bins.push({
      low,
      high: Math.min(1, high),
      count: inBin.length,
      meanConfidence:
        inBin.reduce((sum, record) => sum + record.confidence, 0) / Math.max(1, inBin.length),
      accuracy: share(inBin, (record) => record.actual === record.expected),
    });
  }
  return bins;
}
