import { describe, expect, it } from 'vitest';
import { analyzeAccount } from '../../../../core/explain/account.ts';
import { PRIOR_CURVE } from '../../../../core/explain/age-curve.ts';
import { fleetPace } from '../../../../core/explain/fleet-pace.ts';
import { frozenVideos } from '../../../../core/explain/frozen.ts';
import { explainFleet } from '../../../../core/explain/index.ts';
import type { AccountSeries } from '../../../../core/explain/series.ts';
import { judgeSlowdown } from '../../../../core/explain/slowdown.ts';
import { likeRateSlide } from '../../../../core/explain/video-performance.ts';
import type { Fleet, Poll } from '../../../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../../../core/time.ts';
import { thinFleet } from '../../../../eval/densities.ts';
import { roundCount } from '../../../../eval/spec-world/observe.ts';
import {
  AS_OF,
  inWindow,
  paceSummary,
  STILL_FLEET,
  scenarioFleet,
  seriesWithVideo,
  WINDOW_FROM,
} from './helpers.ts';

const explain = (fleet: Fleet) => explainFleet(fleet, { asOf: AS_OF }).accounts[0]!;

describe('the baseline on any cadence', () => {
  it('gives an ordinary night a baseline and a band that holds its gain, even from a poll every ten days', () => {
    const { fleet } = scenarioFleet({ historyDays: 45 });
    for (const density of ['full', 'store', 'sparse', 'weekly'] as const) {
      const account = explain(thinFleet(fleet, AS_OF, density));
      expect(account.verdict, density).toBe('none');
      expect(account.likes.baselineGain, density).toBeGreaterThan(0);
      const band = account.likes.baselineBand;
      expect(band?.low, density).toBeLessThanOrEqual(account.likes.gained);
      expect(band?.high, density).toBeGreaterThanOrEqual(account.likes.gained);
      expect(band?.low).toBeLessThan(account.likes.baselineGain ?? 0);
      expect(band?.high).toBeGreaterThan(account.likes.baselineGain ?? 0);
    }
  });

  it('finds an abrupt break in reach when older history is one poll per ten days', () => {
    const { fleet } = scenarioFleet({
      historyDays: 45,
      events: [
        { cause: 'reach_limited', at: new Date(AS_OF.getTime() - 2.5 * DAY_MS), factor: 0.1 },
      ],
    });
    const account = explain(thinFleet(fleet, AS_OF, 'sparse'));
    expect(account.verdict).toBe('slowdown');
    expect(account.causes[0]?.cause).toBe('reach_limited');
    expect(account.likes.gained).toBeLessThan(0.5 * (account.likes.baselineGain ?? 0));
  });

  it('finds a reach limit begun days before the night, with history beyond four days one poll per ten days', () => {
    // The daily polls of the last four days are all the age curve can learn from there, and the limit is in
    // them: read as ageing, it would hide itself.
    for (const seed of [1, 2, 3]) {
      const limited = scenarioFleet({
        seed,
        historyDays: 30,
        events: [
          { cause: 'reach_limited', at: new Date(AS_OF.getTime() - 3.5 * DAY_MS), factor: 0.25 },
        ],
      });
      const account = explain(thinFleet(limited.fleet, AS_OF, 'sparse'));
      expect(account.causes[0]?.cause, `seed ${seed}`).toBe('reach_limited');
      const ordinary = scenarioFleet({ seed, historyDays: 30 });
      expect(explain(thinFleet(ordinary.fleet, AS_OF, 'sparse')).verdict, `seed ${seed}`).toBe(
        'none',
      );
    }
  });

  it('reads the reach level through a limit that leaves rounded views too coarse to count one by one', () => {
    // Views shown to three significant digits, as the web app shows them: an established video's day of 1,000
    // to 5,000 views moves by steps of 1,000. Under a limit every video's day shrinks under its rounding, so
    // leaving out coarse days by what they gained would leave nothing to read the limit from.
    const rounded = (polls: Poll[]): Poll[] =>
      polls.map((poll) =>
        poll.status === 'failed'
          ? poll
          : {
              ...poll,
              rounded: true,
              videos: poll.videos.map((video) => ({
                ...video,
                views: roundCount(video.views),
                likes: roundCount(video.likes),
              })),
            },
      );
    const reachOf = (fleet: Fleet) =>
      analyzeAccount(fleet.accounts[0]!, WINDOW_FROM.getTime(), AS_OF.getTime()).pace.reach;
    for (const seed of [1, 5]) {
      const options = { seed, historyDays: 21, scenario: { medianViews: 100_000 }, edit: rounded };
      const limited = scenarioFleet({
        ...options,
        events: [
          { cause: 'reach_limited', at: new Date(AS_OF.getTime() - 30 * HOUR_MS), factor: 0.15 },
        ],
      });
      expect(Math.exp(reachOf(limited.fleet)?.shift ?? Number.NaN), `seed ${seed}`).toBeLessThan(
        0.3,
      );
      expect(explain(limited.fleet).causes[0]?.cause).toBe('reach_limited');
      const ordinary = scenarioFleet(options);
      expect(
        Math.exp(reachOf(ordinary.fleet)?.shift ?? Number.NaN),
        `seed ${seed}`,
      ).toBeGreaterThan(0.5);
      expect(explain(ordinary.fleet).verdict).toBe('none');
    }
  });

  it("finds a reach limit from the whole account's collapse when its established videos fell less plainly", () => {
    // Likes and views at a quarter of the expectation, likes per view unchanged; the established videos at
    // 55% of their level, not far enough under it to stand alone.
    const collapsed = paceSummary({
      likes: 250,
      views: 5_000,
      expected: { likes: 1_000, views: 20_000, newLikes: 0 },
      reach: { shift: Math.log(0.55), error: 0.05, videos: 20 },
    });
    expect(judgeSlowdown(collapsed, STILL_FLEET)?.cause).toBe('reach_limited');
    // Established videos at their usual level: the collapse is the new videos', which a reach limit is not alone.
    const steady = { ...collapsed, reach: { shift: Math.log(0.9), error: 0.05, videos: 20 } };
    expect(judgeSlowdown(steady, STILL_FLEET)).toBeUndefined();
  });

  it("reads tonight's traffic from the fleet's established videos when its likes alone fell", () => {
    // The established videos at a quarter of their level, the night's likes at 60% of the expectation, the
    // last week read poll by poll (its slowest night brought 960 likes).
    const broken = paceSummary({
      likes: 600,
      views: 12_000,
      expected: { likes: 1_000, views: 20_000, newLikes: 0 },
      reach: { shift: Math.log(0.25), error: 0.05, videos: 20 },
      weekLowest: 40,
    });
    expect(judgeSlowdown(broken, STILL_FLEET)?.cause).toBe('reach_limited');
    // The fleet's likes at 55% of their expectations but its established videos at their level: accounts in
    // trouble of their own, not a lull, so the 60% night is still a fall with the break...
    const troubledFleet = { ...STILL_FLEET, night: Math.log(0.55) };
    const limited = judgeSlowdown(broken, troubledFleet);
    expect(limited?.cause).toBe('reach_limited');
    // ...and as its likes did not fall further than the fleet's, the evidence does not set them against it.
    expect(limited?.measures.fleetShare).toBeUndefined();
    expect(
      judgeSlowdown({ ...broken, likes: 200 }, troubledFleet)?.measures.fleetShare,
    ).toBeCloseTo(0.55);
    // A true lull lowers the fleet's established videos too: then the 60% night is the lull's.
    const lull = { ...troubledFleet, reach: Math.log(0.55) };
    const inLull = { ...broken, reach: { shift: Math.log(0.25 * 0.55), error: 0.05, videos: 20 } };
    expect(judgeSlowdown(inLull, lull)).toBeUndefined();
    // Without the last week poll by poll, the fleet's likes stay the yardstick.
    expect(judgeSlowdown({ ...broken, weekLowest: Number.NaN }, troubledFleet)).toBeUndefined();
  });

  it("calls a collapse read from the account's totals alone a reach limit only when slower than the last week's nights", () => {
    // No established video measured: the night was to bring 400 likes (a new video most of them) and brought 40.
    const collapsed = paceSummary({
      likes: 40,
      views: 800,
      expected: { likes: 400, views: 8_000, newLikes: 300 },
    });
    expect(judgeSlowdown(collapsed, STILL_FLEET)?.cause).toBe('reach_limited');
    // The slowest of the last week's nights brought 36 likes: tonight is no slower, the new video fell short.
    expect(judgeSlowdown({ ...collapsed, weekLowest: 1.5 }, STILL_FLEET)).toBeUndefined();
    // Slower than every one of them, it is a collapse.
    expect(judgeSlowdown({ ...collapsed, weekLowest: 5 }, STILL_FLEET)?.cause).toBe(
      'reach_limited',
    );
  });

  it("calls a young account's collapse a reach limit only when it holds without its new videos' promise", () => {
    // Three days of history: the night was to bring 400 likes, 300 of them from a new video, and brought 60.
    const young = paceSummary({
      likes: 60,
      views: 1_200,
      expected: { likes: 400, views: 8_000, newLikes: 300 },
      historyDays: 3,
    });
    // 60 likes are more than half of what the videos other than the new one were to bring: the new video fell
    // short, which says nothing of the account's reach.
    expect(judgeSlowdown(young, STILL_FLEET)).toBeUndefined();
    // Under half of that too, the whole account collapsed.
    expect(judgeSlowdown({ ...young, likes: 40, views: 800 }, STILL_FLEET)?.cause).toBe(
      'reach_limited',
    );
    // With weeks of history the same night is judged as before (its last week unmeasured here).
    expect(judgeSlowdown({ ...young, historyDays: 60 }, STILL_FLEET)?.cause).toBe('reach_limited');
  });

  /** A fleet of `count` accounts; `factor(index)` is the share of its usual traffic each gets tonight. */
  const fleetTonight = (count: number, seed: number, factor: (index: number) => number) => {
    const accounts = Array.from({ length: count }, (_, index) => {
      const { fleet } = scenarioFleet({
        seed: seed + index,
        historyDays: count > 4 ? 20 : 50,
        scenario: {
          id: `70000000000000000${index}`,
          handle: `lull_${index}`,
          ...(count > 4 ? {} : { postingIntervalHours: 24 + 6 * index }),
        },
        events:
          factor(index) < 1
            ? [{ cause: 'reach_limited', at: inWindow(0), factor: factor(index) }]
            : [],
      });
      return fleet.accounts[0]!;
    });
    return explainFleet({ format: 'likewatch.fleet/v1', accounts }, { asOf: AS_OF }).accounts;
  };

  it("does not call a whole fleet's quiet night a slowdown of each account", () => {
    // Every account of the fleet gets 45% of its usual views tonight: traffic, not one account's reach.
    for (const account of fleetTonight(6, 40, () => 0.45))
      expect(account.verdict).not.toBe('slowdown');
  });

  it('takes a quiet night all of three accounts share as traffic, and still finds one account limited among them', () => {
    // Judged alone, two of these three accounts would be reach limits on this night.
    for (const account of fleetTonight(3, 70, () => 0.45))
      expect(account.verdict).not.toBe('slowdown');
    const [limited, ...others] = fleetTonight(3, 70, (index) => (index === 0 ? 0.15 : 1));
    expect(limited?.causes[0]?.cause).toBe('reach_limited');
    for (const account of others) expect(account.verdict).toBe('none');
  });

  it('says a long outage in the night was not seen, even with a poll at each end', () => {
    const { fleet } = scenarioFleet({
      plan: { cadenceHours: 1 },
      edit: (polls) =>
        polls.map((poll): Poll => {
          const at = Date.parse(poll.at);
          return at > AS_OF.getTime() - 21 * HOUR_MS && at < AS_OF.getTime() - HOUR_MS
            ? { at: poll.at, status: 'failed', reason: 'timeout' }
            : poll;
        }),
    });
    expect(explain(fleet).verdict).toBe('unknown');
  });
});

describe('causes on one account alone', () => {
  it('finds a cleanup on a daily-polled account with a handful of videos', () => {
    const { fleet } = scenarioFleet({
      scenario: { initialVideos: 8, medianViews: 300_000, postingIntervalHours: 200 },
      plan: { cadenceHours: 24 },
      events: [{ cause: 'inactive_account_cleanup', at: inWindow(10), fraction: 0.006 }],
    });
    const account = explain(fleet);
    expect(account.verdict).toBe('loss');
    expect(account.causes[0]?.cause).toBe('inactive_account_cleanup');
  });

  it('sees a video that stops being shown while it stays listed, and no other', () => {
    // A new video takes off (4,000 views an hour) and, four hours into the night, stops being shown: it stays
    // listed, its views creep on at a fraction of a percent of that pace.
    const postedAt = inWindow(-3).getTime();
    const frozenAt = inWindow(4).getTime();
    const viewsAt = (at: number) =>
      at <= frozenAt
        ? 4_000 * ((at - postedAt) / HOUR_MS)
        : 4_000 * ((frozenAt - postedAt) / HOUR_MS) + 10 * ((at - frozenAt) / HOUR_MS);
    const series = seriesWithVideo(RESTRICTED_ID, postedAt, postedAt, viewsAt);
    const frozen = frozenVideos(series, PRIOR_CURVE, WINDOW_FROM.getTime(), AS_OF.getTime());
    expect(frozen.map((entry) => series.videoIds[entry.video])).toEqual([RESTRICTED_ID]);
    expect(frozen[0]?.sinceMs).toBe(frozenAt);
    // Its own pace promised thousands more views; the likes follow at its 8%.
    expect(frozen[0]?.expectedViews).toBeGreaterThan(10_000);
    expect(frozen[0]?.expectedLikes).toBeCloseTo(0.08 * (frozen[0]?.expectedViews ?? 0), -1);
  });
});

const RESTRICTED_ID = '7999999999999999999';

describe('a slow slide of taste', () => {
  // An account that used to bring 100 likes an hour and brought 30 an hour tonight, whose newer videos earn
  // a third of what older ones did, at lower likes per view: every measure of a slide, tonight.
  const slid = paceSummary({
    likes: 720,
    views: 24_000,
    expected: { likes: 1_000, views: 30_000, newLikes: 0 },
    oldRate: 100,
    weekRate: 40,
    newerVideos: 0.35,
    videoTrend: -0.5,
    newerLikeRate: 0.6,
  });

  it('is an audience shift when the last week slid too', () => {
    expect(judgeSlowdown(slid, STILL_FLEET)?.cause).toBe('audience_shift');
  });

  it('is not one when the last week ran at the old level: one short night is no slide built over weeks', () => {
    expect(judgeSlowdown({ ...slid, weekRate: 95 }, STILL_FLEET)).toBeUndefined();
  });

  it("is not one when tonight's own videos would have brought about as much at the old performance", () => {
    // Tonight beat its expectation (which knows what was posted when): the shortfall is the videos' ages.
    const aheadOfExpectation = { ...slid, expected: { likes: 300, views: 9_000, newLikes: 0 } };
    expect(judgeSlowdown(aheadOfExpectation, STILL_FLEET)).toBeUndefined();
  });

  it("takes the whole fleet's drift off the old level, but no more than a quarter of it", () => {
    // Ten accounts with weeks of history, each at `share` of its old level over the last week.
    const fleetAt = (...shares: number[]) =>
      fleetPace(shares.map((share) => paceSummary({ oldRate: 100, weekRate: 100 * share })));
    const drifted = judgeSlowdown(slid, fleetAt(...Array(10).fill(0.85)));
    expect(drifted?.baseline).toBeCloseTo(0.85 * 100 * 24);
    // Six of ten sliding pull the median to 0.45: that is accounts in trouble, not traffic, and the slide
    // is still judged against three quarters of the old level.
    const troubled = judgeSlowdown(slid, fleetAt(...Array(6).fill(0.45), ...Array(4).fill(1)));
    expect(troubled?.cause).toBe('audience_shift');
    expect(troubled?.baseline).toBeCloseTo(0.75 * 100 * 24);
  });

  it("counts tonight's likes per view against the older videos' as one more sign of the slide", () => {
    // Far under the old level, the last week a little short, newer videos a little less liked per view:
    // suggestive, not enough alone...
    const suggestive = { ...slid, weekRate: 60, newerVideos: 0.9, newerLikeRate: 0.75 };
    expect(judgeSlowdown(suggestive, STILL_FLEET)).toBeUndefined();
    expect(judgeSlowdown({ ...suggestive, likeRateSlide: 0.6 }, STILL_FLEET)).toBeUndefined();
    // ...until tonight's views brought well under half the likes the older videos' likes per view promised.
    expect(judgeSlowdown({ ...suggestive, likeRateSlide: 0.35 }, STILL_FLEET)?.cause).toBe(
      'audience_shift',
    );
  });
});

describe("tonight's likes per view against older videos'", () => {
  const from = AS_OF.getTime() - DAY_MS;
  // Ten videos, one every five days back from two days before the window; likes per view were 10% on those
  // posted three weeks back and more, and fall steadily on newer ones (down to 4% on the newest).
  const posted = Array.from({ length: 10 }, (_, index) => from - (2 + 5 * index) * DAY_MS);
  const rates = posted.map((at) => {
    const daysBack = (from - at) / DAY_MS;
    return daysBack >= 21 ? 0.1 : 0.1 - (0.06 * (21 - daysBack)) / 19;
  });
  // Two polls: the window's opening and end; each video gains 100 likes tonight.
  const series = {
    videoCount: 10,
    postedAt: Float64Array.from(posted),
    times: Float64Array.from([from, AS_OF.getTime()]),
    likes: Float64Array.from([...posted.map(() => 1_000), ...posted.map(() => 1_100)]),
  } as unknown as AccountSeries;
  const nodes = { rows: [0, 1], anchor: 0 };

  it('is under 1 when newer videos are liked less per view, and the newest weigh most', () => {
    const share = likeRateSlide(series, { likeRates: Float64Array.from(rates) }, nodes, from);
    // At the old likes per view the night would have brought about a third more (the newest video, posted
    // after the newer ones compared, is taken further down the same line).
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
  });

  it('is 1 when likes per view held, and unmeasured with too few older videos', () => {
    const held = Float64Array.from(rates.map(() => 0.1));
    expect(likeRateSlide(series, { likeRates: held }, nodes, from)).toBeCloseTo(1, 9);
    const young = Float64Array.from(rates.map((rate, index) => (index < 5 ? rate : Number.NaN)));
    expect(likeRateSlide(series, { likeRates: young }, nodes, from)).toBeNaN();
  });
});
