import { describe, expect, it } from 'vitest';
import { PRIOR_CURVE } from '../../../../core/explain/age-curve.ts';
import { frozenVideos } from '../../../../core/explain/frozen.ts';
import { explainFleet } from '../../../../core/explain/index.ts';
import { restrictedFinding } from '../../../../core/explain/restricted.ts';
import type { PaceSummary } from '../../../../core/explain/slowdown.ts';
import type { Fleet } from '../../../../core/model.ts';
import { HOUR_MS } from '../../../../core/time.ts';
import { thinFleet } from '../../../../eval/densities.ts';
import { generateSpecFleet } from '../../../../eval/spec-world/index.ts';
import {
  AS_OF,
  inWindow,
  paceSummary,
  STILL_FLEET,
  seriesWithVideo,
  WINDOW_FROM,
} from './helpers.ts';

const RESTRICTED_ID = '7999999999999999998';

describe('a video restricted in its first hours', () => {
  it('is seen even when no poll saw it before the night, from its pace since it went up', () => {
    // Posted five hours before the night and first listed by the night's opening poll with 500 views, it then
    // creeps on by a view and a half an hour: a few percent of what its first hours promised.
    const postedAt = inWindow(-5).getTime();
    const series = seriesWithVideo(
      RESTRICTED_ID,
      postedAt,
      WINDOW_FROM.getTime(),
      (at) => 500 + 1.5 * ((at - WINDOW_FROM.getTime()) / HOUR_MS),
    );
    const frozen = frozenVideos(series, PRIOR_CURVE, WINDOW_FROM.getTime(), AS_OF.getTime());
    expect(frozen.map((entry) => series.videoIds[entry.video])).toEqual([RESTRICTED_ID]);
    expect(frozen[0]?.sinceMs).toBe(WINDOW_FROM.getTime());
  });
});

describe('a restricted video as the night’s slowdown', () => {
  // Tonight brought 100 likes where the account expected 1,000, and a video that stopped was expected 900 of
  // them; the last week ran at 40 likes an hour.
  const night = paceSummary({
    likes: 100,
    views: 2_000,
    expected: { likes: 1_000, views: 20_000, newLikes: 0 },
    weekRate: 40,
    weekLowest: 20,
    frozen: [
      {
        id: RESTRICTED_ID,
        sinceMs: inWindow(2).getTime(),
        expectedLikes: 900,
        accountLikes: 0,
      },
    ],
  });

  it('is a restriction when the night is below every night of the last week', () => {
    expect(restrictedFinding(night, STILL_FLEET)?.cause).toBe('content_removed_or_restricted');
  });

  it('counts a video stopped in its first hours at its own pace, even without the last week poll by poll', () => {
    // A night of the spec world: the account's newest video, posted a few hours before the night opened, was
    // restricted in its first hours, and no poll saw it before the night's first one. With history thinned to
    // a poll a week no night of the last week is measured, which leaves out the account's usual new video, not
    // what this video's own pace since it went up promised.
    const { fleet, asOf, labels } = generateSpecFleet({ seed: 2_658_121_366, accounts: 30 });
    expect(labels[27]?.scenario).toBe('restricted');
    const account = fleet.accounts[27] as Fleet['accounts'][number];
    const weekly = thinFleet({ ...fleet, accounts: [account] }, new Date(asOf), 'weekly');
    const [night] = explainFleet(weekly, { asOf: new Date(asOf) }).accounts;
    expect(night?.verdict).toBe('slowdown');
    expect(night?.causes[0]?.cause).toBe('content_removed_or_restricted');
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
    expect(restrictedFinding(promisedLittle, STILL_FLEET)?.cause).toBe(
      'content_removed_or_restricted',
    );
    expect(
      restrictedFinding({ ...promisedLittle, weekLowest: Number.NaN }, STILL_FLEET),
    ).toBeUndefined();
  });

  it('is not one when the account had a night as slow in its last week: that is one of its usual nights', () => {
    expect(restrictedFinding({ ...night, weekLowest: 3 }, STILL_FLEET)).toBeUndefined();
  });

  it('is not one when tonight is more than half of the last week’s level', () => {
    expect(
      restrictedFinding({ ...night, weekRate: 8, weekLowest: Number.NaN }, STILL_FLEET),
    ).toBeUndefined();
  });
});
