/**
 * Planning an account's roll-ups (see `poll-history.ts`): which days a poll asks to roll up, which months that
 * finishes, and when a daily record expires. Pure: no DynamoDB here.
 */
import { DAILY_ROLLUP_GRACE_DAYS, laterDay, utcDay } from '../../core/thinned-history.ts';
import { addDays, DAY_MS } from '../../core/time.ts';

/** When a daily roll-up of `day` expires (epoch seconds): two weeks into the month after its own. */
export function dailyRollupExpiry(day: string): number {
  const following = Date.parse(`${nextMonth(day.slice(0, 7))}-01T00:00:00Z`);
  return Math.floor((following + DAILY_ROLLUP_GRACE_DAYS * DAY_MS) / 1000);
}

/** What a poll asks of its account's roll-ups: the days to roll up, and where the mark moves. */
export interface RollupWork {
  fromDay: string;
  toDay: string;
  markTo?: string;
  /** Whether a day already rolled up is rolled up again (a late poll). */
  again?: boolean;
}

/**
 * The roll-up work a poll of `day` brings, given the account's mark `through`: the finished days not rolled up
 * yet (bounded by the retention, older raw polls being gone, and by the day the account has been watched
 * since, if known: a new account's first poll has nothing before it), or `day` again when it was rolled up
 * already (a late poll).
 */
export function rollupWork(
  day: string,
  through: string | undefined,
  retentionDays: number,
  watchedSince?: string,
): RollupWork | undefined {
  if (through !== undefined && day <= through) return { fromDay: day, toDay: day, again: true };
  const yesterday = addDays(day, -1);
  const kept = addDays(day, -retentionDays);
  const since = watchedSince === undefined ? kept : utcDay(watchedSince);
  const oldestKept = laterDay(since, kept);
  const first = through === undefined || through < oldestKept ? oldestKept : addDays(through, 1);
  return first > yesterday ? undefined : { fromDay: first, toDay: yesterday, markTo: yesterday };
}

/** One account's work for several polls: the span of their days, the mark moved as far as any moves it. */
export function mergeWork(works: ReadonlyArray<RollupWork | undefined>): RollupWork | undefined {
  let merged: RollupWork | undefined;
  for (const work of works) {
    if (!work) continue;
    if (!merged) {
      merged = { ...work };
      continue;
    }
    if (work.fromDay < merged.fromDay) merged.fromDay = work.fromDay;
    if (work.toDay > merged.toDay) merged.toDay = work.toDay;
    if (work.markTo && (!merged.markTo || work.markTo > merged.markTo)) merged.markTo = work.markTo;
    if (work.again) merged.again = true;
  }
  return merged;
}

/** The months the work finishes, before `currentMonth`: those whose last day it rolls up for the first time. */
export function finishedMonths(work: RollupWork, currentMonth: string): string[] {
  if (work.again) return [];
  return monthsBetween(work.fromDay, work.toDay).filter((month) => {
    const lastDay = addDays(`${nextMonth(month)}-01`, -1);
    return month < currentMonth && lastDay >= work.fromDay && lastDay <= work.toDay;
  });
}

/** The month (`YYYY-MM`) after `month`. */
export function nextMonth(month: string): string {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, index, 1)).toISOString().slice(0, 7);
}

/** The months (`YYYY-MM`) of the days `fromDay`..`toDay`, in order. */
export function monthsBetween(fromDay: string, toDay: string): string[] {
  const months: string[] = [];
  for (let month = fromDay.slice(0, 7); month <= toDay.slice(0, 7); month = nextMonth(month)) {
    months.push(month);
  }
  return months;
}
