import { describe, expect, it } from 'vitest';
import { createDemoWorld, createWorld } from '../../../../core/simulate/world.ts';
import { HOUR_MS } from '../../../../core/time.ts';

const start = new Date('2026-11-10T00:00:00Z');
const end = new Date('2026-11-24T06:00:00Z');

describe('createDemoWorld', () => {
  it('is deterministic for a seed', () => {
    const first = createDemoWorld({ seed: 11, start, end });
    const second = createDemoWorld({ seed: 11, start, end });
    expect(second.dropAccountId).toBe(first.dropAccountId);
    expect(second.dropAt).toEqual(first.dropAt);
    for (const account of first.world.accounts) {
      const at = new Date('2026-11-20T13:37:00Z');
      expect(second.world.observe(account.id, at)).toEqual(first.world.observe(account.id, at));
    }
    const other = createDemoWorld({ seed: 12, start, end });
    expect(other.world.accounts.map((account) => account.id)).not.toEqual(
      first.world.accounts.map((account) => account.id),
    );
  });

  it('has five accounts and a purge of hundreds to thousands of likes about 4 hours before the end', () => {
    const demo = createDemoWorld({ seed: 3, start, end });
    expect(demo.world.accounts).toHaveLength(5);
    expect(demo.dropCause).toBe('fake_engagement_purge');
    expect(end.getTime() - demo.dropAt.getTime()).toBeGreaterThanOrEqual(3 * HOUR_MS);
    expect(end.getTime() - demo.dropAt.getTime()).toBeLessThanOrEqual(5 * HOUR_MS);
    const before = demo.world.observe(
      demo.dropAccountId,
      new Date(demo.dropAt.getTime() - HOUR_MS),
    );
    const after = demo.world.observe(demo.dropAccountId, demo.dropAt);
    const likesBefore = new Map(before.videos.map((video) => [video.id, video.likes]));
    let lost = 0;
    for (const video of after.videos)
      lost += Math.max(0, (likesBefore.get(video.id) ?? 0) - video.likes);
    expect(lost).toBeGreaterThan(300);
    expect(lost).toBeLessThan(5_000);
  });

  it('never lets views go down and lists videos newest first with their url', () => {
    const demo = createDemoWorld({ seed: 5, start, end });
    for (const account of demo.world.accounts) {
      const lastViews = new Map<string, number>();
      for (let at = start.getTime(); at <= end.getTime(); at += 3 * HOUR_MS) {
        const observation = demo.world.observe(account.id, new Date(at));
        expect(observation.profile.videos).toBe(observation.videos.length);
        const posted = observation.videos.map((video) => video.postedAt);
        expect(posted).toEqual([...posted].sort().reverse());
        for (const video of observation.videos) {
          expect(video.views).toBeGreaterThanOrEqual(lastViews.get(video.id) ?? 0);
          expect(video.saves).toBeNull();
          lastViews.set(video.id, video.views);
        }
      }
      const first = demo.world.observe(account.id, end).videos[0];
      expect(first?.url).toBe(`https://www.tiktok.com/@${account.handle}/video/${first?.id}`);
    }
  });

  it('throws for an unknown account and for instants outside the span', () => {
    const demo = createDemoWorld({ seed: 5, start, end });
    expect(() => demo.world.observe('nope', end)).toThrow(/unknown account/);
    const id = demo.dropAccountId;
    expect(() => demo.world.observe(id, new Date(end.getTime() + HOUR_MS))).toThrow(RangeError);
  });
});

describe('createWorld', () => {
  it('removes videos from the public list and restores glitched counts', () => {
    const world = createWorld({
      seed: 1,
      start,
      end,
      accounts: [
        {
          id: '1',
          handle: 'one',
          displayName: 'One',
          initialVideos: 20,
          postingIntervalHours: 24,
          medianViews: 50_000,
          likeRate: 0.06,
          followers: 10_000,
          events: [
            {
              cause: 'content_removed_or_restricted',
              at: new Date('2026-11-20T00:00:00Z'),
              videoCount: 2,
            },
            {
              cause: 'platform_glitch',
              at: new Date('2026-11-22T00:00:00Z'),
              durationHours: 3,
              mode: 'zero',
            },
          ],
        },
      ],
    });
    const removed = world.outcomes.find(
      (outcome) => outcome.cause === 'content_removed_or_restricted',
    );
    const listed = (at: string) => world.observe('1', new Date(at)).videos.map((video) => video.id);
    expect(listed('2026-11-19T23:00:00Z')).toEqual(expect.arrayContaining(removed?.videoIds ?? []));
    expect(listed('2026-11-20T00:00:00Z')).not.toEqual(
      expect.arrayContaining(removed?.videoIds ?? []),
    );
    expect(world.observe('1', new Date('2026-11-22T01:00:00Z')).profile.likes).toBe(0);
    expect(world.observe('1', new Date('2026-11-22T04:00:00Z')).profile.likes).toBeGreaterThan(0);
  });
});
