/**
 * The engine writes the instants in its evidence in UTC (`between Dec 5 23:00 and Dec 6 03:00 UTC`); a
 * subscriber reads every time of their digest in their own zone. This rewrites those instants, and only
 * those, into the subscriber's clock, in the digest window's style (`between Sat 18:00 and Sat 22:00`).
 */
import { DAY_MS } from '../time.ts';
import { localClockFormat } from './wording.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One instant as the engine writes it: an optional `Mon D` date and a 24-hour `HH:MM` clock. */
const INSTANT = String.raw`(?:([A-Z][a-z]{2}) (\d{1,2}) )?(\d{2}):(\d{2})`;
const INTERVAL = new RegExp(`between ${INSTANT} and ${INSTANT} UTC`, 'g');
/** A lone instant always carries its date. */
const LONE_INSTANT = /\b([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}) UTC/g;

/** Instants more than this before the night's end are written with their date, not just a weekday. */
const WEEKDAY_REACH_MS = 6 * DAY_MS;

/**
 * `sentence` with every UTC instant the engine wrote moved into `timeZone`. `nightEndMs` anchors the
 * instants that carry no date or year: they are the latest such instants at or before the night's end.
 */
export function inLocalTime(sentence: string, nightEndMs: number, timeZone: string): string {
  const local = (at: number) => formatLocalInstant(at, nightEndMs, timeZone);
  return sentence
    .replace(INTERVAL, (whole, m1, d1, h1, n1, m2, d2, h2, n2) => {
      const to = resolve(nightEndMs, m2, d2, h2, n2);
      // Without dates, both clocks are on the same UTC day (the engine's own rule).
      const from = m1 === undefined ? sameDay(to, h1, n1) : resolve(nightEndMs, m1, d1, h1, n1);
      if (from === undefined || to === undefined) return whole;
      return `between ${local(from)} and ${local(to)}`;
    })
    .replace(LONE_INSTANT, (whole, month, day, hour, minute) => {
      const at = resolve(nightEndMs, month, day, hour, minute);
      return at === undefined ? whole : local(at);
    });
}

/** `Sat 18:00` within the week before the night's end, `Nov 23 17:00` before that, in `timeZone`. */
export function formatLocalInstant(atMs: number, nightEndMs: number, timeZone: string): string {
  const { format, dated } = localClockFormat(timeZone);
  return (nightEndMs - atMs > WEEKDAY_REACH_MS ? dated : format)
    .format(new Date(atMs))
    .replace(',', '');
}

/** The instant of a `Mon D HH:MM` (or a bare `HH:MM`) UTC reading: the latest one not after the night's end. */
function resolve(
  nightEndMs: number,
  month: string | undefined,
  day: string | undefined,
  hour: string,
  minute: string,
): number | undefined {
  const end = new Date(nightEndMs);
  if (month === undefined || day === undefined) {
    const today = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate());
    const at = today + Number(hour) * 3_600_000 + Number(minute) * 60_000;
    return at > nightEndMs ? at - DAY_MS : at;
  }
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex < 0) return undefined;
  const at = (year: number) =>
    Date.UTC(year, monthIndex, Number(day), Number(hour), Number(minute));
  const thisYear = at(end.getUTCFullYear());
  // Evidence is about the past: a date after the night's end is last year's (a December night in January).
  return thisYear > nightEndMs + DAY_MS ? at(end.getUTCFullYear() - 1) : thisYear;
}

/** `HH:MM` UTC on the same UTC day as `other`, no later than it. */
function sameDay(other: number | undefined, hour: string, minute: string): number | undefined {
  if (other === undefined) return undefined;
  const date = new Date(other);
  return Date.UTC(
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    Number(hour),
    Number(minute),
  );
}
