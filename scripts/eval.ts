/**
 * `npm run eval`: scores the explanation engine on freshly simulated labelled fleets.
 *
 * The fleets come from evaluation seeds that development and the test suite never use, so the figures say how
 * the engine does on nights it was not tuned on. Several sweeps (one per evaluation seed) show the spread; the
 * pooled report has the confusion matrix, per-label accuracy, false alarms, recall, macro-F1 and calibration.
 */

import {
  type EvalReport,
  evaluateSeeds,
  formatReport,
  scoreRecords,
} from '../core/simulate/evaluation.ts';
import { hashSeed } from '../core/simulate/random.ts';
import { DEFAULT_HISTORY_DAYS, RAW_HISTORY_DAYS } from '../core/thinned-history.ts';

/** One sweep per seed; each sweep simulates FLEETS_PER_SWEEP fleets of ACCOUNTS_PER_FLEET accounts. */
const EVAL_SEEDS = [90_001, 90_002, 90_003];
const FLEETS_PER_SWEEP = 12;
const ACCOUNTS_PER_FLEET = 30;

const TARGETS = {
  accuracy: 0.9,
  falseAlarmRate: 0.02,
  calibrationGap: 0.1,
  calibrationMinCount: 20,
};

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** What the digest tick reads: eight weeks, the last one poll by poll, one poll a day before. */
const AS_THE_TICK_READS = { days: DEFAULT_HISTORY_DAYS, rawDays: RAW_HISTORY_DAYS };

function sweep(seed: number, history?: typeof AS_THE_TICK_READS): EvalReport {
  const fleetSeeds = Array.from({ length: FLEETS_PER_SWEEP }, (_, index) =>
    hashSeed('eval', seed, index),
  );
  return evaluateSeeds(fleetSeeds, ACCOUNTS_PER_FLEET, history);
}

const started = performance.now();
const sweeps = EVAL_SEEDS.map((seed) => ({ seed, report: sweep(seed) }));
const pooled = scoreRecords(sweeps.flatMap(({ report }) => report.records));

console.log(
  `likewatch engine evaluation: ${EVAL_SEEDS.length} sweeps × ${FLEETS_PER_SWEEP} fleets × ${ACCOUNTS_PER_FLEET} accounts`,
);
console.log('');
console.log('Per sweep');
for (const { seed, report } of sweeps) {
  console.log(
    `  seed ${seed}: ${report.records.length} account-nights, top cause ${percent(report.accuracy)}, false alarms ${percent(report.falseAlarmRate)}, recall ${percent(report.detectionRecall)}, macro-F1 ${percent(report.macroF1)}`,
  );
}
console.log('');
console.log('Pooled');
console.log(formatReport(pooled));
console.log('');
const worstGap = Math.max(
  0,
  ...pooled.calibration
    .filter((bin) => bin.count >= TARGETS.calibrationMinCount)
    .map((bin) => Math.abs(bin.meanConfidence - bin.accuracy)),
);
const checks = [
  [`top cause correct ≥ ${percent(TARGETS.accuracy)}`, pooled.accuracy >= TARGETS.accuracy],
  [
    `false alarms ≤ ${percent(TARGETS.falseAlarmRate)}`,
    pooled.falseAlarmRate <= TARGETS.falseAlarmRate,
  ],
  [
    `calibration within ${TARGETS.calibrationGap * 100} points per bin (bins of ≥ ${TARGETS.calibrationMinCount}; worst ${percent(worstGap)})`,
    worstGap <= TARGETS.calibrationGap,
  ],
] as const;
console.log('Targets');
for (const [name, met] of checks) console.log(`  ${met ? 'met   ' : 'MISSED'}  ${name}`);
console.log('');
const asRead = scoreRecords(EVAL_SEEDS.flatMap((seed) => sweep(seed, AS_THE_TICK_READS).records));
console.log(
  `As the digest tick reads history (${AS_THE_TICK_READS.days} days, one poll a day before the last ${AS_THE_TICK_READS.rawDays}):`,
);
console.log(
  `  top cause ${percent(asRead.accuracy)} (every poll: ${percent(pooled.accuracy)}), false alarms ${percent(asRead.falseAlarmRate)} (${percent(pooled.falseAlarmRate)}), recall ${percent(asRead.detectionRecall)} (${percent(pooled.detectionRecall)}), macro-F1 ${percent(asRead.macroF1)} (${percent(pooled.macroF1)})`,
);
console.log('');
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
