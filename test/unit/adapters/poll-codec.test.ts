import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../adapters/dynamodb/binary-columns.ts';
import { compress, decodePoll, encodePoll } from '../../../adapters/dynamodb/poll-codec.ts';
import type { Poll } from '../../../core/model.ts';
import { simulateFleet } from '../../../core/simulate/fleet.ts';

describe('poll codec', () => {
  it('should give back every field exactly: absent and null apart, instants in their own spelling', async () => {
    // Arrange
    const poll: Poll = {
      at: '2026-11-24T06:00:00.250Z',
      status: 'partial',
      rounded: true,
      reason: 'missing_pages',
      videos: [
        {
          id: '7117663869073591598',
          postedAt: '2022-07-08T17:06:40Z',
          views: 1,
          likes: 2,
          comments: 3,
          shares: 4,
          saves: null,
          url: 'https://www.tiktok.com/@a/video/7117663869073591598?lang=en',
        },
        {
          id: 'v2',
          postedAt: '2022-07-08T17:06:40.000Z',
          views: 0,
          likes: 0,
          comments: 0,
          shares: 0,
          title: '',
          url: 'odd\u0000url',
        },
        {
          id: 'v3',
          postedAt: '2022-07-09T00:00:00Z',
          views: 5,
          likes: 5,
          comments: 0,
          shares: 0,
          saves: 7,
        },
      ],
    };
    const failed: Poll = {
      at: '2026-11-24T12:00:00Z',
      status: 'failed',
      detail: 'timeout after 10 s',
    };
    // Act / Assert
    expect(decodePoll(encodePoll(poll))).toStrictEqual(poll);
    expect(decodePoll(encodePoll(failed))).toStrictEqual(failed);
  });

  it('should store simulated polls in well under the size of their gzip’ed JSON', async () => {
    // Arrange
    const polls = simulateFleet({ seed: 1, accounts: 3 }).fleet.accounts.flatMap((a) => a.polls);
    // Act
    const bodies = polls.map((poll) => encodePoll(poll));
    const compact = bodies.reduce((sum, body) => sum + body.length, 0);
    const gzipped = polls.reduce((sum, poll) => sum + gzipSync(JSON.stringify(poll)).length, 0);
    // Assert
    expect(bodies.map((body) => decodePoll(body))).toStrictEqual(polls);
    expect(compact).toBeLessThan(gzipped * 0.8);
  });

  it('should spell ids across the 32-bit halves exactly, on every read of the same body', () => {
    // Arrange: ids around 2^32 and 2^53, where one half carries into the other or a double would round.
    const ids = [
      '4294967295',
      '4294967296',
      '4294967297',
      '9007199254740993',
      '9223372036854775808',
      '18446744069414584320',
    ];
    const poll: Poll = {
      at: '2026-11-24T06:00:00Z',
      status: 'partial',
      videos: ids.map((id) => ({
        id,
        postedAt: '2026-11-20T00:00:00Z',
        views: 1,
        likes: 1,
        comments: 0,
        shares: 0,
      })),
    };
    const body = encodePoll(poll);
    // Act: the second read is answered from remembered spellings.
    const first = decodePoll(body);
    const second = decodePoll(body);
    // Assert
    expect(first).toStrictEqual(poll);
    expect(second).toStrictEqual(poll);
  });

  it('should keep 64-bit ids and counts up to 2^53 exact', async () => {
    // Arrange: ids at the ends of the unsigned 64-bit range, posted out of order, huge counts.
    const poll: Poll = {
      at: '2026-11-24T06:00:00Z',
      status: 'ok',
      profile: { followers: Number.MAX_SAFE_INTEGER, following: 0, likes: 2 ** 40, videos: 3 },
      videos: [
        {
          id: '18446744073709551615',
          postedAt: '2026-11-20T00:00:00Z',
          views: Number.MAX_SAFE_INTEGER,
          likes: 2 ** 31,
          comments: 0,
          shares: 127,
          saves: 0,
        },
        {
          id: '0',
          postedAt: '2001-01-01T00:00:00Z',
          views: 128,
          likes: 0,
          comments: 16_383,
          shares: 16_384,
        },
        {
          id: '7300000000000000001',
          postedAt: '2026-11-23T23:59:59Z',
          views: 1,
          likes: 1,
          comments: 1,
          shares: 1,
          saves: null,
        },
      ],
    };
    // Act
    const decoded = decodePoll(encodePoll(poll));
    // Assert
    expect(decoded).toStrictEqual(poll);
  });

  it('should still read bodies written in format 1 (JSON columns)', () => {
    // Arrange: a body as the first format wrote it.
    const columns = {
      at: '2026-11-24T06:00:00Z',
      status: 'partial',
      reason: 'missing_pages',
      profile: [10, 2, 50, 2],
      videos: {
        id: ['7117663869073591598', 'v2'],
        postedAt: [1657300000, '2022-07-09T00:00:00.000Z'],
        views: [100, 5],
        likes: [50, 0],
        comments: [1, 0],
        shares: [0, 0],
        saves: [-1, null],
        title: ['Hello', null],
        url: ['https://www.tiktok.com/@a/video/\u0000', null],
      },
    };
    const body = brotliCompressSync(Buffer.from(JSON.stringify(columns)));
    // Act
    const poll = decodePoll(body);
    // Assert
    expect(poll).toStrictEqual({
      at: '2026-11-24T06:00:00Z',
      status: 'partial',
      reason: 'missing_pages',
      profile: { followers: 10, following: 2, likes: 50, videos: 2 },
      videos: [
        {
          id: '7117663869073591598',
          postedAt: '2022-07-08T17:06:40Z',
          views: 100,
          likes: 50,
          comments: 1,
          shares: 0,
          title: 'Hello',
          url: 'https://www.tiktok.com/@a/video/7117663869073591598',
        },
        {
          id: 'v2',
          postedAt: '2022-07-09T00:00:00.000Z',
          views: 5,
          likes: 0,
          comments: 0,
          shares: 0,
          saves: null,
        },
      ],
    });
  });

  it('should refuse a body cut short rather than return part of a poll', async () => {
    // Arrange
    const polls = simulateFleet({ seed: 2, accounts: 1 }).fleet.accounts.flatMap((a) => a.polls);
    const poll = polls.find((candidate) => candidate.status === 'ok') as Poll;
    const body = encodePoll(poll);
    // Act / Assert
    expect(() => decodePoll(body.subarray(0, Math.floor(body.length / 2)))).toThrow();
  });

  it('should keep the archived flag of a Research API poll', () => {
    const poll: Poll = {
      at: '2026-11-24T06:00:00Z',
      status: 'ok',
      archived: true,
      profile: { followers: 10, following: 1, likes: 5, videos: 1 },
      videos: [
        {
          id: '7301',
          postedAt: '2026-11-20T00:00:00Z',
          views: 9,
          likes: 5,
          comments: 0,
          shares: 0,
        },
      ],
    };
    expect(decodePoll(encodePoll(poll))).toStrictEqual(poll);
  });

  it('should keep what a partial poll says it left out, and why', () => {
    const poll: Poll = {
      at: '2026-11-24T06:00:00Z',
      status: 'partial',
      archived: true,
      reason: 'invalid_item',
      detail: '1 item left out (video 7320768149928955182: like_count missing)',
      rejected: [{ video: '7320768149928955182', field: 'like_count', problem: 'missing' }],
      profile: { followers: 10, following: 1, likes: 5, videos: 2 },
      videos: [],
    };
    expect(decodePoll(encodePoll(poll))).toStrictEqual(poll);
  });

  it('should refuse a body whose header or columns are not a poll', () => {
    /** A format-2 body with `header` as its JSON part and `columns` (varints, or raw bytes) after it. */
    const body = (header: unknown, columns: Array<number | Uint8Array> = []) => {
      const writer = new ByteWriter();
      writer.byte(2);
      writer.json(header);
      for (const value of columns) {
        if (typeof value === 'number') writer.varint(value);
        else writer.raw(value);
      }
      return compress(writer.bytes());
    };
    const video = { count: 1, ids: ['7301'] };
    const good = { at: '2026-11-24T06:00:00Z', status: 'partial', videos: video };
    // Posting time, views, likes, comments, shares.
    const counts = [1_700_000_000 * 2, 9, 5, 0, 0];
    expect(decodePoll(body(good, counts))).toMatchObject({ status: 'partial' });
    expect(() => decodePoll(body({ ...good, at: 'yesterday' }, counts))).toThrow(/at/);
    expect(() => decodePoll(body({ ...good, status: 'fine' }, counts))).toThrow(/status/);
    expect(() => decodePoll(body({ ...good, reason: 'bad_luck' }, counts))).toThrow(/reason/);
    expect(() => decodePoll(body({ ...good, videos: { ...video, ids: [''] } }, counts))).toThrow();
    expect(() =>
      decodePoll(body({ ...good, videos: { ...video, ids: ['1', '2'] } }, counts)),
    ).toThrow(/id column/);
    expect(() => decodePoll(body({ ...good, status: 'ok' }, counts))).toThrow(/profile/);
    expect(() => decodePoll(body({ at: good.at, status: 'partial' }))).toThrow(/videos/);
    // 2^53 as a varint (seven empty groups, then 16 × 2^49): more than the writer would ever write.
    const tooLarge = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10);
    expect(() => decodePoll(body(good, [counts[0] as number, tooLarge, 5, 0, 0]))).toThrow(/2\^53/);
  });
});
