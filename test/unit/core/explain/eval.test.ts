import { describe, expect, it } from 'vitest';
import { evaluateSeeds } from '../../../../core/simulate/evaluation.ts';
import { hashSeed } from '../../../../core/simulate/random.ts';
import { DEFAULT_HISTORY_DAYS, RAW_HISTORY_DAYS } from '../../../../core/thinned-history.ts';

// Test seeds: distinct from development and from `npm run eval`, fixed so the figures cannot slide unnoticed.
const TEST_FLEETS = Array.from({ length: 6 }, (_, index) => hashSeed('test', index));

const report = evaluateSeeds(TEST_FLEETS, 30);

describe('engine accuracy on labelled fleets (fixed seeds)', () => {
  it('covers every label', () => {
    for (const [label, score] of Object.entries(report.perLabel)) {
      expect(score.count, label).toBeGreaterThanOrEqual(3);
    }
  });

  it('gets the top cause right at least 90% of the time', () => {
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('raises at most 2% false alarms on ordinary nights and gaps in the data', () => {
    expect(report.falseAlarmRate).toBeLessThanOrEqual(0.02);
  });

  it('states confidences within 10 points of the observed accuracy (bins of 20 or more)', () => {
    for (const bin of report.calibration.filter((candidate) => candidate.count >= 20)) {
      expect(
        Math.abs(bin.meanConfidence - bin.accuracy),
        `${bin.low}–${bin.high}`,
      ).toBeLessThanOrEqual(0.1);
    }
  });
});

describe('engine accuracy on the history the digest tick reads (fixed seeds)', () => {
  // Eight weeks, the last one poll by poll and one poll a day before: what the store hands the tick.
  const asRead = evaluateSeeds(TEST_FLEETS, 30, {
    days: DEFAULT_HISTORY_DAYS,
    rawDays: RAW_HISTORY_DAYS,
  });

  it('keeps the top cause right at least 90% of the time, within a point of reading every poll', () => {
    expect(asRead.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(asRead.accuracy - report.accuracy)).toBeLessThanOrEqual(0.01);
  });

  it('raises at most 2% false alarms', () => {
    expect(asRead.falseAlarmRate).toBeLessThanOrEqual(0.02);
  });
});
