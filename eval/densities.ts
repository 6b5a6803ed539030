/**
 * History densities: the same labelled fleet read the ways the engine meets history in practice, so that every
 * figure of the evaluation is reported at each of them. The night itself (its last 25 hours) is always read
 * poll by poll; what changes is how much of the older history is left.
 */
import type { Fleet, Poll } from '../core/model.ts';
import { DEFAULT_HISTORY_DAYS, RAW_HISTORY_DAYS, thinHistory } from '../core/thinned-history.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';

/** How much of an account's history the engine is given. */
export type HistoryDensity = 'full' | 'store' | 'sparse' | 'weekly';

/** Every density, in report order. */
export const DENSITIES: readonly HistoryDensity[] = ['full', 'store', 'sparse', 'weekly'];

/** What each density is, in a few words, for reports. */
export const DENSITY_NAMES: Record<HistoryDensity, string> = {
  full: 'every poll',
  store: 'as the store hands it over: 7 days of polls, then one a day (56 days)',
  sparse: 'the last 25 hours, one poll a day back to 4 days, then one per 10 days',
  weekly: 'the last 25 hours, then one poll a week',
};

/** The span read poll by poll at every density but `store`: the night and the hour before it. */
const NIGHT_SPAN_MS = 25 * HOUR_MS;
/** `sparse`: one poll a day back to this many days. */
const SPARSE_DAILY_DAYS = 4;
/** `sparse`: one poll per this many days before that. */
const SPARSE_SPACING_DAYS = 10;
/** `weekly`: one poll per this many days before the night. */
const WEEKLY_SPACING_DAYS = 7;

/** The fleet as the engine would be given it at `density`, for the night ending at `asOf`. */
export function thinFleet(fleet: Fleet, asOf: Date, density: HistoryDensity): Fleet {
  if (density === 'full') return fleet;
  return {
    ...fleet,
    accounts: fleet.accounts.map((account) => ({
      ...account,
      polls: thinPolls(account.polls, asOf.getTime(), density),
    })),
  };
}

function thinPolls(polls: readonly Poll[], asOfMs: number, density: HistoryDensity): Poll[] {
  if (density === 'store') {
    const from = asOfMs - DEFAULT_HISTORY_DAYS * DAY_MS;
    return thinHistory(
      polls.filter((poll) => Date.parse(poll.at) >= from),
      new Date(asOfMs - RAW_HISTORY_DAYS * DAY_MS),
    );
  }
  const nightFrom = asOfMs - NIGHT_SPAN_MS;
  const targets: number[] = [];
  if (density === 'sparse') {
    for (let day = 2; day <= SPARSE_DAILY_DAYS; day += 1) targets.push(asOfMs - day * DAY_MS);
    for (let back = SPARSE_DAILY_DAYS + SPARSE_SPACING_DAYS; ; back += SPARSE_SPACING_DAYS) {
      const at = asOfMs - back * DAY_MS;
      if (polls.length === 0 || at < Date.parse((polls[0] as Poll).at) - DAY_MS) break;
      targets.push(at);
    }
  } else {
    for (let back = WEEKLY_SPACING_DAYS; ; back += WEEKLY_SPACING_DAYS) {
      const at = asOfMs - back * DAY_MS;
      if (polls.length === 0 || at < Date.parse((polls[0] as Poll).at) - DAY_MS) break;
      targets.push(at);
    }
  }
  const kept = new Set<Poll>();
  for (const poll of polls) {
    const at = Date.parse(poll.at);
    if (at >= nightFrom && at <= asOfMs) kept.add(poll);
  }
  // Each older target keeps the poll nearest to it, whatever its status: a failed poll thinned in stays failed.
  for (const target of targets) {
    const nearest = nearestBefore(polls, target, nightFrom);
    if (nearest) kept.add(nearest);
  }
  return polls.filter((poll) => kept.has(poll));
}

/** The poll nearest to `target` among those before `limitMs`, within half a day; undefined when none. */
function nearestBefore(polls: readonly Poll[], target: number, limitMs: number): Poll | undefined {
  let best: Poll | undefined;
  let bestDistance = DAY_MS / 2;
  for (const poll of polls) {
    const at = Date.parse(poll.at);
    if (at >= limitMs) break;
    const distance = Math.abs(at - target);
    if (distance <= bestDistance) {
      best = poll;
      bestDistance = distance;
    }
  }
  return best;
}
