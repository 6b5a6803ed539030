/**
 * The expected answer for each account of a labelled fleet (`likewatch.fleet-labels/v1`), from what its
 * simulated world did and what its polls could see. Kept apart from the engine on purpose: labels must not
 * inherit the engine's mistakes.
 */
import { windowCoverage } from '../explain/coverage.ts';
import { roundingSlack } from '../explain/series.ts';
import type { Cause, Poll, Verdict } from '../model.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import type { AccountSetup, Scenario } from './fleet-scenarios.ts';
import { createWorld } from './world.ts';
import type {
  AudienceShiftEvent,
  EventOutcome,
  ReachLimitedEvent,
  SimulatedWorld,
  WorldSpec,
} from './world-spec.ts';

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
export function labelAccount(
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
