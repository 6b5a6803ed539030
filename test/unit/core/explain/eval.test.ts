import { describe, expect, it } from 'vitest';
import { evaluateSeeds } from '../../../../core/simulate/evaluation.ts';
import { hashSeed } from '../../../../core/simulate/random.ts';

// Test seeds: distinct from development and from `npm run eval`, fixed so the figures cannot slide unnoticed.
const TEST_FLEETS = Array.from({ length: 6 }, (_, index) => hashSeed('test', index));

describe('engine accuracy on labelled fleets (fixed seeds)', () => {
  const report = evaluateSeeds(TEST_FLEETS, 30);

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
