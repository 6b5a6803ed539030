/**
 * Scores the explanation engine against labelled fleets: confusion matrix, accuracy per label, false alarms,
 * detection recall, macro-F1 and calibration of the top cause's confidence.
 */
import { explainFleet } from '../explain/explain.ts';
import type { Cause, Explanation } from '../model.ts';
import { Cause as CauseSchema } from '../model.ts';
import { thinHistory } from '../thinned-history.ts';
import { DAY_MS } from '../time.ts';
import { DATA_GAP_SCENARIOS, type LabelledFleet, type Scenario, simulateFleet } from './fleet.ts';

/** A top-cause label: a cause id, or the verdicts that carry no cause. */
export type TopLabel = Cause | 'none' | 'unknown';

/** Every top-cause label, in report order. */
export const TOP_LABELS: readonly TopLabel[] = [...CauseSchema.options, 'none', 'unknown'];

/** One account-night: what was expected and what the engine said. */
export interface EvalRecord {
  fleet: number;
  accountId: string;
  scenario: Scenario;
  expectedVerdict: string;
  expected: TopLabel;
  actualVerdict: string;
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

/** The scores of one evaluation run. */
export interface EvalReport {
  records: EvalRecord[];
  /** confusion[expected][actual] = count. */
  confusion: Record<TopLabel, Record<TopLabel, number>>;
  perLabel: Record<
    TopLabel,
    { count: number; accuracy: number; precision: number; recall: number; f1: number }
  >;
  accuracy: number;
  /** Ordinary nights and gaps in the data (by scenario) that the engine called a loss or a slowdown. */
  falseAlarmRate: number;
  /** Nights expected `loss` or `slowdown` that the engine also called a loss or a slowdown. */
  detectionRecall: number;
  macroF1: number;
  calibration: CalibrationBin[];
}

/** Compares one fleet's explanation with its labels. */
export function compareWithLabels(
  labelled: LabelledFleet,
  explanation: Explanation,
  fleet: number,
): EvalRecord[] {
  return labelled.labels.accounts.map((label, index): EvalRecord => {
    const explained = explanation.accounts[index];
    if (!explained || explained.id !== label.id)
      throw new Error(`explanation does not match account ${label.id}`);
    const top = explained.causes[0];
    const actual: TopLabel =
      explained.verdict === 'none' || explained.verdict === 'unknown'
        ? explained.verdict
        : (top?.cause ?? 'none');
    return {
      fleet,
      accountId: label.id,
      scenario: label.scenario,
      expectedVerdict: label.verdict,
      expected: label.topCause,
      actualVerdict: explained.verdict,
      actual,
      confidence:
        top && (explained.verdict === 'loss' || explained.verdict === 'slowdown')
          ? top.confidence
          : Number.NaN,
    };
  });
}

/** Scenarios in which nothing happened to the likes: ordinary nights and gaps in the monitor's data. */
const QUIET_SCENARIOS: ReadonlySet<Scenario> = new Set<Scenario>([
  'ordinary',
  'viral_spike',
  ...DATA_GAP_SCENARIOS,
]);

const CALIBRATION_EDGES = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001];

/** Computes every score from records. */
export function scoreRecords(records: EvalRecord[]): EvalReport {
  const confusion = Object.fromEntries(
    TOP_LABELS.map((expected) => [
      expected,
      Object.fromEntries(TOP_LABELS.map((actual) => [actual, 0])),
    ]),
  ) as Record<TopLabel, Record<TopLabel, number>>;
  for (const record of records) confusion[record.expected][record.actual] += 1;
  const perLabel = {} as EvalReport['perLabel'];
  const f1s: number[] = [];
  for (const label of TOP_LABELS) {
    const truePositives = confusion[label][label];
    const expectedCount = TOP_LABELS.reduce((sum, actual) => sum + confusion[label][actual], 0);
    const predictedCount = TOP_LABELS.reduce(
      (sum, expected) => sum + confusion[expected][label],
      0,
    );
    const recall = expectedCount > 0 ? truePositives / expectedCount : Number.NaN;
    const precision = predictedCount > 0 ? truePositives / predictedCount : Number.NaN;
    const f1 =
      expectedCount === 0 && predictedCount === 0
        ? Number.NaN
        : truePositives === 0
          ? 0
          : (2 * precision * recall) / (precision + recall);
    if (!Number.isNaN(f1)) f1s.push(f1);
    perLabel[label] = { count: expectedCount, accuracy: recall, precision, recall, f1 };
  }
  const quiet = records.filter((record) => QUIET_SCENARIOS.has(record.scenario));
  const alarms = quiet.filter(
    (record) => record.actualVerdict === 'loss' || record.actualVerdict === 'slowdown',
  );
  const events = records.filter(
    (record) => record.expectedVerdict === 'loss' || record.expectedVerdict === 'slowdown',
  );
  const detected = events.filter(
    (record) => record.actualVerdict === 'loss' || record.actualVerdict === 'slowdown',
  );
  const calibration: CalibrationBin[] = [];
  for (let index = 1; index < CALIBRATION_EDGES.length; index += 1) {
    const low = CALIBRATION_EDGES[index - 1] as number;
    const high = CALIBRATION_EDGES[index] as number;
    const inBin = records.filter((record) => record.confidence >= low && record.confidence < high);
    calibration.push({
      low,
      high: Math.min(1, high),
      count: inBin.length,
      meanConfidence:
        inBin.reduce((sum, record) => sum + record.confidence, 0) / Math.max(1, inBin.length),
      accuracy:
        inBin.filter((record) => record.actual === record.expected).length /
        Math.max(1, inBin.length),
    });
  }
  return {
    records,
    confusion,
    perLabel,
    accuracy:
      records.filter((record) => record.actual === record.expected).length /
      Math.max(1, records.length),
    falseAlarmRate: alarms.length / Math.max(1, quiet.length),
    detectionRecall: detected.length / Math.max(1, events.length),
    macroF1: f1s.reduce((sum, f1) => sum + f1, 0) / Math.max(1, f1s.length),
    calibration,
  };
}

/**
 * How much history the engine is given: all the simulation made (the default), or what the digest tick reads
 * (`days` back from the night's end, and only one poll a day before its last `rawDays`).
 */
export interface HistoryRead {
  days: number;
  rawDays: number;
}

/** Simulates a labelled fleet per seed, explains it and scores the whole set. */
export function evaluateSeeds(
  seeds: readonly number[],
  accountsPerFleet: number,
  history?: HistoryRead,
): EvalReport {
  const records: EvalRecord[] = [];
  seeds.forEach((seed, fleet) => {
    const labelled = simulateFleet({ seed, accounts: accountsPerFleet });
    const read = history ? readAsTheTickDoes(labelled, history) : labelled;
    records.push(...compareWithLabels(labelled, explainFleet(read.fleet), fleet));
  });
  return scoreRecords(records);
}

/** The fleet as the digest tick would read it from the store (see {@link HistoryRead}). */
function readAsTheTickDoes(labelled: LabelledFleet, history: HistoryRead): LabelledFleet {
  const asOf = Date.parse(labelled.labels.asOf);
  const from = asOf - history.days * DAY_MS;
  const rawFrom = new Date(asOf - history.rawDays * DAY_MS);
  const accounts = labelled.fleet.accounts.map((account) => ({
    ...account,
    polls: thinHistory(
      account.polls.filter((poll) => Date.parse(poll.at) >= from),
      rawFrom,
    ),
  }));
  return { ...labelled, fleet: { ...labelled.fleet, accounts } };
}

const percent = (value: number) =>
  Number.isNaN(value) ? '   -' : `${(value * 100).toFixed(1).padStart(5)}%`;

/** A plain-text report: confusion matrix, per-label scores, headline figures and calibration. */
export function formatReport(report: EvalReport): string {
  const short: Record<TopLabel, string> = {
    fake_engagement_purge: 'purge',
    inactive_account_cleanup: 'cleanup',
    content_removed_or_restricted: 'removed',
    reach_limited: 'reach',
    audience_shift: 'audience',
    platform_glitch: 'glitch',
    organic_unlikes: 'unlikes',
    none: 'none',
    unknown: 'unknown',
  };
  const width = 9;
  const lines: string[] = [];
  lines.push(
    `Account-nights: ${report.records.length}`,
    '',
    'Confusion matrix (rows: expected, columns: engine)',
  );
  lines.push(
    `${''.padEnd(width)}${TOP_LABELS.map((label) => short[label].padStart(width)).join('')}`,
  );
  for (const expected of TOP_LABELS) {
    const row = TOP_LABELS.map((actual) =>
      String(report.confusion[expected][actual]).padStart(width),
    ).join('');
    lines.push(`${short[expected].padEnd(width)}${row}`);
  }
  lines.push('', `${'label'.padEnd(width)}  count  accuracy  precision      F1`);
  for (const label of TOP_LABELS) {
    const score = report.perLabel[label];
    lines.push(
      `${short[label].padEnd(width)}  ${String(score.count).padStart(5)}    ${percent(score.accuracy)}     ${percent(score.precision)}  ${percent(score.f1)}`,
    );
  }
  lines.push(
    '',
    `Top cause correct (overall accuracy): ${percent(report.accuracy)}`,
    `False-alarm rate (ordinary nights and data gaps called loss/slowdown): ${percent(report.falseAlarmRate)}`,
    `Detection recall (loss/slowdown nights detected): ${percent(report.detectionRecall)}`,
    `Macro-F1: ${percent(report.macroF1)}`,
    '',
    'Calibration (top-cause confidence vs observed accuracy)',
    '  bin          count  mean conf  accuracy',
  );
  for (const bin of report.calibration) {
    lines.push(
      `  ${bin.low.toFixed(1)}–${bin.high.toFixed(1)}    ${String(bin.count).padStart(5)}     ${percent(bin.meanConfidence)}    ${percent(bin.accuracy)}`,
    );
  }
  return lines.join('\n');
}
