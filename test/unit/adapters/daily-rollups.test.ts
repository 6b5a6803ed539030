import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRollup, encodeRollup, rollUpDay } from '../../../adapters/dynamodb/daily-rollups.ts';
import type { Poll } from '../../../core/model.ts';

const video = (likes: number) => ({
  id: '7117663869073591598',
  postedAt: '2026-11-01T10:00:00Z',
  views: 1_000,
  likes,
  comments: 3,
  shares: 1,
  title: 'Morning routine #12',
  url: 'https://www.tiktok.com/@creator/video/7117663869073591598',
});
const poll = (at: string, likes: number): Poll => ({
  at,
  status: 'ok',
  profile: { followers: 10, following: 1, likes, videos: 1 },
  videos: [video(likes)],
});

describe('daily roll-ups', () => {
  it('should keep the day’s last poll with its counts but without titles and URLs, and the like range', async () => {
    // Arrange
    const polls = [poll('2026-11-24T18:00:00Z', 90), poll('2026-11-24T06:00:00Z', 100)];
    // Act
    const rollup = decodeRollup(encodeRollup(rollUpDay('2026-11-24', polls)));
    // Assert
    const { title: _title, url: _url, ...counts } = video(90);
    expect(rollup.last).toEqual({ ...poll('2026-11-24T18:00:00Z', 90), videos: [counts] });
    expect(rollup.videoLikes).toEqual([{ id: counts.id, min: 90, max: 100 }]);
    expect(rollup.profileLikes).toEqual({ min: 90, max: 100 });
    expect(rollup.polls).toBe(2);
  });

  it('should keep the range of a video that the day’s last poll no longer lists', async () => {
    // Arrange: a second video is seen in the morning, then gone by the evening's poll.
    const morning: Poll = {
      at: '2026-11-24T06:00:00Z',
      status: 'ok',
      profile: { followers: 10, following: 1, likes: 140, videos: 2 },
      videos: [video(100), { ...video(40), id: '7117663869073591599' }],
    };
    const evening = poll('2026-11-24T18:00:00Z', 120);
    // Act
    const rollup = decodeRollup(encodeRollup(rollUpDay('2026-11-24', [morning, evening])));
    // Assert
    expect(rollup.videoLikes).toEqual([
      { id: '7117663869073591598', min: 100, max: 120 },
      { id: '7117663869073591599', min: 40, max: 40 },
    ]);
  });

  it('should still read roll-ups written in format 1 (JSON columns)', () => {
    // Arrange
    const columns = {
      day: '2026-11-24',
      polls: 3,
      failed: 1,
      last: { at: '2026-11-24T18:00:00Z', status: 'failed', reason: 'timeout' },
      profileLikes: [90, 100],
      videoLikes: { id: ['7117663869073591598'], min: [90], max: [100] },
    };
    // Act
    const rollup = decodeRollup(brotliCompressSync(Buffer.from(JSON.stringify(columns))));
    // Assert
    expect(rollup).toEqual({
      day: '2026-11-24',
      polls: 3,
      failed: 1,
      last: { at: '2026-11-24T18:00:00Z', status: 'failed', reason: 'timeout' },
      profileLikes: { min: 90, max: 100 },
      videoLikes: [{ id: '7117663869073591598', min: 90, max: 100 }],
    });
  });
});
