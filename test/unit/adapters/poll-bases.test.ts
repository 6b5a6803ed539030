import { describe, expect, it } from 'vitest';
import { baseSlotOf, MissingBaseError, pollBase } from '../../../adapters/dynamodb/poll-bases.ts';
import { decodePoll, encodePoll } from '../../../adapters/dynamodb/poll-codec.ts';
import type { Poll, VideoStats } from '../../../core/model.ts';

const video = (id: string, postedAt: string, likes: number): VideoStats => ({
  id,
  postedAt,
  views: likes * 20,
  likes,
  comments: 3,
  shares: 1,
  url: `https://www.tiktok.com/@a/video/${id}`,
});

const poll = (at: string, videos: VideoStats[]): Poll => ({
  at,
  status: 'ok',
  profile: { followers: 10, following: 1, likes: 100, videos: videos.length },
  videos,
});

const OLD = [
  video('7682091707885597519', '2026-11-20T10:00:00Z', 500),
  video('7682091707885597520', '2026-11-18T10:00:00Z', 900),
  video('7682091707885597521', '2026-11-15T10:00:00Z', 40),
];
const BASE_SLOT = '2026-12-01T02:00:00.000Z';
const base = poll('2026-12-01T02:00:04Z', OLD);

describe('polls that refer to their day first poll', () => {
  it('finds the day first slot at the cadence', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(baseSlotOf(at('2026-12-01T14:00:00Z'), 6)).toBe(at(BASE_SLOT));
    expect(baseSlotOf(at('2026-12-01T02:00:00Z'), 6)).toBe(at(BASE_SLOT));
    expect(baseSlotOf(at('2026-12-01T23:30:00Z'), 1)).toBe(at('2026-12-01T00:30:00Z'));
  });

  it('decodes a later poll exactly, with a new video, a reordered list and a changed posting time', () => {
    const later = poll('2026-12-01T14:00:03Z', [
      video('7682091707885597599', '2026-12-01T12:00:00Z', 7),
      { ...(OLD[1] as VideoStats), likes: 905 },
      { ...(OLD[0] as VideoStats), likes: 498, postedAt: '2026-11-20T10:00:01Z' },
      { ...(OLD[2] as VideoStats), likes: 41 },
    ]);
    const referring = encodePoll(later, pollBase(BASE_SLOT, base));
    const bases = (slot: string) => (slot === BASE_SLOT ? pollBase(slot, base) : undefined);
    expect(decodePoll(referring, bases)).toEqual(later);
  });

  it('leaves the ids and posting times of an account of 50 videos out of its later polls', () => {
    // TikTok's ids: the posting second in the high 32 bits, 32 bits that look random below.
    let state = 12345;
    const fifty = Array.from({ length: 50 }, (_, index) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const seconds = Date.parse('2026-11-30T10:00:00Z') / 1000 - index * 90_000;
      const id = ((BigInt(seconds) << 32n) | BigInt(state)).toString();
      return video(
        id,
        new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'),
        100 + index * 37,
      );
    });
    const later = poll(
      '2026-12-01T14:00:03Z',
      fifty.map((each) => ({ ...each, likes: each.likes + 3 })),
    );
    const referring = encodePoll(later, pollBase(BASE_SLOT, poll(base.at, fifty)));
    // Each listed video's id and posting time give way to a one-byte reference.
    expect(referring.length).toBeLessThan(encodePoll(later).length - 50 * 4);
  });

  it('refuses to decode a referring poll without its base, naming the slot', () => {
    const later = poll('2026-12-01T14:00:03Z', OLD);
    const referring = encodePoll(later, pollBase(BASE_SLOT, base));
    expect(() => decodePoll(referring)).toThrow(MissingBaseError);
    expect(() => decodePoll(referring)).toThrow(BASE_SLOT);
  });

  it('writes a poll whole when nothing in it is in the base', () => {
    const later = poll('2026-12-01T14:00:03Z', [
      video('7682091707885597600', '2026-12-01T13:00:00Z', 2),
    ]);
    expect(decodePoll(encodePoll(later, pollBase(BASE_SLOT, base)))).toEqual(later);
  });

  it('refers only to an ok base', () => {
    expect(pollBase(BASE_SLOT, { ...base, status: 'partial' } as Poll)).toBeUndefined();
  });
});
