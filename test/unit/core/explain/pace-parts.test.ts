import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CurvePair,
  cumulativeViews,
  curveFromSlopes,
  fitCurve,
  PRIOR_CURVE,
  viewsBetween,
} from '../../../../core/explain/age-curve.ts';
import { backtest, type ExpectationModel } from '../../../../core/explain/expectation.ts';
import { explainFleet } from '../../../../core/explain/index.ts';
import { dayNodes } from '../../../../core/explain/nodes.ts';
import { polish } from '../../../../core/explain/reach-levels.ts';
import { type AccountSeries, buildSeries } from '../../../../core/explain/series.ts';
import {
  median,
  medianInPlace,
  weightedMedian,
  weightedMedianInPlace,
} from '../../../../core/explain/stats.ts';
import type { Poll } from '../../../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../../../core/time.ts';
import { thinFleet } from '../../../../eval/densities.ts';
import { AS_OF, scenarioFleet } from './helpers.ts';

describe('medians', () => {
  it('medianInPlace agrees with median on any list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1 }),
        (list) => {
          expect(medianInPlace(Float64Array.from(list), list.length)).toBeCloseTo(median(list), 9);
        },
      ),
    );
  });

  it('weightedMedianInPlace agrees with weightedMedian on any weighted list', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            value: fc.integer({ min: -50, max: 50 }),
            weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
          }),
          { minLength: 1 },
        ),
        (pairs) => {
          const values = pairs.map((pair) => pair.value);
          const weights = pairs.map((pair) => pair.weight);
          expect(
            weightedMedianInPlace(
              Float64Array.from(values),
              Float64Array.from(weights),
              pairs.length,
            ),
          ).toBe(weightedMedian(values, weights));
        },
      ),
    );
  });

  it('weightedMedian is the value half the weight lies on either side of', () => {
    expect(weightedMedian([1, 2, 3], [1, 1, 10])).toBe(3);
    expect(weightedMedian([1, 2, 3], [10, 1, 1])).toBe(1);
    expect(weightedMedian([5], [1])).toBe(5);
  });
});

describe('the age curve', () => {
  it('accumulates views that only grow with age', () => {
    let previous = 0;
    for (const hours of [0.5, 1, 6, 12, 24, 48, 96, 240, 600, 2_000]) {
      const views = cumulativeViews(PRIOR_CURVE, hours);
      expect(views).toBeGreaterThan(previous);
      previous = views;
    }
    expect(viewsBetween(PRIOR_CURVE, -5, 10)).toBeCloseTo(cumulativeViews(PRIOR_CURVE, 10), 9);
  });

  it('learns a steeper decay from videos that slow down faster than the prior says', () => {
    // Videos of many ages, each seen over two consecutive days, decaying as age^-2.5 (the prior is about -1.6).
    const truth = curveFromSlopes([-0.5, -2.5, -2.5, -2.5, -2.5, -2.5]);
    const pairs: CurvePair[] = [];
    for (let video = 0; video < 60; video += 1) {
      const age = 30 + video * 8;
      const first = viewsBetween(truth, age, age + 24);
      const second = viewsBetween(truth, age + 24, age + 48);
      pairs.push({
        group: 1,
        logRatio: Math.log(second / first),
        ages: [age, age + 24, age + 24, age + 48],
        weight: 40,
      });
    }
    const fitted = fitCurve(pairs);
    // Shrunk towards the prior, but clearly moved towards the truth where videos' ages differ most (a day
    // changes a young video's log age much more than an old one's, so the old bands learn slowly).
    for (const band of [2, 3]) {
      expect(fitted.slopes[band]).toBeLessThan((PRIOR_CURVE.slopes[band] as number) - 0.25);
      expect(fitted.slopes[band]).toBeGreaterThan(-2.6);
    }
  });

  it('keeps the prior where there is nothing to learn from', () => {
    expect(fitCurve([]).slopes).toEqual(PRIOR_CURVE.slopes);
  });
});

describe('day-aligned nodes', () => {
  const { fleet } = scenarioFleet({ historyDays: 45, plan: { cadenceHours: 1 } });
  const nodesOf = (density: 'full' | 'sparse') => {
    const account = thinFleet(fleet, AS_OF, density).accounts[0]!;
    const series = buildSeries(account, AS_OF.getTime() - 62 * DAY_MS, AS_OF.getTime());
    return dayNodes(series, AS_OF.getTime(), AS_OF.getTime() - 62 * DAY_MS);
  };

  it('are a day apart on hourly polls, the window opened by one near its start', () => {
    const nodes = nodesOf('full');
    const gaps = nodes.times.slice(1).map((time, index) => time - (nodes.times[index] as number));
    for (const gap of gaps) expect(Math.abs(gap - DAY_MS)).toBeLessThanOrEqual(6 * HOUR_MS);
    expect(nodes.anchor).toBe(nodes.rows.length - 2);
    expect(
      Math.abs((nodes.times[nodes.anchor] as number) - (AS_OF.getTime() - DAY_MS)),
    ).toBeLessThanOrEqual(HOUR_MS);
  });

  it('step as far as thinned history makes them, and still bracket the window', () => {
    const nodes = nodesOf('sparse');
    const gaps = nodes.times.slice(1).map((time, index) => time - (nodes.times[index] as number));
    expect(Math.max(...gaps)).toBeGreaterThan(9 * DAY_MS);
    expect(nodes.anchor).toBe(nodes.rows.length - 2);
  });

  it('open the window at a neighbouring poll when its opening poll failed on a twice-daily cadence', () => {
    const opens = AS_OF.getTime() - DAY_MS;
    const { fleet: twiceDaily } = scenarioFleet({
      historyDays: 20,
      plan: { cadenceHours: 12 },
      edit: (polls) =>
        polls.map(
          (poll): Poll =>
            Math.abs(Date.parse(poll.at) - opens) < HOUR_MS
              ? { at: poll.at, status: 'failed', reason: 'timeout' }
              : poll,
        ),
    });
    const account = twiceDaily.accounts[0]!;
    const series = buildSeries(account, AS_OF.getTime() - 22 * DAY_MS, AS_OF.getTime());
    const nodes = dayNodes(series, AS_OF.getTime(), AS_OF.getTime() - 22 * DAY_MS);
    expect(nodes.anchor).toBe(nodes.rows.length - 2);
    const distance = Math.abs((nodes.times[nodes.anchor] as number) - opens);
    expect(distance).toBeGreaterThan(8 * HOUR_MS);
    expect(distance).toBeLessThanOrEqual(13 * HOUR_MS);
    expect(
      explainFleet(twiceDaily, { asOf: AS_OF }).accounts[0]?.likes.baselineGain,
    ).toBeGreaterThan(0);
  });
});

describe('the backtest', () => {
  // One old video whose expectation is 10 likes a day (100 views a day at 10%), nodes a day apart.
  const days = 41;
  const model: ExpectationModel = {
    series: {
      videoCount: 1,
      likes: new Float64Array(days).fill(0),
      postedAt: Float64Array.of(-1e12),
    } as unknown as AccountSeries,
    cumulative: Float64Array.from({ length: days }, (_, node) => node * 100),
    nodeTimes: Array.from({ length: days }, (_, node) => node * DAY_MS),
    sizes: Float64Array.of(0),
    likeRates: Float64Array.of(0.1),
    typicalSize: 0,
    typicalRate: 0.1,
    level: 0,
  };
  /** An interval between nodes (days) whose likes miss the expectation by `residual` (log). */
  const interval = (from: number, to: number, residual: number) => ({
    fromNode: from,
    toNode: to,
    toRow: to,
    likes: (10 * (to - from) + 1) * Math.exp(residual) - 1,
  });

  it('reads a ten-day miss as it is where the account has nights of its own', () => {
    // Three ordinary nights and one ten-day stretch 70% over: the expectation was off for days, which says
    // nothing of how far one night strays. Scaled as ten nights' worth, it would widen the band past the prior.
    const { spread } = backtest(
      model,
      [interval(5, 15, 0.7), interval(17, 18, 0), interval(18, 19, 0.09), interval(19, 20, -0.09)],
      20 * DAY_MS,
    );
    expect(spread).toBeLessThan(0.5);
  });

  it('lets a ten-day sum stand for ten nights where there are no nights at all', () => {
    // Ten-day sums 40% off either way: single nights must stray much further than that.
    const { bias, spread } = backtest(
      model,
      [interval(0, 10, 0.4), interval(10, 20, -0.4), interval(20, 30, 0.4), interval(30, 40, -0.4)],
      40 * DAY_MS,
    );
    expect(Math.abs(bias)).toBeLessThan(0.01);
    expect(spread).toBeGreaterThan(0.6);
  });
});

describe('the reach fit', () => {
  it('reads a limit begun days before the window from the videos measured before it, not as their size', () => {
    // Fourteen days before the window and tonight; every video's views at a fifth of their pace from day 10.
    // Four older videos were measured all along; four newer ones, which carry the account, for three days
    // before the limit. Read from all their days, the newer videos' sizes take the limit in, and the fit calls
    // the days before it high instead.
    const intervals = 15;
    const preCount = 14;
    const settledCount = 10;
    const videos = 8;
    const limit = Math.log(0.2);
    const cells = new Float64Array(videos * intervals).fill(Number.NaN);
    const shapes = new Float64Array(videos * intervals);
    for (let video = 0; video < videos; video += 1) {
      const older = video < 4;
      for (let interval = older ? 0 : 7; interval < intervals; interval += 1) {
        const noise = 0.05 * Math.sin(video * 7 + interval * 3);
        cells[video * intervals + interval] = (interval >= settledCount ? limit : 0) + noise;
        shapes[video * intervals + interval] = older ? 10 : 1_000;
      }
    }
    const { sizes, levels } = polish(cells, shapes, videos, intervals, preCount, settledCount);
    for (const size of sizes) expect(Math.abs(size)).toBeLessThan(0.1);
    const before = median([...levels.slice(0, settledCount)]);
    expect(Math.abs((levels[preCount] as number) - before - limit)).toBeLessThan(0.1);
  });
});
