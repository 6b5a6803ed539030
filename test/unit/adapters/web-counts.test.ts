import { describe, expect, it } from 'vitest';
import {
  atDisplayPrecision,
  RoundingEvidence,
  readCounts,
} from '../../../adapters/tiktok/web-counts.ts';
import { VIDEO_COUNTS } from '../../../adapters/tiktok/web-page-schemas.ts';

describe('atDisplayPrecision', () => {
  it.each([
    [999, false],
    [18_900, true],
    [18_909, false],
    [866_000, true],
    [14_200_000, true],
    [14_250_000, false],
    [1_200_000_000, true],
  ])('should say whether %i could be a figure TikTok rounded for display', (count, expected) => {
    expect(atDisplayPrecision(count)).toBe(expected);
  });
});

describe('readCounts', () => {
  it('should take statsV2 first, fall back to stats per counter, and accept counters sent as strings', () => {
    // Prepare: statsV2 lacks the saves; stats sends them as a string (as real video pages do).
    const evidence = new RoundingEvidence();
    const item = {
      stats: {
        playCount: 1_800_000,
        diggCount: 22_600,
        commentCount: 16_000,
        shareCount: 259,
        collectCount: '2787',
      },
      statsV2: {
        playCount: '1776621',
        diggCount: '22609',
        commentCount: '15955',
        shareCount: '259',
      },
    };
    // Act
    const { counts, problems } = readCounts(item, VIDEO_COUNTS, evidence);
    // Assess
    expect(problems).toEqual([]);
    expect(counts).toEqual({
      playCount: 1_776_621,
      diggCount: 22_609,
      commentCount: 15_955,
      shareCount: 259,
      collectCount: 2_787,
    });
    // 2,787 came from the rounded stats: the counts may be rounded.
    expect(evidence.rounded).toBe(true);
  });

  it('should name a counter given in neither, and ignore an overflowed one statsV2 replaces', () => {
    const evidence = new RoundingEvidence();
    const { counts, problems } = readCounts(
      {
        stats: { playCount: -977_433_948, commentCount: 3 },
        statsV2: { playCount: '11907467940' },
      },
      VIDEO_COUNTS,
      evidence,
    );
    expect(counts.playCount).toBe(11_907_467_940);
    expect(problems).toEqual([
      { field: 'stats.diggCount', problem: 'missing' },
      { field: 'stats.shareCount', problem: 'missing' },
    ]);
  });

  it('should judge statsV2 that repeats display-rounded values as rounded, and exact values as exact', () => {
    const rounded = new RoundingEvidence();
    readCounts(
      {
        stats: { playCount: 866_000, diggCount: 18_900, commentCount: 120, shareCount: 14 },
        statsV2: { playCount: '866000', diggCount: '18900', commentCount: '120', shareCount: '14' },
      },
      VIDEO_COUNTS,
      rounded,
    );
    expect(rounded.rounded).toBe(true);

    const exact = new RoundingEvidence();
    readCounts(
      {
        statsV2: { playCount: '866000', diggCount: '18913', commentCount: '120', shareCount: '14' },
      },
      VIDEO_COUNTS,
      exact,
    );
    // One counter off display precision shows the page's statsV2 are exact.
    expect(exact.rounded).toBe(false);
  });
});
