/**
 * When the monitor polls an account and how each poll goes: slots at the account's cadence back from `asOf`,
 * jittered by minutes, sometimes late, failed or partial (more so on a night with gaps in the data).
 */
import type { PollFailureReason } from '../../core/model.ts';
import { HOUR_MS } from '../../core/time.ts';
import type { AccountWorld } from './account.ts';
import type { GapPlan } from './events.ts';
import {
  FAILURE_REASONS,
  LAST_POLL_EARLY_MINUTES,
  LATE_HOURS,
  MINUTE_MS,
  POLL_JITTER_MINUTES,
  WINDOW_MS,
} from './params.ts';
import type { Rng } from './rng.ts';

/** A late poll still lands this long before the next slot. */
const LATE_MARGIN_MS = 10 * MINUTE_MS;

/** One scheduled poll and how it went. */
export interface ScheduledPoll {
  /** Instant (ms, whole seconds). */
  at: number;
  status: 'ok' | 'partial' | 'failed';
  reason?: PollFailureReason;
  late: boolean;
}

/** The account's polls, oldest first; the last lands at most a few minutes before `asOf`. */
export function drawSchedule(rng: Rng, world: AccountWorld, gaps: GapPlan): ScheduledPoll[] {
  const cadence = world.cadenceHours * HOUR_MS;
  const windowStart = world.asOf - WINDOW_MS;
  const polls: ScheduledPoll[] = [];
  for (let slot = 0; world.asOf - slot * cadence >= world.historyStart; slot++) {
    const nominal = world.asOf - slot * cadence;
    let at =
      slot === 0
        ? nominal - rng.uniform(0, LAST_POLL_EARLY_MINUTES) * MINUTE_MS
        : nominal + rng.uniform(-POLL_JITTER_MINUTES, POLL_JITTER_MINUTES) * MINUTE_MS;
    const inWindow = at > windowStart;
    let late = false;
    const lateRate = inWindow ? Math.max(world.lateRate, gaps.lateShare) : world.lateRate;
    if (slot > 0 && rng.chance(lateRate)) {
      const delay = Math.min(
        rng.uniform(LATE_HOURS[0], LATE_HOURS[1]) * HOUR_MS,
        cadence - LATE_MARGIN_MS - POLL_JITTER_MINUTES * MINUTE_MS,
      );
      if (delay > 0) {
        at += delay;
        late = true;
      }
    }
    at = Math.floor(at / 1000) * 1000;
    const outage = gaps.outage && at >= gaps.outage.from && at < gaps.outage.to;
    const failRate = inWindow ? Math.max(world.failRate, gaps.failShare) : world.failRate;
    const partialRate = inWindow
      ? Math.max(world.partialRate, gaps.partialShare)
      : world.partialRate;
    if (outage || rng.chance(failRate)) {
      polls.push({ at, status: 'failed', reason: rng.weighted(FAILURE_REASONS), late });
    } else if (rng.chance(partialRate)) {
      polls.push({ at, status: 'partial', reason: 'missing_pages', late });
    } else {
      polls.push({ at, status: 'ok', late });
    }
  }
  insistOnGaps(rng, polls, gaps, windowStart);
  return polls.reverse();
}

/**
 * A data-gap night shows its gap: at least one in-window poll fails, is partial or is late when the plan asks
 * for it (a share drawn low could otherwise leave the night without any). `polls` is newest first.
 */
function insistOnGaps(rng: Rng, polls: ScheduledPoll[], gaps: GapPlan, windowStart: number): void {
  const inWindow = polls.flatMap((poll, slot) => (poll.at > windowStart ? [slot] : []));
  const force = (status: 'failed' | 'partial') => {
    if (inWindow.some((slot) => polls[slot]?.status === status) || inWindow.length === 0) return;
    const poll = polls[rng.pick(inWindow)] as ScheduledPoll;
    poll.status = status;
    poll.reason = status === 'failed' ? rng.weighted(FAILURE_REASONS) : 'missing_pages';
  };
  if (gaps.failShare > 0) force('failed');
  if (gaps.partialShare > 0) force('partial');
  const lateable = inWindow.filter((slot) => slot > 0);
  if (gaps.lateShare > 0 && lateable.length > 0 && !lateable.some((slot) => polls[slot]?.late)) {
    const slot = rng.pick(lateable);
    const poll = polls[slot] as ScheduledPoll;
    const next = polls[slot - 1] as ScheduledPoll;
    const wanted = rng.uniform(LATE_HOURS[0], LATE_HOURS[1]) * HOUR_MS;
    const delay = Math.min(wanted, next.at - poll.at - LATE_MARGIN_MS);
    if (delay > 0) {
      poll.at = Math.floor((poll.at + delay) / 1000) * 1000;
      poll.late = true;
    }
  }
}
