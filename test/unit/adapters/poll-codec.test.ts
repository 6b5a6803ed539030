import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePoll, encodePoll } from '../../../adapters/dynamodb/poll-codec.ts';
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
    expect(decodePoll(await encodePoll(poll))).toStrictEqual(poll);
    expect(decodePoll(await encodePoll(failed))).toStrictEqual(failed);
  });

  it('should store simulated polls in well under the size of their gzip’ed JSON', async () => {
    // Arrange
    const polls = simulateFleet({ seed: 1, accounts: 3 }).fleet.accounts.flatMap((a) => a.polls);
    // Act
    const bodies = await Promise.all(polls.map((poll) => encodePoll(poll)));
    const compact = bodies.reduce((sum, body) => sum + body.length, 0);
    const gzipped = polls.reduce((sum, poll) => sum + gzipSync(JSON.stringify(poll)).length, 0);
    // Assert
    expect(bodies.map((body) => decodePoll(body))).toStrictEqual(polls);
    expect(compact).toBeLessThan(gzipped * 0.8);
  });
});
