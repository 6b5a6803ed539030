/**
 * When each account is polled. Every account has a fixed minute of the day (from its id), and is polled every
 * `cadence` minutes counted from it: a fleet's polls are spread evenly over the cadence instead of all falling
 * on one instant. A tick covering `width` minutes from its slot polls the accounts whose minute comes up in
 * them; a tick as wide as the cadence polls every account (the local runtime's rounds).
 *
 * Why: TikTok limits requests per minute per endpoint. Polling the whole fleet at once makes the poll workers
 * wait for their share of the limit, and Lambda bills the wait; spread over the cadence, the requests arrive
 * at the fleet's average rate and the workers never wait while that rate is within the limit.
 */

import { fnv1a } from './hash.ts';

/** Minutes in a day: the range of poll minutes. */
export const MINUTES_PER_DAY = 1440;

const MINUTE_MS = 60_000;

/** The account's minute of the day, 0–1439: a hash of its id, so it never changes and spreads evenly. */
export function pollMinuteOf(accountId: string): number {
  return fnv1a(accountId) % MINUTES_PER_DAY;
}

/** A tick: its instant, how many minutes it covers, and the cadence, in minutes. */
export interface TickSpan {
  slot: Date;
  widthMinutes: number;
  cadenceMinutes: number;
}

/** Whether the tick polls every account: it covers the whole cadence. */
export function coversEveryAccount(tick: TickSpan): boolean {
  return tick.widthMinutes >= tick.cadenceMinutes;
}

/**
 * The poll minutes whose accounts are due in the tick: an account with minute `m` is due at every instant
 * whose epoch minute is congruent to `m` modulo the cadence, so it is polled exactly every cadence.
 */
export function dueMinutes(tick: TickSpan): number[] {
  if (!Number.isInteger(tick.cadenceMinutes) || tick.cadenceMinutes < 1) {
    throw new RangeError(`cadence: not a whole number of minutes: ${tick.cadenceMinutes}`);
  }
  const cadence = tick.cadenceMinutes;
  const first = Math.floor(tick.slot.getTime() / MINUTE_MS);
  const residues = new Set<number>();
  for (let minute = first; minute < first + Math.min(tick.widthMinutes, cadence); minute++) {
    residues.add(((minute % cadence) + cadence) % cadence);
  }
  const minutes: number[] = [];
  for (let minute = 0; minute < MINUTES_PER_DAY; minute++) {
    if (residues.has(minute % cadence)) minutes.push(minute);
  }
  return minutes;
}
