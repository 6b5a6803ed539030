/** Wording helpers for evidence sentences: numbers and instants as a creator reads them. */
import { DAY_MS } from '../time.ts';

export { countOf, formatCount } from '../format.ts';

/** A share as a percentage with sensible precision (`0.4%`, `12%`). */
export function formatPercent(share: number): string {
  const percent = share * 100;
  if (percent >= 10) return `${Math.round(percent)}%`;
  if (percent >= 1) return `${percent.toFixed(1).replace(/\.0$/, '')}%`;
  return `${percent.toPrecision(1)}%`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clock(date: Date): string {
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

/** An instant, e.g. `Nov 23 22:00 UTC`. */
export function formatInstantUtc(atMs: number): string {
  const date = new Date(atMs);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${clock(date)} UTC`;
}

/** An interval between two polls, e.g. `between 02:00 and 03:00 UTC` or `between Nov 23 22:00 and Nov 24 03:00 UTC`. */
export function formatInterval(fromMs: number, toMs: number): string {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  if (from.getUTCDate() === to.getUTCDate() && toMs - fromMs < DAY_MS) {
    return `between ${clock(from)} and ${clock(to)} UTC`;
  }
  const day = (date: Date) => `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
  return `between ${day(from)} ${clock(from)} and ${day(to)} ${clock(to)} UTC`;
}
