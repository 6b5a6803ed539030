import { describe, expect, it } from 'vitest';
import { withTitlesOncePerDay } from '../../../adapters/dynamodb/poll-titles.ts';
import type { Poll, VideoStats } from '../../../core/model.ts';

const video = (id: string, postedAt: string, title?: string): VideoStats => ({
  id,
  postedAt,
  views: 100,
  likes: 10,
  comments: 1,
  shares: 0,
  saves: null,
  ...(title === undefined ? {} : { title }),
  url: `https://www.tiktok.com/@maya.bakes/video/${id}`,
});

/** A poll at `at` of an old video and one posted at 10:00 on 24 November. */
const poll = (at: string): Poll => ({
  at,
  status: 'ok',
  profile: { followers: 10, following: 1, likes: 20, videos: 2 },
  videos: [
    video('1', '2026-11-24T10:00:00Z', 'Sourdough, day 3 #baking'),
    video('2', '2026-10-01T08:00:00Z', 'Croissants at 5am 🥐 #fyp'),
  ],
});

const titles = (stored: Poll) => ('videos' in stored ? stored.videos.map((v) => v.title) : []);

describe('withTitlesOncePerDay', () => {
  it('should keep every title in the first poll of the UTC day, its slot within the first cadence', () => {
    for (const at of ['2026-11-25T00:00:00Z', '2026-11-25T05:59:00Z']) {
      const stored = withTitlesOncePerDay(poll(at), Date.parse(at), 6);
      expect(stored).toEqual(poll(at));
    }
  });

  it('should keep, in the day’s later polls, only the titles of videos posted in the 24 hours before', () => {
    // Arrange: 18:00 on the 24th sees video 1 (posted at 10:00 that day); 12:00 on the 25th is past its day.
    const evening = '2026-11-24T18:00:00Z';
    const nextNoon = '2026-11-25T12:00:00Z';
    // Act
    const first = withTitlesOncePerDay(poll(evening), Date.parse(evening), 6);
    const second = withTitlesOncePerDay(poll(nextNoon), Date.parse(nextNoon), 6);
    // Assert: counts, ids and links stay; the title is left out, not emptied.
    expect(titles(first)).toEqual(['Sourdough, day 3 #baking', undefined]);
    expect(titles(second)).toEqual([undefined, undefined]);
    expect('videos' in second && second.videos.every((v) => !('title' in v))).toBe(true);
    const withoutTitles = (stored: Poll) =>
      'videos' in stored ? stored.videos.map(({ title: _title, ...counts }) => counts) : [];
    expect(withoutTitles(second)).toEqual(withoutTitles(poll(nextNoon)));
    expect({ ...second, videos: [] }).toEqual({ ...poll(nextNoon), videos: [] });
  });

  it('should keep every title at a daily cadence, and leave a failed poll as it is', () => {
    const at = '2026-11-25T19:00:00Z';
    expect(withTitlesOncePerDay(poll(at), Date.parse(at), 24)).toEqual(poll(at));
    const failed: Poll = { at, status: 'failed', reason: 'server_error' };
    expect(withTitlesOncePerDay(failed, Date.parse(at), 6)).toBe(failed);
  });
});
