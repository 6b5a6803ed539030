/**
 * Reports of an evaluation, as Markdown: a headline table over every generator and density, then one table per
 * generator and density with each label's accuracy and the calibration of the engine's confidence.
 */
import { DENSITY_NAMES, type HistoryDensity } from './densities.ts';
import { CALIBRATION_MIN_COUNT, type EvalReport, TOP_LABELS } from './score.ts';
import type { WorldName } from './worlds.ts';

/** What the engine must reach on every generator at every density. */
export const TARGETS = {
  accuracy: 0.95,
  falseAlarmRate: 0.01,
  labelAccuracy: 0.85,
  calibrationGap: 0.05,
};

/** One generator's reports, per density. */
export interface WorldReports {
  world: WorldName;
  description: string;
  reports: Map<HistoryDensity, EvalReport>;
}

const percent = (value: number) => (Number.isNaN(value) ? '–' : `${(value * 100).toFixed(1)}%`);

/** The weakest label of a report and its accuracy. */
function weakestLabel(report: EvalReport): { label: string; accuracy: number } {
  let weakest = { label: '–', accuracy: Number.POSITIVE_INFINITY };
  for (const label of TOP_LABELS) {
    const score = report.perLabel[label];
    if (score.count > 0 && score.accuracy < weakest.accuracy)
      weakest = { label, accuracy: score.accuracy };
  }
  return weakest;
}

/** Which targets a report misses (empty when it meets them all). */
export function missedTargets(report: EvalReport): string[] {
  const missed: string[] = [];
  if (report.accuracy < TARGETS.accuracy) missed.push(`accuracy ${percent(report.accuracy)}`);
  if (report.falseAlarmRate > TARGETS.falseAlarmRate)
    missed.push(`false alarms ${percent(report.falseAlarmRate)}`);
  for (const label of TOP_LABELS) {
    const score = report.perLabel[label];
    if (score.count > 0 && score.accuracy < TARGETS.labelAccuracy)
      missed.push(`${label} ${percent(score.accuracy)}`);
  }
  if (report.worstCalibrationGap > TARGETS.calibrationGap)
    missed.push(`calibration ${(report.worstCalibrationGap * 100).toFixed(1)} points`);
  return missed;
}

/** The headline table: one row per generator and density. */
export function headlineTable(all: readonly WorldReports[]): string {
  const lines = [
    '| Generator | History | Nights | Accuracy | False alarms | Weakest label | Calibration gap | Targets |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { world, reports } of all) {
    for (const [density, report] of reports) {
      const weakest = weakestLabel(report);
      const missed = missedTargets(report);
      lines.push(
        `| ${world} | ${density} | ${report.records.length} | ${percent(report.accuracy)} | ${percent(report.falseAlarmRate)} | ${weakest.label} ${percent(weakest.accuracy)} | ${(report.worstCalibrationGap * 100).toFixed(1)} pts | ${missed.length === 0 ? 'met' : `missed: ${missed.join(', ')}`} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The detailed tables of one generator at one density. */
export function detailTables(
  world: WorldName,
  density: HistoryDensity,
  report: EvalReport,
): string {
  const lines = [
    `#### ${world}, ${density} (${DENSITY_NAMES[density]})`,
    '',
    `${report.records.length} account-nights: accuracy ${percent(report.accuracy)}, false alarms ${percent(report.falseAlarmRate)}, detection recall ${percent(report.detectionRecall)}, macro-F1 ${percent(report.macroF1)}.`,
    '',
    '| Expected | Nights | Accuracy | Precision | Most often mistaken for |',
    '|---|---|---|---|---|',
  ];
  for (const label of TOP_LABELS) {
    const score = report.perLabel[label];
    if (score.count === 0) continue;
    const row = report.confusion[label];
    const mistaken = TOP_LABELS.filter((other) => other !== label && row[other] > 0)
      .sort((a, b) => row[b] - row[a])
      .slice(0, 2)
      .map((other) => `${other} (${row[other]})`)
      .join(', ');
    lines.push(
      `| ${label} | ${score.count} | ${percent(score.accuracy)} | ${percent(score.precision)} | ${mistaken || '–'} |`,
    );
  }
  lines.push('', '| Confidence | Nights | Mean confidence | Right |', '|---|---|---|---|');
  for (const bin of report.calibration) {
    if (bin.count === 0) continue;
    const flag = bin.count >= CALIBRATION_MIN_COUNT ? '' : ' (too few to judge)';
    lines.push(
      `| ${bin.low.toFixed(2)}–${bin.high.toFixed(2)} | ${bin.count}${flag} | ${percent(bin.meanConfidence)} | ${percent(bin.accuracy)} |`,
    );
  }
  return lines.join('\n');
}
