/**
 * Every modelling parameter of the spec world, named, with why it has its value. Ranges are `[low, high]`; the
 * cause ranges follow the cause specification's indicative ranges and are drawn over their whole width.
 */
import { DAY_MS, HOUR_MS } from '../../core/time.ts';

/** A closed interval `[low, high]` a parameter is drawn from. */
export type Range = readonly [number, number];

/** The default end of the judged night: a fixed instant, so a world never depends on the clock. */
export const DEFAULT_AS_OF = Date.UTC(2026, 10, 24, 6, 0, 0);
/** The judged window: the 24 hours that end at `asOf` (the cause specification's "night"). */
export const WINDOW_MS = DAY_MS;

// --- Accounts -------------------------------------------------------------------------------------------

/** Videos per account, log-spread: most creators the monitor follows have a few dozen to a few hundred. */
export const VIDEO_COUNT: Range = [3, 300];
/** Share of accounts with a large back catalogue (prolific creators are rare but exist). */
export const LARGE_CATALOGUE_SHARE = 0.05;
/** Videos of a large back catalogue. */
export const LARGE_VIDEO_COUNT: Range = [300, 1500];
/** An account's median lifetime views per video, log-uniform: from hobbyists to established creators. */
export const MEDIAN_REACH: Range = [600, 600_000];
/** Log-scale spread of lifetime views between one account's videos (90% within ~5× of the median). */
export const REACH_SIGMA = 1;
/** Chance that a video is a hit far above the account's usual reach (the heavy right tail). */
export const HIT_SHARE = 0.04;
/** How far above the usual reach a hit goes. */
export const HIT_MULTIPLIER: Range = [4, 40];
/** An account's typical likes per view (the cause specification: typically 2–15% of views). */
export const ACCOUNT_LIKE_RATE: Range = [0.03, 0.1];
/** Log-scale spread of the like rate between one account's videos. */
export const LIKE_RATE_SIGMA = 0.35;
/** Hard bounds of a video's like rate, the specification's typical band. */
export const LIKE_RATE_BOUNDS: Range = [0.02, 0.15];
/** Comments per like (comments follow likes at small rates). */
export const COMMENTS_PER_LIKE: Range = [0.005, 0.04];
/** Shares per like. */
export const SHARES_PER_LIKE: Range = [0.004, 0.05];
/** Saves per like (saves are more common than shares on TikTok). */
export const SAVES_PER_LIKE: Range = [0.03, 0.15];
/** Log-scale spread of the comment, share and save rates between videos. */
export const SECONDARY_RATE_SIGMA = 0.5;
/** Share of accounts whose source reports no saves (the contract allows `saves: null`). */
export const NO_SAVES_SHARE = 0.25;
/** Followers at the start of monitoring per like the account holds (audiences differ a lot). */
export const FOLLOWERS_PER_LIKE: Range = [0.02, 0.25];
/** New followers per newly received like: followers grow slowly with the account's likes. */
export const FOLLOWS_PER_NEW_LIKE: Range = [0.003, 0.03];
/** Accounts the creator follows (a constant of the account; it plays no role in any cause). */
export const FOLLOWING: Range = [5, 3000];
/** Chance that the profile's total likes include likes of videos hidden before monitoring began. */
export const HIDDEN_LIKES_CHANCE = 0.35;
/** Those hidden likes, as a share of the listed videos' likes. */
export const HIDDEN_LIKES_SHARE: Range = [0.002, 0.05];
/** UTC offsets (hours) of the audiences: the Americas, Europe, India, East Asia. */
export const AUDIENCE_UTC_OFFSETS: readonly number[] = [
  -8, -7, -6, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9,
];
/** Oldest video an account may have (TikTok's age, roughly). */
export const MAX_ACCOUNT_AGE_DAYS = 2200;

// --- View curves ----------------------------------------------------------------------------------------

// A video's lifetime views split in two parts: a log-normal burst in age (most views within days) and a slow
// power-law tail (search, profile visits) that keeps trickling for months.

/** Median age in hours of an account's burst views: 10 h for fast feeds to 2.5 days for slow ones. */
export const BURST_MEDIAN_HOURS: Range = [10, 60];
/** Log-scale spread of the burst median between one account's videos. */
export const BURST_MEDIAN_SIGMA = 0.3;
/** Log-scale width of the burst: how many days the first wave lasts. */
export const BURST_SPREAD: Range = [0.8, 1.4];
/** Share of lifetime views in the long tail. */
export const TAIL_SHARE: Range = [0.08, 0.3];
/** Age scale of the tail (days): it is half spent after a few months. */
export const TAIL_DAYS: Range = [15, 60];
/** Power of the tail's decay: below 1, so the tail is long. */
export const TAIL_POWER: Range = [0.5, 0.9];

// --- Traffic --------------------------------------------------------------------------------------------

/** Strength of the daily cycle (0: flat; 0.65: evenings bring ~4.7× the views of early mornings). */
export const DAILY_CYCLE_AMPLITUDE: Range = [0.25, 0.65];
/** Local hour of the audience's peak traffic (evenings). */
export const PEAK_LOCAL_HOUR: Range = [18, 22];
/** Fleet-wide drift: total amplitude of its slow sine components (the specification's ±20% over weeks). */
export const DRIFT_AMPLITUDE = 0.2;
/** Periods of the drift components (days): slow enough to look like a trend within a fortnight. */
export const DRIFT_PERIOD_DAYS: Range = [12, 50];
/** Sine components of the drift. */
export const DRIFT_COMPONENTS = 2;
/** Chance that the judged night is a fleet-wide lull (a holiday): every account's views fall the same. */
export const TONIGHT_LULL_CHANCE = 0.3;
/** Depth of a lull: the views lost that day (the brief's 20–45%). */
export const LULL_DEPTH: Range = [0.2, 0.45];
/** Past lulls per 30 days of history (holidays, big events elsewhere). */
export const PAST_LULLS_PER_30_DAYS = 1;
/** A lull lasts a day, offset from the judged window by up to this many hours either way. */
export const LULL_OFFSET_HOURS = 6;
/** Hours over which a lull sets in and lifts (traffic does not switch). */
export const LULL_RAMP_HOURS = 3;

// --- Posting --------------------------------------------------------------------------------------------

/** An account's median gap between posts (days), log-normal around 2 days. */
export const POST_GAP_MEDIAN_DAYS = 2;
/** Log-scale spread of the accounts' posting gaps. */
export const POST_GAP_ACCOUNT_SIGMA = 0.8;
/** Bounds of an account's median gap (several a day to fortnightly). */
export const POST_GAP_BOUNDS_DAYS: Range = [0.25, 14];
/** Log-scale spread of one account's regular gaps around its median. */
export const POST_GAP_SIGMA = 0.6;
/** Share of gaps that are bursts (several posts within hours). */
export const BURST_GAP_SHARE = 0.15;
/** Burst gaps, hours. */
export const BURST_GAP_HOURS: Range = [0.3, 6];
/** Share of gaps that are pauses of a week or more. */
export const PAUSE_GAP_SHARE = 0.06;
/** Pause gaps, days. */
export const PAUSE_GAP_DAYS: Range = [7, 30];

// --- Background un-likes and resurfacing -------------------------------------------------------------

/** Share of new likes taken back soon after (people un-like while the video is hot). */
export const UNLIKE_SHARE_OF_NEW_LIKES: Range = [0.005, 0.03];
/**
 * Un-likes per day on a video, per square root of its likes: old quiet videos tick down by a handful (1M likes:
 * 1–5 a day; 10k likes: 0.1–0.5), so big old videos do not bleed hundreds a day.
 */
export const UNLIKE_TRICKLE_PER_SQRT_LIKE: Range = [0.001, 0.005];
/** Background resurfacings of an old video per 30 days of history. */
export const RESURFACE_PER_30_DAYS = 0.3;
/** Minimum age of a resurfacing video (days): weeks after posting. */
export const RESURFACE_MIN_AGE_DAYS = 21;
/** Extra views of a resurfacing, as a multiple of the video's lifetime reach. */
export const RESURFACE_EXTRA: Range = [0.1, 1.5];
/** Median hours of a resurfacing's burst. */
export const RESURFACE_MEDIAN_HOURS: Range = [8, 30];
/** Log-scale spread of a resurfacing's burst. */
export const RESURFACE_SPREAD = 0.7;

// --- Polling --------------------------------------------------------------------------------------------

/** Poll cadences (hours) and how often each is configured. */
export const CADENCE_WEIGHTS: Readonly<Record<string, number>> = {
  '1': 0.14,
  '2': 0.1,
  '3': 0.1,
  '4': 0.14,
  '6': 0.16,
  '8': 0.1,
  '12': 0.12,
  '24': 0.14,
};
/** Jitter of a poll around its slot (minutes, either way). */
export const POLL_JITTER_MINUTES = 3;
/** The last poll falls at most this many minutes before `asOf` (never after it). */
export const LAST_POLL_EARLY_MINUTES = 5;
/** Per-account background rate of failed polls. */
export const BACKGROUND_FAIL_RATE: Range = [0, 0.04];
/** Per-account background rate of partial polls. */
export const BACKGROUND_PARTIAL_RATE: Range = [0, 0.03];
/** Per-account background rate of late polls. */
export const BACKGROUND_LATE_RATE: Range = [0, 0.04];
/** How late a late poll is (hours), capped just before the next slot. */
export const LATE_HOURS: Range = [1, 3];
/** Share of accounts whose source gives rounded counts (22.6K) for the whole history. */
export const ROUNDED_ACCOUNT_SHARE = 0.12;
/** Significant digits of a rounded count above 1,000 (TikTok shows 22.6K, 1.23M). */
export const ROUNDED_DIGITS = 3;
/** Videos per page of the source's video list: a partial poll misses whole pages. */
export const PAGE_SIZE = 30;
/** Monitored history (days), log-spread: from newly added accounts to two months. */
export const HISTORY_DAYS: Range = [3, 60];
/**
 * Video rows (videos × polls) one account may have. The monitor polls big catalogues less often (its cost grows
 * with pages of videos), and the fleet stays small enough to generate and parse quickly.
 */
export const ROW_BUDGET = 40_000;
/** Failure reasons of a failed poll, with weights. */
export const FAILURE_REASONS = {
  timeout: 0.35,
  server_error: 0.3,
  rate_limited: 0.15,
  network_error: 0.15,
  bot_check: 0.05,
} as const;

/** Milliseconds in a minute. */
export const MINUTE_MS = HOUR_MS / 60;
