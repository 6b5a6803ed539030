import { describe, expect, it } from 'vitest';
import { PRIOR_CURVE } from '../../../../core/explain/age-curve.ts';
import { frozenVideos } from '../../../../core/explain/frozen.ts';
import { restrictedFinding } from '../../../../core/explain/restricted.ts';
import { buildSeries } from '../../../../core/explain/series.ts';
import type { FleetPace, PaceSummary } from '../../../../core/explain/slowdown.ts';
import { DAY_MS, formatInstant, HOUR_MS } from '../../../../core/time.ts';
import { AS_OF, inWindow, scenarioFleet, WINDOW_FROM } from './helpers.ts';

const RESTRICTED_ID = '7999999999999999998';

describe('a video restricted in its first hours', () => {
  it('is seen even when no poll saw it before the night, from its pace since it went up', () => {
    // Posted five hours before the night and first listed by the night's opening poll with 500 views, it then
    // creeps on by a view and a half an hour: a few percent of what its first hours promised.
    const postedAt = inWindow(-5).getTime();
    const { fleet } = scenarioFleet({
      scenario: { medianViews: 20_000, postingIntervalHours: 300 },
      edit: (polls) =>
        polls.map((poll) => {
          const at = Date.parse(poll.at);
          if (poll.status === 'failed' || at < WINDOW_FROM.getTime()) return poll;
          const views = Math.round(500 + 1.5 * ((at - WINDOW_FROM.getTime()) / HOUR_MS));
          const added = {
            id: RESTRICTED_ID,
            postedAt: formatInstant(postedAt),
            views,
            likes: Math.round(views * 0.08),
            comments: 0,
            shares: 0,
          };
          return { ...poll, videos: [added, ...poll.videos] };
        }),
    });
    const series = buildSeries(fleet.accounts[0]!, AS_OF.getTime() - 60 * DAY_MS, AS_OF.getTime());
    const frozen = frozenVideos(series, PRIOR_CURVE, WINDOW_FROM.getTime(), AS_OF.getTime());
    expect(frozen.map((entry) => series.videoIds[entry.video])).toEqual([RESTRICTED_ID]);
    expect(frozen[0]?.sinceMs).toBe(WINDOW_FROM.getTime());
  });
});

describe('a restricted video as the night’s slowdown', () => {
  // Tonight brought 100 likes where the account expected 1,000, and a video that stopped was expected 900 of
  // them; the last week ran at 40 likes an hour.
  const night: PaceSummary = {
    likes: 100,
    views: 2_000,
    hours: 24,
    expected: { likes: 1_000, views: 20_000 },
    spread: 0.3,
    reach: null,
    reachSpread: 0.2,
    lateShift: Number.NaN,
    rounded: false,
    engagement: 1,
    oldRate: Number.NaN,
    weekRate: 40,
    weekLowest: 20,
    newerVideos: Number.NaN,
    videoTrend: Number.NaN,
    newerLikeRate: Number.NaN,
    reachTrend: Number.NaN,
    likeRateSlide: Number.NaN,
    frozen: [
      {
        id: RESTRICTED_ID,
        sinceMs: inWindow(2).getTime(),
        expectedLikes: 900,
        accountLikes: 0,
        young: false,
      },
    ],
  };
  const still: FleetPace = { night: 0, reach: 0, late: 0, trend: 0, videos: 0 };

  it('is a restriction when the night is below every night of the last week', () => {
    expect(restrictedFinding(night, still)?.cause).toBe('content_removed_or_restricted');
  });

  it('counts a video found only through a young video’s allowances only when the last week is measured', () => {
    const young: PaceSummary = {
      ...night,
      frozen: [{ ...(night.frozen[0] as PaceSummary['frozen'][number]), young: true }],
    };
    expect(restrictedFinding(young, still)?.cause).toBe('content_removed_or_restricted');
    // Without the week poll by poll (sparse or weekly history), such a video says nothing.
    expect(restrictedFinding({ ...young, weekLowest: Number.NaN }, still)).toBeUndefined();
    expect(restrictedFinding({ ...night, weekLowest: Number.NaN }, still)?.cause).toBe(
      'content_removed_or_restricted',
    );
  });

  it('expects a stopped video at least what the account’s usual video got, but only with the week measured', () => {
    const promisedLittle: PaceSummary = {
      ...night,
      frozen: [
        {
          ...(night.frozen[0] as PaceSummary['frozen'][number]),
          expectedLikes: 10,
          accountLikes: 900,
        },
      ],
    };
    expect(restrictedFinding(promisedLittle, still)?.cause).toBe('content_removed_or_restricted');
    expect(restrictedFinding({ ...promisedLittle, weekLowest: Number.NaN }, still)).toBeUndefined();
  });

  it('is not one when the account had a night as slow in its last week: that is one of its usual nights', () => {
    expect(restrictedFinding({ ...night, weekLowest: 3 }, still)).toBeUndefined();
  });

  it('is not one when tonight is more than half of the last week’s level', () => {
    expect(
      restrictedFinding({ ...night, weekRate: 8, weekLowest: Number.NaN }, still),
    ).toBeUndefined();
  });
});
