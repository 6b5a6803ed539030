/**
 * Parameters of the injected events: the causes (ranges from the cause specification, drawn over their whole
 * width), the hard ordinary nights and the gaps in the monitor's own data.
 */
import type { Range } from './params.ts';

// --- inactive_account_cleanup ---------------------------------------------------------------------------

/** The common fraction of likes a cleanup removes (specification: about 0.05% to 1.5%), log-uniform. */
export const CLEANUP_FRACTION: Range = [0.0005, 0.015];
/** Each video's fraction lies within this factor of the common one (specification: ~1.5). */
export const CLEANUP_VIDEO_FACTOR = 1.5;
/** Share of the videos with likes that a cleanup touches ("most videos that have likes"). */
export const CLEANUP_HIT_SHARE: Range = [0.8, 1];
/** Followers drop by the common fraction times a factor within this (specification: "a similar fraction"). */
export const CLEANUP_FOLLOWER_FACTOR = 1.5;
/** Chance that cleanup accounts of one fleet share one platform-wide wave (same instant, same fraction). */
export const CLEANUP_WAVE_CHANCE = 0.5;

// --- fake_engagement_purge ------------------------------------------------------------------------------

/** The purged videos' like-to-view ratio before the purge, as a multiple of the account's norm (2× to 20×). */
export const PURGE_RATIO_MULTIPLE: Range = [2, 20];
/** Share of the fake likes one purge removes (specification: roughly half to all of the excess). */
export const PURGE_REMOVED_SHARE: Range = [0.5, 1];
/** At most this share of the account's videos were boosted (a minority; at least one). */
export const PURGE_MAX_TARGET_SHARE = 0.2;
/** At most this many boosted videos (a bought package usually lands on a handful). */
export const PURGE_MAX_TARGETS = 6;
/** Hours over which the fake likes landed (the like count jumped within one or two polls). */
export const PURGE_BURST_HOURS: Range = [0.3, 3];
/** Days of history a burst inside the history needs (polls before the burst, and between it and the night). */
export const PURGE_IN_HISTORY_MIN_DAYS = 3;
/** A burst inside the history lands at least this many hours after monitoring began and before the window. */
export const PURGE_BURST_MARGIN_HOURS = 2;
/** Chance that the burst predates monitoring, leaving only the high like-to-view ratio as its trace. */
export const PURGE_PRIOR_BURST_CHANCE = 0.5;
/** Days before monitoring at which a prior burst happened. */
export const PURGE_PRIOR_BURST_DAYS: Range = [1, 120];
/** Chance that followers drop a little at the purge (specification: "may drop a little"). */
export const PURGE_FOLLOWER_DROP_CHANCE = 0.5;
/** That follower drop, as a fraction of followers. */
export const PURGE_FOLLOWER_DROP: Range = [0.0005, 0.006];
/** Chance that purge accounts of one fleet are hit by one platform sweep in the same interval. */
export const PURGE_SWEEP_CHANCE = 0.4;

// --- content_removed_or_restricted ----------------------------------------------------------------------

/** Videos that vanish in one removal ("one or a few"). */
export const REMOVED_VIDEOS: Range = [1, 3];
/** Chance that the removal is the restricted variant: listed, but its views stop growing abruptly. */
export const RESTRICTED_CHANCE = 0.3;
/** A restricted video's views keep this share of their pace (almost none). */
export const RESTRICTED_RESIDUAL: Range = [0, 0.02];
/** A restricted video is the account's newest, restricted this many hours after it went up. */
export const RESTRICTED_AFTER_HOURS: Range = [1, 10];
/** Days between the restricted video's posting and `asOf`: it went up around the window's start. */
export const RESTRICTED_POSTED_DAYS: Range = [0.6, 1.4];

// --- reach_limited --------------------------------------------------------------------------------------

/** Views keep this share of their usual pace after the onset (specification: roughly 5–30%). */
export const REACH_FACTOR: Range = [0.05, 0.3];
/** The newest videos are hit harder still: their factor is multiplied by a draw from this range. */
export const REACH_NEWEST_EXTRA: Range = [0.5, 1];
/** Videos younger than this (days) at the onset, or posted after it, count as the newest. */
export const REACH_NEWEST_DAYS = 3;
/** Hours between the onset and `asOf` ("in the last day or few days"), log-uniform. */
export const REACH_ONSET_HOURS: Range = [4, 96];
/** Days of history before the onset (reach-limited accounts need two weeks and more). */
export const REACH_HISTORY_DAYS = 14;
/** Longest posting gap (days) in that history: the account has a usual pace to fall from. */
export const REACH_MAX_GAP_DAYS = 4;

// --- audience_shift -------------------------------------------------------------------------------------

/** Decline of likes-per-view and/or views of new videos by `asOf` (specification: 30–70%). */
export const SHIFT_DECLINE: Range = [0.3, 0.7];
/** Weeks the slide has been building (specification: 2–6 weeks). */
export const SHIFT_WEEKS: Range = [2, 6];
/** What slides: likes-per-view, views, or both (each with its own decline). */
export const SHIFT_MODES = { rate: 0.35, views: 0.3, both: 0.35 } as const;
/** Days of history at least (audience-shift accounts need six weeks and more). */
export const SHIFT_MIN_HISTORY_DAYS = 42;
/** Days of history before the slide began, for the level "several weeks back". */
export const SHIFT_LEAD_DAYS = 8;
/** Longest steady posting gap (days) in the slide: a shifting account keeps posting. */
export const SHIFT_MAX_GAP_DAYS = 3;

// --- platform_glitch ------------------------------------------------------------------------------------

/** What the counters do: fall to zero, lose a large uniform share of likes, or of likes and views. */
export const GLITCH_KINDS = { zero: 0.35, share: 0.4, views: 0.25 } as const;
/** The uniform share a glitch drops at once. */
export const GLITCH_SHARE: Range = [0.2, 0.9];
/** Chance that the glitch is restored before `asOf` (otherwise it lasts past the window's end). */
export const GLITCH_RESTORED_CHANCE = 0.6;
/** Hours a restored glitch lasts (a dip in one or a few polls). */
export const GLITCH_HOURS: Range = [0.5, 10];
/** An unrestored glitch starts this many hours before `asOf`. */
export const GLITCH_UNRESTORED_START_HOURS: Range = [0.5, 14];
/** How many of the biggest videos a zeroing glitch hits when it does not hit them all. */
export const GLITCH_ZERO_VIDEOS: Range = [1, 3];
/** Chance that a zeroing glitch zeroes every video (otherwise one to a few of the biggest). */
export const GLITCH_ZERO_ALL_CHANCE = 0.5;
/** Chance that the profile's total likes glitch along with the videos. */
export const GLITCH_PROFILE_CHANCE = 0.6;
/** Chance that glitch accounts of one fleet show the same drop in the same interval. */
export const GLITCH_FLEET_CHANCE = 0.4;

// --- organic_unlikes ------------------------------------------------------------------------------------

/** Videos losing likes ("one to a few"). */
export const ORGANIC_VIDEOS: Range = [1, 3];
/** Fraction of its likes each loses (specification: a fraction of a percent up to a few percent). */
export const ORGANIC_FRACTION: Range = [0.003, 0.05];
/** Hours over which the likes go ("gradually over several polls"). */
export const ORGANIC_HOURS: Range = [3, 18];
/** Days between the account's last post and `asOf`: it has recent videos still getting views. */
export const ORGANIC_LAST_POST_DAYS: Range = [0.3, 5];
/** Age (days) of the videos hit: recent ones still getting views. */
export const ORGANIC_RECENT_DAYS: Range = [0.5, 10];
/** Chance that an older video is the one (an old video rediscovered by a hostile crowd). */
export const ORGANIC_OLDER_CHANCE = 0.2;
/** Extra comments per un-like (a controversy brings comments). */
export const ORGANIC_COMMENTS_PER_UNLIKE: Range = [0.2, 2];

// --- Several causes, hard ordinary nights, gaps ---------------------------------------------------------

/** Chance that a loss-cause night also carries a second loss cause. */
export const OVERLAP_CHANCE = 0.2;
/** A viral new video's reach, as a multiple of the account's usual. */
export const VIRAL_MULTIPLIER: Range = [10, 60];
/** Hours before `asOf` at which the viral video was posted. */
export const VIRAL_POSTED_HOURS: Range = [8, 40];
/** A posting pause before `asOf` (days): a week or more without a new video. */
export const PAUSE_DAYS: Range = [7, 21];
/** An account that stopped posting long ago: days since its last video. */
export const QUIET_LAST_POST_DAYS: Range = [60, 300];
/** A flop the creator deletes: lifetime reach (views), so it has no or few likes. */
export const FLOP_REACH: Range = [2, 40];
/** The flop's age (hours) when deleted. */
export const FLOP_AGE_HOURS: Range = [1, 30];
/** Hours before `asOf` at which the flop is deleted (inside the window, seen by a poll after it). */
export const FLOP_DELETED_HOURS: Range = [0.5, 23];
/** Hours before `asOf` at which tonight's resurfacing starts: its burst falls in the night. */
export const RESURFACE_TONIGHT_HOURS: Range = [4, 36];
/** In-window share of failed polls for the "some failed" (mild) gap night. */
export const SOME_FAILED_SHARE: Range = [0.1, 0.35];
/** In-window share of failed polls for the "failed polls" (severe) gap night. */
export const MANY_FAILED_SHARE: Range = [0.6, 1];
/** Share of the window an outage covers. */
export const OUTAGE_SHARE: Range = [0.55, 1];
/** In-window share of partial polls on a partial-polls night. */
export const PARTIAL_SHARE: Range = [0.3, 1];
/** In-window share of late polls on a late-polls night. */
export const LATE_SHARE: Range = [0.3, 0.8];
/** Hours of history of a brand-new account. */
export const NEW_ACCOUNT_HOURS: Range = [1, 11];
/** Days of history of a very short history. */
export const SHORT_HISTORY_DAYS: Range = [1.2, 3];
