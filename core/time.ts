/**
 * Instants as the contract spells them, and time arithmetic in subscribers' time zones (pure: uses the runtime's
 * zone database through Intl).
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Formats an instant as the data contract writes it: ISO-8601 UTC, without fractional seconds when they are zero
 * (`2026-11-24T06:00:00Z`). Sources spell what TikTok reports this way, so the store keeps whole seconds compact.
 */
export function formatInstant(instant: Date | number): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local calendar date (`YYYY-MM-DD`) and hour (0–23) of `instant` in `timeZone`. */
export function localDateAndHour(instant: Date, timeZone: string): { date: string; hour: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** `instant` rounded down to the whole UTC hour. */
export function floorToHour(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/** The calendar date `days` after `localDate` (`YYYY-MM-DD`; negative `days` go back). */
export function addDays(localDate: string, days: number): string {
  const midnight = Date.parse(`${localDate}T00:00:00Z`);
  if (Number.isNaN(midnight)) throw new RangeError(`not a date: ${localDate}`);
  return new Date(midnight + days * DAY_MS).toISOString().slice(0, 10);
}
