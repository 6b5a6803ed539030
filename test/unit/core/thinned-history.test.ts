import { describe, expect, it } from 'vitest';
import type { Poll } from '../../../core/model.ts';
import { dayRepresentative, thinHistory } from '../../../core/thinned-history.ts';

const video = (likes: number) => ({
  id: 'v1',
  postedAt: '2026-11-01T00:00:00Z',
  views: 10 * likes,
  likes,
  comments: 0,
  shares: 0,
  title: 'Morning bake',
  url: 'https://www.tiktok.com/@maya/video/v1',
});
const ok = (at: string, likes: number): Poll => ({
  at,
  status: 'ok',
  profile: { followers: 1, following: 1, likes, videos: 1 },
  videos: [video(likes)],
});
const failed = (at: string): Poll => ({ at, status: 'failed', reason: 'timeout' });

describe('thinned history', () => {
  it('should let a day’s last ok poll stand for it, without titles and URLs; else its last poll', () => {
    const { title: _title, url: _url, ...counts } = video(12);
    expect(
      dayRepresentative([
        ok('2026-11-20T06:00:00Z', 10),
        ok('2026-11-20T12:00:00Z', 12),
        failed('2026-11-20T18:00:00Z'),
      ]),
    ).toEqual({ ...ok('2026-11-20T12:00:00Z', 12), videos: [counts] });
    expect(
      dayRepresentative([failed('2026-11-20T06:00:00Z'), failed('2026-11-20T18:00:00Z')]),
    ).toEqual(failed('2026-11-20T18:00:00Z'));
    expect(() => dayRepresentative([])).toThrow(RangeError);
  });

  it('should keep every poll from the UTC day of the cut on, and one a day before it', () => {
    // Arrange: two polls a day over three days.
    const polls = [
      ok('2026-11-20T06:00:00Z', 1),
      ok('2026-11-20T18:00:00Z', 2),
      ok('2026-11-21T06:00:00Z', 3),
      failed('2026-11-21T18:00:00Z'),
      ok('2026-11-22T06:00:00Z', 5),
      ok('2026-11-22T18:00:00Z', 6),
    ];
    // Act: cut in the middle of the 22nd.
    const thinned = thinHistory(polls, new Date('2026-11-22T12:00:00Z'));
    // Assert
    expect(thinned.map((poll) => poll.at)).toEqual([
      '2026-11-20T18:00:00Z',
      '2026-11-21T06:00:00Z',
      '2026-11-22T06:00:00Z',
      '2026-11-22T18:00:00Z',
    ]);
    expect(thinned.slice(2)).toEqual(polls.slice(4));
  });
});
