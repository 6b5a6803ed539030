/**
 * Labelled fleets: simulated `likewatch.fleet/v1` documents whose accounts each live through one scenario of
 * the night that ends at the fleet's as-of (an ordinary night, a gap in the monitor's data, or one of the causes
 * in causes.md), with the verdict and top cause a correct engine should give.
 *
 * Scenarios follow causes.md, not the engine: the truth comes from what the simulated world did (see
 * {@link EventOutcome}), and a label only claims what the polls could have seen.
 */
import { windowCoverage } from '../explain/coverage.ts';
import { roundingSlack } from '../explain/series.ts';
import type { Cause, Fleet, FleetAccount, Poll, Verdict } from '../model.ts';
import { FLEET_FORMAT } from '../model.ts';
import { DAY_MS, formatInstant, HOUR_MS } from '../time.ts';
import { randomIdentity } from './identity.ts';
import { type PollingPlan, pollAccount } from './polls.ts';
import { hashSeed, Random } from './random.ts';
import {
  type AccountScenario,
  type AudienceShiftEvent,
  createWorld,
  type EventOutcome,
  type ReachLimitedEvent,
  type SimulatedWorld,
  type WorldEvent,
  type WorldSpec,
} from './world.ts';

/** What happens to an account on the labelled night. Causes use their ids from causes.md. */
export const SCENARIOS = [
  'ordinary',
  'viral_spike',
  'failed_polls',
  'outage',
  'partial_polls',
  'late_polls',
  'rounded_counts',
  'short_history',
  'new_account',
  'thinned_history',
  'fake_engagement_purge',
  'inactive_account_cleanup',
  'content_removed_or_restricted',
  'reach_limited',
  'audience_shift',
  'platform_glitch',
  'organic_unlikes',
  'overlap',
] as const;
/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** Scenarios that are gaps in the monitor's own data (never a loss). */
export const DATA_GAP_SCENARIOS: readonly Scenario[] = [
  'failed_polls',
  'outage',
  'partial_polls',
  'late_polls',
  'rounded_counts',
  'short_history',
  'new_account',
  'thinned_history',
];

/** The expected answer for one account of a labelled fleet. */
export interface AccountLabel {
  id: string;
  handle: string;
  scenario: Scenario;
  verdict: Verdict;
  /** The cause that should rank first; `none` for an ordinary night, `unknown` when the polls cannot tell. */
  topCause: Cause | 'none' | 'unknown';
  /** Every injected cause the polls can see in the window, most likes first. */
  causes: Cause[];
  /** Likes the injected events took from the true counts inside the window. */
  likesRemoved: number;
}

/**
 * `likewatch.fleet-labels/v1`: the expected explanation of a simulated fleet, written next to it as
 * `fleet-<n>.labels.json`. `window` is the 24 hours ending at `asOf` (the fleet's latest poll instant);
 * `accounts` are in fleet order.
 */
export interface FleetLabels {
  format: 'likewatch.fleet-labels/v1';
  seed: number;
  asOf: string;
  window: { from: string; to: string };
  accounts: AccountLabel[];
}

/** A fleet and its labels. */
export interface LabelledFleet {
  fleet: Fleet;
  labels: FleetLabels;
}

/** Options of {@link simulateFleet}. */
export interface SimulateFleetOptions {
  seed: number;
  /** Accounts in the fleet (default 24). */
  accounts?: number;
  /** End of the labelled night (default 2026-11-24T06:00:00Z). */
  asOf?: Date;
  /** Relative weight of each scenario (default: every label well represented). */
  weights?: Partial<Record<Scenario, number>>;
}

const DEFAULT_AS_OF = new Date('2026-11-24T06:00:00Z');

/** Default mix: a third ordinary or data gaps, two thirds causes, each cause about equally often. */
export const DEFAULT_WEIGHTS: Record<Scenario, number> = {
  ordinary: 2,
  viral_spike: 0.7,
  failed_polls: 0.6,
  outage: 0.5,
  partial_polls: 0.6,
  late_polls: 0.5,
  rounded_counts: 0.6,
  short_history: 0.5,
  new_account: 0.4,
  thinned_history: 0.5,
  fake_engagement_purge: 1.5,
  inactive_account_cleanup: 1.5,
  content_removed_or_restricted: 1.5,
  reach_limited: 1.5,
  audience_shift: 1.5,
  platform_glitch: 1.5,
  organic_unlikes: 1.5,
  overlap: 0.6,
};

/** Fleet-wide events: one instant (and shape) shared by every account of the fleet that has the cause. */
interface FleetWideEvents {
  cleanupAt?: Date;
  cleanupFraction?: number;
  purgeAt?: Date;
  glitch?: {
    at: Date;
    durationHours: number;
    mode: 'zero' | 'uniform_drop' | 'views_drop';
    share: number;
  };
}

interface AccountSetup {
  scenario: AccountScenario;
  plan: PollingPlan;
  kind: Scenario;
}

function pickScenario(random: Random, weights: Record<Scenario, number>): Scenario {
  const total = SCENARIOS.reduce((sum, scenario) => sum + weights[scenario], 0);
  let draw = random.next() * total;
  for (const scenario of SCENARIOS) {
    draw -= weights[scenario];
    if (draw < 0) return scenario;
  }
  return 'ordinary';
}

const CADENCES = [1, 1, 2, 3, 4, 6, 6, 8, 12, 24];

/** A point inside the window, away from its edges so the polls around it fall inside too. */
function instantInWindow(random: Random, fromMs: number, low = 0.15, high = 0.85): Date {
  return new Date(fromMs + random.between(low, high) * DAY_MS);
}

/** Builds one account's world scenario and polling plan for its night. */
function setupAccount(
  random: Random,
  kind: Scenario,
  serial: number,
  asOf: Date,
  fleetWide: FleetWideEvents,
): AccountSetup {
  const asOfMs = asOf.getTime();
  const fromMs = asOfMs - DAY_MS;
  const big = random.chance(0.03);
  let initialVideos = big ? random.int(800, 2500) : Math.round(random.logUniform(3, 300));
  let postingIntervalHours = random.logUniform(10, 24 * 7);
  let medianViews = random.logUniform(800, 400_000);
  let cadenceHours = random.pick(CADENCES);
  let historyDays = big ? random.between(8, 12) : random.between(8, 24);
  if (big) cadenceHours = Math.max(cadenceHours, 6);
  const events: WorldEvent[] = [];
  const viralPosts: { postedAt: Date; viewMultiplier: number }[] = [];
  const plan: Omit<PollingPlan, 'from' | 'until'> = {
    cadenceHours,
    latenessShare: random.chance(0.3) ? 0.15 : 0,
    failureRate: random.chance(0.3) ? 0.03 : 0,
    partialRate: random.chance(0.15) ? 0.05 : 0,
    rounded: random.chance(0.12),
  };
  let thinAfterHours: number | undefined;
  let failFrom: Date | undefined;

  switch (kind) {
    case 'ordinary':
      break;
    case 'viral_spike':
      viralPosts.push({
        postedAt: new Date(asOfMs - random.between(6, 60) * HOUR_MS),
        viewMultiplier: random.logUniform(10, 60),
      });
      break;
    case 'failed_polls':
      plan.failureRate = random.between(0.15, 0.4);
      break;
    case 'outage':
      // Nothing usable since shortly after the window opened.
      failFrom = new Date(fromMs + random.between(-6, 8) * HOUR_MS);
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      break;
    case 'partial_polls':
      plan.partialRate = random.between(0.25, 0.6);
      initialVideos = Math.max(initialVideos, 45);
      break;
    case 'late_polls':
      plan.latenessShare = random.between(0.3, 0.9);
      break;
    case 'rounded_counts':
      plan.rounded = true;
      medianViews = random.logUniform(100_000, 3_000_000);
      break;
    case 'short_history':
      historyDays = random.between(14, 40) / 24;
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      break;
    case 'new_account':
      historyDays = random.between(1, 10) / 24;
      plan.cadenceHours = Math.min(plan.cadenceHours, 3);
      break;
    case 'thinned_history':
      historyDays = random.between(30, 55);
      thinAfterHours = random.between(5, 14) * 24;
      break;
    case 'fake_engagement_purge':
      initialVideos = Math.max(initialVideos, 8);
      events.push({
        cause: 'fake_engagement_purge',
        at: fleetWide.purgeAt ?? instantInWindow(random, fromMs),
        videoCount: random.int(1, 3),
        ratioMultiplier: random.logUniform(2.5, 20),
        removedShare: random.between(0.5, 1),
        burstAt: new Date(asOfMs - random.between(2, 25) * DAY_MS),
        followerShare: random.between(0, 0.005),
      });
      break;
    case 'inactive_account_cleanup':
    case 'overlap': {
      // Enough likes per video for the fraction to show as whole likes on most of them.
      initialVideos = Math.max(initialVideos, 12);
      medianViews = Math.max(medianViews, random.logUniform(30_000, 2_000_000));
      events.push({
        cause: 'inactive_account_cleanup',
        at: fleetWide.cleanupAt ?? instantInWindow(random, fromMs),
        fraction:
          (fleetWide.cleanupFraction ?? random.logUniform(0.001, 0.015)) *
          random.between(0.85, 1.15),
      });
      if (kind === 'overlap') {
        events.push({
          cause: 'content_removed_or_restricted',
          at: instantInWindow(random, fromMs),
          videoCount: random.int(1, 2),
        });
      }
      break;
    }
    case 'content_removed_or_restricted':
      initialVideos = Math.max(initialVideos, 3);
      events.push({
        cause: 'content_removed_or_restricted',
        at: instantInWindow(random, fromMs),
        videoCount: random.int(1, 3),
      });
      break;
    case 'reach_limited':
      historyDays = random.between(12, 24);
      postingIntervalHours = random.logUniform(10, 72);
      initialVideos = Math.max(initialVideos, 10);
      events.push({
        cause: 'reach_limited',
        at: new Date(asOfMs - random.between(16, 96) * HOUR_MS),
        factor: random.between(0.05, 0.3),
      });
      break;
    case 'audience_shift': {
      historyDays = random.between(38, 50);
      postingIntervalHours = random.logUniform(10, 48);
      initialVideos = Math.max(initialVideos, 15);
      plan.cadenceHours = Math.max(plan.cadenceHours, 3);
      const weeks = random.between(2, 5);
      const settledDays = random.between(0, 4);
      const to = asOfMs - settledDays * DAY_MS;
      // The history reaches back before the decline began, so its old level is on record.
      historyDays = Math.max(historyDays, weeks * 7 + settledDays + 5);
      events.push({
        cause: 'audience_shift',
        from: new Date(to - weeks * 7 * DAY_MS),
        to: new Date(to),
        decline: random.between(0.5, 0.8),
        aspect: random.pick(['likeRate', 'views', 'both'] as const),
      });
      break;
    }
    case 'platform_glitch': {
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      const glitch = fleetWide.glitch ?? {
        at: instantInWindow(random, fromMs, 0.15, 0.7),
        durationHours: random.chance(0.3) ? Number.POSITIVE_INFINITY : random.between(1, 7),
        mode: random.pick(['zero', 'uniform_drop', 'views_drop'] as const),
        share: random.between(0.2, 0.9),
      };
      // A short glitch shows only if a poll lands inside it.
      if (Number.isFinite(glitch.durationHours)) {
        plan.cadenceHours = Math.min(
          plan.cadenceHours,
          Math.max(1, Math.floor(glitch.durationHours)),
        );
      }
      events.push({ cause: 'platform_glitch', ...glitch });
      break;
    }
    case 'organic_unlikes':
      postingIntervalHours = random.logUniform(10, 60);
      medianViews = Math.max(medianViews, random.logUniform(40_000, 1_000_000));
      events.push({
        cause: 'organic_unlikes',
        at: instantInWindow(random, fromMs, 0.05, 0.5),
        durationHours: random.between(6, 14),
        videoCount: random.int(1, 3),
        fraction: random.logUniform(0.008, 0.04),
      });
      break;
  }

  const identity = randomIdentity(random, serial);
  const likeRate = random.logUniform(0.02, 0.15);
  return {
    kind,
    scenario: {
      ...identity,
      initialVideos,
      postingIntervalHours,
      medianViews,
      likeRate,
      followers: Math.round(medianViews * random.logUniform(0.2, 5)),
      following: random.int(0, 2_000),
      audienceUtcOffsetHours: random.pick([-8, -5, -3, 0, 1, 3, 5.5, 8, 9]),
      handfulUnlikesPerDay: random.logUniform(0.005, 0.2),
      viralPosts,
      events,
    },
    plan: {
      ...plan,
      from: new Date(asOfMs - historyDays * DAY_MS),
      until: asOf,
      ...(thinAfterHours !== undefined ? { thinAfterHours } : {}),
      ...(failFrom ? { failFrom } : {}),
    },
  };
}

/** Likes gained by videos over the 24 hours ending at `toMs`, in the true counts. */
function trueNightGain(world: SimulatedWorld, accountId: string, toMs: number): number {
  const before = new Map(
    world
      .observe(accountId, new Date(toMs - DAY_MS))
      .videos.map((video) => [video.id, video.likes]),
  );
  let gain = 0;
  for (const video of world.observe(accountId, new Date(toMs)).videos) {
    gain += Math.max(0, video.likes - (before.get(video.id) ?? 0));
  }
  return gain;
}

/** The account's usual nightly gain before `toMs`: the median of up to seven nights ending there. */
function trueLevelBefore(world: SimulatedWorld, accountId: string, toMs: number): number {
  const gains = [0, 1, 2, 3, 4, 5, 6]
    .map((back) => toMs - back * DAY_MS)
    .filter((end) => end - DAY_MS >= world.start.getTime())
    .map((end) => trueNightGain(world, accountId, end))
    .sort((a, b) => a - b);
  return gains.length === 0 ? Number.NaN : (gains[Math.floor(gains.length / 2)] as number);
}

/** Is the instant `at` bracketed by usable polls: one at or before it (from the window's anchor on), one
 * after it inside the window? For glitches, the later poll must fall while the glitch shows. */
function seenByPolls(
  polls: readonly Poll[],
  times: readonly number[],
  fromMs: number,
  toMs: number,
  atMs: number,
  untilMs = Number.POSITIVE_INFINITY,
): boolean {
  const coverage = windowCoverage(polls, times, fromMs, toMs);
  const usable = [
    ...(coverage.anchorIndex >= 0 ? [coverage.anchorIndex] : []),
    ...coverage.insideIndexes,
  ];
  const before = usable.some((index) => (times[index] as number) < atMs);
  const after = usable.some((index) => {
    const time = times[index] as number;
    return time >= atMs && time < untilMs;
  });
  return before && after;
}

/** The label an account deserves, from what its world did and what its polls saw. */
function labelAccount(
  setup: AccountSetup,
  world: SimulatedWorld,
  spec: WorldSpec,
  polls: readonly Poll[],
  asOfMs: number,
): AccountLabel {
  const fromMs = asOfMs - DAY_MS;
  const times = polls.map((poll) => Date.parse(poll.at));
  const coverage = windowCoverage(polls, times, fromMs, asOfMs);
  const { id, handle } = setup.scenario;
  const seen: { cause: Cause; likes: number; verdict: 'loss' | 'slowdown' }[] = [];
  for (const outcome of world.outcomes) {
    const atMs = outcome.at.getTime();
    if (outcome.cause === 'reach_limited' || outcome.cause === 'audience_shift') continue;
    if (atMs <= fromMs || atMs > asOfMs) continue;
    const untilMs = outcome.cause === 'platform_glitch' ? outcome.until?.getTime() : undefined;
    if (!seenByPolls(polls, times, fromMs, asOfMs, atMs, untilMs)) continue;
    if (isVisibleLoss(outcome, polls, times, fromMs, asOfMs))
      seen.push({ cause: outcome.cause, likes: outcome.likesRemoved, verdict: 'loss' });
  }
  if (seen.length === 0 && coverage.judgeable) {
    const slowdown = slowdownCause(setup, world, spec, asOfMs);
    if (slowdown) seen.push({ cause: slowdown, likes: 0, verdict: 'slowdown' });
  }
  // Glitch dips carry no removed likes but are what the creator sees first; otherwise most likes first.
  seen.sort((a, b) => rank(b) - rank(a));
  const top = seen[0];
  const likesRemoved = seen.reduce((sum, entry) => sum + entry.likes, 0);
  const base = { id, handle, scenario: setup.kind, likesRemoved };
  if (top)
    return { ...base, verdict: top.verdict, topCause: top.cause, causes: seen.map((e) => e.cause) };
  if (!coverage.judgeable) return { ...base, verdict: 'unknown', topCause: 'unknown', causes: [] };
  return { ...base, verdict: 'none', topCause: 'none', causes: [] };
}

function rank(entry: { cause: Cause; likes: number }): number {
  return entry.cause === 'platform_glitch' ? Number.POSITIVE_INFINITY : entry.likes;
}

/**
 * Whether the polls show an event's loss clearly enough to tell it from people un-liking now and then: the
 * affected videos' drawdowns, as the polls report them (rounded counts only show drops beyond their rounding).
 */
function isVisibleLoss(
  outcome: EventOutcome,
  polls: readonly Poll[],
  times: readonly number[],
  fromMs: number,
  toMs: number,
): boolean {
  switch (outcome.cause) {
    case 'platform_glitch':
      return true;
    case 'content_removed_or_restricted':
      return outcome.likesRemoved >= 1;
    case 'inactive_account_cleanup': {
      const drops = observedDrawdowns(outcome.videoIds, polls, times, fromMs, toMs);
      return outcome.likesRemoved >= 30 && drops.total >= 30 && drops.videos >= 5;
    }
    default:
      return observedDrawdowns(outcome.videoIds, polls, times, fromMs, toMs).total >= 25;
  }
}

/**
 * Summed largest drawdowns of some videos across the usable polls of the window (its anchor included). Kept
 * apart from the engine's own scan on purpose: labels must not inherit the engine's mistakes.
 */
function observedDrawdowns(
  videoIds: readonly string[],
  polls: readonly Poll[],
  times: readonly number[],
  fromMs: number,
  toMs: number,
): { total: number; videos: number } {
  const coverage = windowCoverage(polls, times, fromMs, toMs);
  const rows = [
    ...(coverage.anchorIndex >= 0 ? [coverage.anchorIndex] : []),
    ...coverage.insideIndexes,
  ];
  const wanted = new Set(videoIds);
  const peaks = new Map<string, number>();
  const drawdowns = new Map<string, number>();
  for (const row of rows) {
    const poll = polls[row];
    if (!poll || poll.status === 'failed') continue;
    for (const video of poll.videos) {
      if (!wanted.has(video.id)) continue;
      const slack = roundingSlack(video.likes, poll.rounded === true);
      const peak = peaks.get(video.id) ?? Number.NEGATIVE_INFINITY;
      const drawdown = peak - (video.likes + slack);
      if (drawdown > (drawdowns.get(video.id) ?? 0)) drawdowns.set(video.id, drawdown);
      if (video.likes - slack > peak) peaks.set(video.id, video.likes - slack);
    }
  }
  let total = 0;
  for (const drawdown of drawdowns.values()) total += drawdown;
  return { total, videos: drawdowns.size };
}

/** Causes that slow gains down rather than remove likes. */
const SLOWDOWN_CAUSES: ReadonlySet<Cause> = new Set(['reach_limited', 'audience_shift']);

/**
 * The slowdown cause of the night, judged against the counterfactual: the same world without the slowdown.
 * Comparing with the account's own past instead would mistake the natural fading of its last hit for one.
 * A slowdown counts when tonight's true gain is far below what it would have been (half for an abrupt
 * break; 60% for a slow trend, also over the last week) and below 60% of what the account got before the
 * onset, and the account gains enough likes a night for a shortfall to be told from chance.
 */
function slowdownCause(
  setup: AccountSetup,
  world: SimulatedWorld,
  spec: WorldSpec,
  asOfMs: number,
): Cause | undefined {
  const events = setup.scenario.events ?? [];
  const slowdown = events.find((event): event is ReachLimitedEvent | AudienceShiftEvent =>
    SLOWDOWN_CAUSES.has(event.cause),
  );
  if (!slowdown) return undefined;
  if (slowdown.cause === 'reach_limited' && asOfMs - slowdown.at.getTime() < 12 * HOUR_MS)
    return undefined;
  const without = createWorld({
    ...spec,
    accounts: [
      { ...setup.scenario, events: events.filter((event) => !SLOWDOWN_CAUSES.has(event.cause)) },
    ],
  });
  const id = setup.scenario.id;
  const expected = trueNightGain(without, id, asOfMs);
  const tonight = trueNightGain(world, id, asOfMs);
  if (expected < 20 || expected - tonight < 3 * Math.sqrt(expected)) return undefined;
  // The shortfall must also show against the account's own record: what it used to get before it began.
  const onset = slowdown.cause === 'reach_limited' ? slowdown.at : slowdown.from;
  const usual = trueLevelBefore(world, id, onset.getTime());
  if (!(tonight <= 0.6 * usual)) return undefined;
  if (slowdown.cause === 'reach_limited')
    return tonight <= 0.5 * expected ? slowdown.cause : undefined;
  const lastWeek = trueLevelBefore(world, id, asOfMs);
  const lastWeekExpected = trueLevelBefore(without, id, asOfMs);
  return tonight <= 0.6 * expected && lastWeek <= 0.6 * lastWeekExpected
    ? slowdown.cause
    : undefined;
}

/**
 * Simulates one labelled fleet. Deterministic for its options. Some fleets carry fleet-wide events: a cleanup
 * wave, a purge sweep or a glitch that hits every account given that cause at the same instant (and a cleanup
 * wave also hits accounts that would otherwise have had an ordinary night).
 */
export function simulateFleet(options: SimulateFleetOptions): LabelledFleet {
  const random = new Random(hashSeed('fleet', options.seed));
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  const asOfMs = asOf.getTime();
  const fromMs = asOfMs - DAY_MS;
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const fleetWide: FleetWideEvents = {};
  if (random.chance(0.35)) {
    fleetWide.cleanupAt = instantInWindow(random, fromMs);
    fleetWide.cleanupFraction = random.logUniform(0.001, 0.012);
  }
  if (random.chance(0.3)) fleetWide.purgeAt = instantInWindow(random, fromMs);
  if (random.chance(0.3)) {
    fleetWide.glitch = {
      at: instantInWindow(random, fromMs, 0.15, 0.7),
      durationHours: random.chance(0.3) ? Number.POSITIVE_INFINITY : random.between(2, 7),
      mode: random.pick(['zero', 'uniform_drop', 'views_drop'] as const),
      share: random.between(0.3, 0.9),
    };
  }
  const count = options.accounts ?? 24;
  const accounts: FleetAccount[] = [];
  const labels: AccountLabel[] = [];
  for (let index = 0; index < count; index += 1) {
    const accountRandom = random.fork('account', index);
    let kind = pickScenario(accountRandom, weights);
    // A fleet-wide cleanup wave reaches many accounts, not only those drawn for it.
    if (kind === 'ordinary' && fleetWide.cleanupAt && accountRandom.chance(0.5))
      kind = 'inactive_account_cleanup';
    const setup = setupAccount(accountRandom, kind, index + 1, asOf, fleetWide);
    const spec: WorldSpec = {
      seed: hashSeed('fleet-world', options.seed, index),
      start: new Date(setup.plan.from.getTime() - HOUR_MS),
      end: asOf,
      accounts: [setup.scenario],
    };
    const world = createWorld(spec);
    const polls = pollAccount(world, setup.scenario.id, setup.plan, accountRandom.fork('polls'));
    accounts.push({
      platform: 'tiktok',
      id: setup.scenario.id,
      handle: setup.scenario.handle,
      polls,
    });
    labels.push(labelAccount(setup, world, spec, polls, asOfMs));
  }
  return {
    fleet: { format: FLEET_FORMAT, accounts },
    labels: {
      format: 'likewatch.fleet-labels/v1',
      seed: options.seed,
      asOf: formatInstant(asOf),
      window: { from: formatInstant(fromMs), to: formatInstant(asOf) },
      accounts: labels,
    },
  };
}
