/**
 * Thinned history: what is kept of a day once only its daily summary is read (one poll a day). The rule is
 * shared by the store's daily roll-ups and by the evaluation that checks the engine on history read that way.
 */
import type { Poll } from './model.ts';

/**
 * Days of history a night's explanation reads: the engine's eight weeks for a slow trend. Measured on the
 * evaluation set (docs/EVAL.md), four weeks instead raised false alarms from 0.0 % to 1.3 %.
 */
export const DEFAULT_HISTORY_DAYS = 56;

/**
 * Of the history, the days read poll by poll; before them, one poll a day (the daily roll-ups). The engine's
 * baselines are gains per day, which a poll a day gives; the night and the days around it need every poll.
 * On the evaluation set the verdicts come out within 0.2 points of reading every poll (docs/EVAL.md), for
 * under half the bytes.
 */
export const RAW_HISTORY_DAYS = 7;

/**
 * Days a daily roll-up outlives its month: the time left to roll the month into one record (normally done by
 * the month's first poll after it) before the days expire.
 */
export const DAILY_ROLLUP_GRACE_DAYS = 14;

/**
 * The poll that stands for a day (polls of one UTC day, in time order, at least one): its last `ok` poll, else
 * its last `partial` one, else its last poll; without the videos' titles and URLs, which are most of a poll
 * that is not a count (the raw polls of the retention period carry them).
 */
export function dayRepresentative(sortedPolls: readonly Poll[]): Poll {
  const lastOf = (status: Poll['status']) => sortedPolls.findLast((poll) => poll.status === status);
  const chosen = lastOf('ok') ?? lastOf('partial') ?? sortedPolls.at(-1);
  if (!chosen) throw new RangeError('a day without polls has no representative');
  if (!('videos' in chosen)) return chosen;
  return {
    ...chosen,
    videos: chosen.videos.map(({ title: _title, url: _url, ...counts }) => counts),
  };
}

/** The UTC day (`YYYY-MM-DD`) of an instant. */
export function utcDay(instant: string | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** The later of two days (`YYYY-MM-DD` sorts as it reads). */
export function laterDay(a: string, b: string): string {
  return a > b ? a : b;
}

/** The earlier of two days. */
export function earlierDay(a: string, b: string): string {
  return a < b ? a : b;
}

/**
 * `polls` (time order) as history read with full detail from the UTC day of `rawFrom` on, and one poll a
 * day (its {@link dayRepresentative}) before it.
 */
export function thinHistory(polls: readonly Poll[], rawFrom: Date): Poll[] {
  const rawDay = utcDay(rawFrom);
  const thinned: Poll[] = [];
  let day: Poll[] = [];
  const flush = () => {
    if (day.length > 0) thinned.push(dayRepresentative(day));
    day = [];
  };
  for (const poll of polls) {
    const pollDay = utcDay(poll.at);
    if (pollDay >= rawDay) {
      flush();
      thinned.push(poll);
    } else {
      if (day.length > 0 && utcDay((day[0] as Poll).at) !== pollDay) flush();
      day.push(poll);
    }
  }
  flush();
  return thinned;
}
