import type { FleetPace } from '../../../../core/explain/fleet-pace.ts';
import { type AccountSeries, buildSeries } from '../../../../core/explain/series.ts';
import type { PaceSummary } from '../../../../core/explain/slowdown.ts';
import type { Fleet, Poll } from '../../../../core/model.ts';
import { type PollingPlan, pollAccount } from '../../../../core/simulate/polls.ts';
import { Random } from '../../../../core/simulate/random.ts';
import {
  type AccountScenario,
  createWorld,
  type SimulatedWorld,
  type WorldEvent,
} from '../../../../core/simulate/world.ts';
import { DAY_MS, formatInstant, HOUR_MS } from '../../../../core/time.ts';

/** The end of the window every scenario test explains. */
export const AS_OF = new Date('2026-11-24T06:00:00Z');
export const WINDOW_FROM = new Date(AS_OF.getTime() - DAY_MS);

/** An instant `hours` after the window opens. */
export function inWindow(hours: number): Date {
  return new Date(WINDOW_FROM.getTime() + hours * HOUR_MS);
}

/** One account of ordinary size with optional events, polled on a plan, as a one-account fleet. */
export function scenarioFleet(options: {
  seed?: number;
  events?: WorldEvent[];
  scenario?: Partial<AccountScenario>;
  plan?: Partial<PollingPlan>;
  historyDays?: number;
  /** Rewrites the polls before they go into the fleet (to inject data gaps). */
  edit?: (polls: Poll[]) => Poll[];
}): { fleet: Fleet; world: SimulatedWorld } {
  const historyDays = options.historyDays ?? 14;
  const start = new Date(AS_OF.getTime() - historyDays * DAY_MS - HOUR_MS);
  const scenario: AccountScenario = {
    id: '6659752019493208069',
    handle: 'clorismen',
    displayName: 'Cloris',
    initialVideos: 40,
    postingIntervalHours: 30,
    medianViews: 60_000,
    likeRate: 0.06,
    followers: 20_000,
    ...options.scenario,
    events: options.events ?? [],
  };
  const world = createWorld({ seed: options.seed ?? 7, start, end: AS_OF, accounts: [scenario] });
  const plan: PollingPlan = {
    cadenceHours: 2,
    from: new Date(AS_OF.getTime() - historyDays * DAY_MS),
    until: AS_OF,
    latenessShare: 0,
    failureRate: 0,
    partialRate: 0,
    rounded: false,
    ...options.plan,
  };
  const polls = pollAccount(world, scenario.id, plan, new Random(options.seed ?? 7));
  return {
    world,
    fleet: {
      format: 'likewatch.fleet/v1',
      accounts: [
        {
          platform: 'tiktok',
          id: scenario.id,
          handle: scenario.handle,
          polls: options.edit ? options.edit(polls) : polls,
        },
      ],
    },
  };
}

/**
 * The series of a small account (`scenarioFleet`, a video every 300 hours) with one more video, `id`, posted at
 * `postedAt` and listed from `listedFrom` on with `viewsAt(instant)` views and likes at 8% of them.
 */
export function seriesWithVideo(
  id: string,
  postedAt: number,
  listedFrom: number,
  viewsAt: (at: number) => number,
): AccountSeries {
  const { fleet } = scenarioFleet({
    scenario: { medianViews: 20_000, postingIntervalHours: 300 },
    edit: (polls) =>
      polls.map((poll) => {
        const at = Date.parse(poll.at);
        if (poll.status === 'failed' || at < listedFrom) return poll;
        const views = Math.round(viewsAt(at));
        const added = {
          id,
          postedAt: formatInstant(postedAt),
          views,
          likes: Math.round(views * 0.08),
          comments: 0,
          shares: 0,
        };
        return { ...poll, videos: [added, ...poll.videos] };
      }),
  });
  return buildSeries(fleet.accounts[0]!, AS_OF.getTime() - 60 * DAY_MS, AS_OF.getTime());
}

/** A night's pace summary with nothing measured beyond its gain: each test sets what it judges. */
export function paceSummary(night: Partial<PaceSummary>): PaceSummary {
  return {
    likes: 0,
    views: 0,
    hours: 24,
    expected: null,
    historyDays: 60,
    spread: 0.3,
    reach: null,
    reachSpread: 0.2,
    lateShift: Number.NaN,
    rounded: false,
    engagement: 1,
    oldRate: Number.NaN,
    weekRate: Number.NaN,
    weekLowest: Number.NaN,
    newerVideos: Number.NaN,
    videoTrend: Number.NaN,
    newerLikeRate: Number.NaN,
    likeRateSlide: Number.NaN,
    reachTrend: Number.NaN,
    frozen: [],
    ...night,
  };
}

/** A fleet that moved in no way tonight. */
export const STILL_FLEET: FleetPace = { night: 0, reach: 0, late: 0, trend: 0, videos: 0 };
