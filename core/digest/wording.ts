/**
 * The digest's vocabulary: how numbers, confidences, failure reasons, causes, dates and handles are put
 * into words. Pure functions with no knowledge of layout, shared by the subject, the text part and the
 * HTML part so they always say the same thing.
 */
import type { PollFailureReason } from '../model.ts';
import { toSingleLine } from './escape.ts';

export { countOf, formatCount } from '../format.ts';

/** How sure the engine is, in the words a creator reads: never a bare decimal. */
export type ConfidenceWord = 'likely' | 'possibly' | 'unclear';

/** Thresholds from the product brief: ≥ 0.7 is "likely", ≥ 0.4 "possibly", anything weaker "unclear". */
export function confidenceWord(confidence: number): ConfidenceWord {
  if (confidence >= 0.7) return 'likely';
  if (confidence >= 0.4) return 'possibly';
  return 'unclear';
}

/**
 * How much slower likes came in than the baseline predicted, as a whole percentage (0–100), or undefined
 * when there is no usable baseline to compare against.
 */
export function slowdownPercent(gained: number, baselineGain: number | null): number | undefined {
  if (baselineGain === null || baselineGain <= 0) return undefined;
  const percent = Math.round((1 - gained / baselineGain) * 100);
  return Math.min(100, Math.max(0, percent));
}

/**
 * How many times the usual a night's new likes were, in words: `about 11×`, `about 2.5×`; `far more than`
 * when the usual is zero. Only for nights above the band of ordinary nights, so never "about 1×".
 */
export function timesUsual(gained: number, baselineGain: number | null): string {
  if (baselineGain === null || baselineGain <= 0) return 'far more than';
  const times = gained / baselineGain;
  // Below 3× a tenth matters (1.4× is not 1×); above it, whole numbers are as precise as a night deserves.
  const shown = times < 3 ? (Math.round(times * 10) / 10).toString() : String(Math.round(times));
  return `about ${shown}×`;
}

/**
 * Why a poll could not be read, in plain words that fit inside "We could not read @handle last night (…)".
 * A `Record` so that every reason the poller can record has wording.
 */
export const FAILURE_REASON_WORDS: Record<PollFailureReason, string> = {
  rate_limited: 'TikTok was limiting how often we could ask',
  unauthorized: 'TikTok refused our access to the account',
  needs_reauthorization: 'the connection to TikTok has to be renewed',
  not_found: 'TikTok could not find the account; it may have been renamed or deleted',
  private_account: 'the account is private, so its counts are not public',
  server_error: "TikTok's servers returned an error",
  timeout: 'TikTok took too long to answer',
  malformed_response: 'TikTok answered in a form we could not read',
  missing_pages: 'parts of the video list did not load',
  network_error: 'a network problem kept us from reaching TikTok',
  quota_exhausted: 'we had used up our daily allowance of TikTok requests',
  bot_check: 'TikTok showed a bot check instead of the account',
  not_reached: 'our reading run ran out of time before it got to this account',
  blocked: 'TikTok refused to answer our requests',
  source_disabled: 'reading this kind of account is switched off in this installation',
  invalid_item: 'TikTok sent some videos without all their counts, so those were left out',
};

/** Said when the polls carry no recorded reason: true, and still not a guess. */
export const UNKNOWN_FAILURE_WORDS = 'the data we did get was too incomplete to judge';

/** A failure reason in words, or the generic wording when none was recorded. */
export function describeFailureReason(reason: PollFailureReason | undefined): string {
  return reason === undefined ? UNKNOWN_FAILURE_WORDS : FAILURE_REASON_WORDS[reason];
}

/** Handles longer than this are shortened for display; real TikTok handles are far shorter. */
const MAX_HANDLE_LENGTH = 40;

/**
 * `@handle`, safe for a subject line: control characters stripped (a CR/LF in a handle must not start a
 * new header), length capped, and a leading `@` not doubled.
 */
export function displayHandle(handle: string): string {
  const bare = toSingleLine(handle, MAX_HANDLE_LENGTH).replace(/^@+/, '');
  return `@${bare === '' ? 'unnamed account' : bare}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `Tuesday, November 25, 2026` from `2026-11-25`; the input is returned unchanged if it is not a date. */
export function formatLocalDate(localDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) return toSingleLine(localDate);
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (Number.isNaN(date.getTime())) return toSingleLine(localDate);
  return LOCAL_DATE_FORMAT.format(date);
}

/**
 * The date is already the subscriber's local date: formatted in UTC so no zone shifts the day. Made once:
 * building a formatter costs far more than formatting with one.
 */
const LOCAL_DATE_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  weekday: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});

/**
 * The window in the subscriber's own clock, e.g. `between Mon 06:00 and Tue 06:00 (Europe/Berlin time)`.
 * Falls back to UTC if the zone is unknown to the runtime, rather than failing the whole email.
 */
export function formatWindow(window: { from: string; to: string }, timeZone: string): string {
  const { zone, format } = localClockFormat(timeZone);
  const from = new Date(window.from);
  const to = new Date(window.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return 'in the last 24 hours';
  return `between ${format.format(from)} and ${format.format(to)} (${zone} time)`;
}

/** A zone's clock formats, with the zone actually used (UTC when the runtime does not know the one asked for). */
export interface LocalClockFormat {
  zone: string;
  /** `Sat 18:00`. */
  format: Intl.DateTimeFormat;
  /** `Nov 23 18:00`. */
  dated: Intl.DateTimeFormat;
}

/** Formats by time zone: making one is far slower than using it, and a night's digests share a few zones. */
const windowFormats = new Map<string, LocalClockFormat>();

/** The clock formats of `timeZone` (UTC's if the runtime does not know it), made once per zone. */
export function localClockFormat(timeZone: string): LocalClockFormat {
  const cached = windowFormats.get(timeZone);
  if (cached) return cached;
  const clock = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
  const make = (zone: string): LocalClockFormat => ({
    zone,
    format: new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', ...clock }),
    dated: new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      month: 'short',
      day: 'numeric',
      ...clock,
    }),
  });
  let made: LocalClockFormat;
  try {
    made = make(timeZone);
  } catch {
    made = make('UTC');
  }
  // Bounded: time zones are validated where subscribers sign up, so only a few distinct ones ever arrive.
  if (windowFormats.size < 1000) windowFormats.set(timeZone, made);
  return made;
}
