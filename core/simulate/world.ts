/**
 * A simulated TikTok: accounts whose public counts evolve hour by hour as the cause catalogue describes
 * ("Background that is always present"), with any of the like-drop causes injected at chosen instants.
 *
 * Everything is derived from a seed (no `Math.random`, no clock), and the whole hourly history is computed once
 * when the world is created, so {@link World.observe} is a cheap lookup that always answers the same for the same
 * instant.
 */

import type { VideoStats } from '../model.ts';
import { formatInstant, HOUR_MS } from '../time.ts';
import { AccountSimulation, type AccountState } from './account-simulation.ts';
import { randomIdentity } from './identity.ts';
import { hashSeed, Random } from './random.ts';
import {
  type AccountScenario,
  type DemoWorld,
  type EventOutcome,
  type Observation,
  type SimulatedWorld,
  type WorldSpec,
  worldAccounts,
} from './world-spec.ts';

export type {
  AccountScenario,
  AudienceShiftEvent,
  ContentRemovedEvent,
  DemoWorld,
  EventOutcome,
  FakeEngagementPurgeEvent,
  InactiveAccountCleanupEvent,
  Observation,
  OrganicUnlikesEvent,
  PlatformGlitchEvent,
  ReachLimitedEvent,
  SimulatedWorld,
  World,
  WorldAccountInfo,
  WorldEvent,
  WorldSpec,
} from './world-spec.ts';
export { worldAccounts } from './world-spec.ts';

/** Builds a world from explicit scenarios. The hourly history of every account is computed here, once. */
export function createWorld(spec: WorldSpec): SimulatedWorld {
  if (!(spec.end.getTime() > spec.start.getTime())) {
    throw new RangeError('world end must be after its start');
  }
  const root = new Random(spec.seed);
  const states = new Map<string, AccountState>();
  const outcomes: EventOutcome[] = [];
  for (const scenario of spec.accounts) {
    if (states.has(scenario.id)) throw new RangeError(`duplicate account id ${scenario.id}`);
    const simulation = new AccountSimulation(scenario, spec, root.fork('account', scenario.id));
    const result = simulation.run();
    states.set(scenario.id, result.state);
    outcomes.push(...result.outcomes);
  }
  const startMs = spec.start.getTime();
  const endMs = spec.end.getTime();
  return {
    start: spec.start,
    end: spec.end,
    accounts: worldAccounts(spec),
    outcomes,
    observe(accountId: string, at: Date): Observation {
      const state = states.get(accountId);
      if (!state) throw new RangeError(`unknown account id ${accountId}`);
      const atMs = at.getTime();
      if (!(atMs >= startMs && atMs <= endMs)) {
        throw new RangeError(
          `${formatInstant(atMs)} is outside the simulated span ${formatInstant(startMs)}–${formatInstant(endMs)}`,
        );
      }
      return observeAccount(state, Math.floor((atMs - startMs) / HOUR_MS), atMs);
    },
  };
}

function observeAccount(state: AccountState, tick: number, atMs: number): Observation {
  const ticks = state.followers.length;
  const active = state.glitches.filter(
    (glitch) => tick >= glitch.fromTick && tick < glitch.untilTick,
  );
  const videos: VideoStats[] = [];
  let totalLikes = 0;
  state.videos.forEach((plan, index) => {
    if (plan.postedAtMs > atMs || tick >= plan.removedTick) return;
    // Posted after the last hourly tick: public, but nothing counted yet.
    const counted = tick >= plan.firstTick;
    const cell = index * ticks + tick;
    let views = counted ? (state.views[cell] as number) : 0;
    let likes = counted ? (state.likes[cell] as number) : 0;
    let comments = counted ? (state.comments[cell] as number) : 0;
    let shares = counted ? (state.shares[cell] as number) : 0;
    for (const glitch of active) {
      if (!glitch.videos.has(index)) continue;
      if (glitch.mode === 'zero') {
        views = 0;
        likes = 0;
        comments = 0;
        shares = 0;
      } else {
        likes = Math.round(likes * (1 - glitch.share));
        if (glitch.mode === 'views_drop') views = Math.round(views * (1 - glitch.share));
      }
    }
    totalLikes += likes;
    videos.push({
      id: plan.id,
      postedAt: plan.postedAt,
      views,
      likes,
      comments,
      shares,
      saves: null,
      title: plan.title,
      url: plan.url,
    });
  });
  return {
    profile: {
      followers: state.followers[tick] as number,
      following: state.following,
      likes: totalLikes,
      videos: videos.length,
    },
    videos,
  };
}

/**
 * A handful (5) of demo accounts of varied size (a few dozen to ~150 videos, thousands to millions of likes)
 * over [start, end]; the account `dropAccountId` suffers a `fake_engagement_purge` about 4 hours before `end`
 * (several hundred to a few thousand likes lost from its like-ratio-outlier videos, which got their burst before
 * `start`); everything else is an ordinary background (growth, decay, organic unlikes, new videos).
 */
export function createDemoWorld(options: { seed: number; start: Date; end: Date }): DemoWorld {
  const { start, end } = options;
  const random = new Random(hashSeed('demo-world', options.seed));
  const catalogueSizes = random.sample([30, 55, 85, 120, 150], 5);
  const dropIndex = random.int(0, catalogueSizes.length - 1);
  const purgeAt = new Date(Math.max(start.getTime() + HOUR_MS, end.getTime() - 4 * HOUR_MS));
  const scenarios = catalogueSizes.map((size, index): AccountScenario => {
    const identity = randomIdentity(random, index + 1);
    const isDrop = index === dropIndex;
    // The drop account is mid-sized, so a purge of a few hundred to a few thousand likes makes its boosted
    // videos clear ratio outliers.
    const medianViews = isDrop
      ? random.logUniform(8_000, 40_000)
      : random.logUniform(2_000, 400_000);
    return {
      ...identity,
      initialVideos: Math.round(size * random.between(0.9, 1.1)),
      postingIntervalHours: random.between(14, 72),
      medianViews,
      likeRate: random.between(0.03, 0.12),
      followers: Math.round(medianViews * random.between(0.3, 3)),
      following: random.int(0, 800),
      audienceUtcOffsetHours: random.pick([-8, -5, 0, 1, 3, 8]),
      events: isDrop
        ? [
            {
              cause: 'fake_engagement_purge',
              at: purgeAt,
              videoCount: random.int(1, 3),
              removedLikes: random.logUniform(500, 2_500),
              removedShare: random.between(0.6, 0.95),
              burstAt: new Date(start.getTime() - random.between(2, 20) * 24 * HOUR_MS),
            },
          ]
        : [],
    };
  });
  const world = createWorld({
    seed: hashSeed('demo-world-counts', options.seed),
    start,
    end,
    accounts: scenarios,
  });
  const drop = scenarios[dropIndex] as AccountScenario;
  const outcome = world.outcomes.find((candidate) => candidate.accountId === drop.id);
  return {
    world,
    dropAccountId: drop.id,
    dropCause: 'fake_engagement_purge',
    dropAt: outcome?.at ?? purgeAt,
  };
}
