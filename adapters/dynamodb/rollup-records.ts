/**
 * The stored form of daily roll-ups: a day's record, a finished month's record (its days in one body), and
 * reading them back, a day's own record winning over its month's (a late poll may have rolled the day up
 * again since the month was).
 */
import type { Poll } from '../../core/model.ts';
import { utcDay } from '../../core/thinned-history.ts';
import {
  type DailyRollup,
  decodeRollup,
  decodeRollupMonth,
  encodeRollup,
  encodeRollupMonth,
  rollUpDay,
} from './daily-rollups.ts';
import { keys } from './keys.ts';
import { POLL_ENCODING } from './poll-codec.ts';
import { dailyRollupExpiry } from './rollup-work.ts';
import type { StoredBody } from './stored-bodies.ts';
import type { Item } from './table.ts';

/** Tag of month records: roll-ups in the roll-up format, length-prefixed, compressed together. */
const ROLLUP_MONTH_ENCODING = 'rollup-month+br/1';

/**
 * The roll-ups of every day in `fromDay`..`toDay` that has polls among `polls`, with their records. A day's
 * record that `expires` does so two weeks into the month after its own: by then its month has been rolled
 * into one record.
 */
export function dailyRollupRecords(
  accountId: string,
  polls: readonly Poll[],
  fromDay: string,
  toDay: string,
  expires: (day: string) => boolean,
): Array<{ rollup: DailyRollup; record: StoredBody }> {
  const byDay = new Map<string, Poll[]>();
  for (const poll of polls) {
    const day = utcDay(poll.at);
    if (day >= fromDay && day <= toDay) byDay.set(day, [...(byDay.get(day) ?? []), poll]);
  }
  return [...byDay].map(([day, dayPolls]) => {
    const rollup = rollUpDay(day, dayPolls);
    return {
      rollup,
      record: {
        key: keys.dailyRollup(accountId, day),
        attributes: {
          day,
          encoding: POLL_ENCODING,
          ...(expires(day) && { expiresAt: dailyRollupExpiry(day) }),
        },
        body: encodeRollup(rollup),
      },
    };
  });
}

/**
 * The record of `month` (`YYYY-MM`) with every day of it: the days `stored` (by day) and those just rolled
 * up in `fresh`, which win. None when the month has no day.
 */
export function monthRollupRecord(
  accountId: string,
  month: string,
  stored: ReadonlyMap<string, DailyRollup>,
  fresh: readonly DailyRollup[],
): StoredBody | undefined {
  const days = new Map(stored);
  for (const rollup of fresh) days.set(rollup.day, rollup);
  if (days.size === 0) return undefined;
  const rollups = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  return {
    key: keys.monthRollup(accountId, month),
    attributes: { month, days: rollups.length, encoding: ROLLUP_MONTH_ENCODING },
    body: encodeRollupMonth(rollups),
  };
}

/** The days of month and daily records read together, oldest first, each day's own record winning. */
export function decodeRollupRecords(
  records: ReadonlyArray<{ head: Item; body: Uint8Array }>,
): DailyRollup[] {
  const days = new Map<string, DailyRollup>();
  const isMonth = (record: { head: Item }) => typeof record.head.month === 'string';
  for (const record of records.filter(isMonth)) {
    for (const rollup of decodeRollupMonth(record.body)) days.set(rollup.day, rollup);
  }
  for (const record of records.filter((candidate) => !isMonth(candidate))) {
    const rollup = decodeRollup(record.body);
    days.set(rollup.day, rollup);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}
