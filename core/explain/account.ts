/**
 * One account's night: its losses, split into findings (a cause, the videos and likes it explains, how well
 * the data fits it), its gains against baseline, and what the polls could see. Fleet-wide evidence is added
 * afterwards (see `fleet-context.ts`), so findings that depend on other accounts stay open here.
 */
import type { Cause, FleetAccount } from '../model.ts';
import { DAY_MS } from '../time.ts';
import { windowCoverage } from './coverage.ts';
import { countOf, formatCount, formatInterval, formatPercent } from './format.ts';
import { assessGains, gainBetween, HISTORY_NIGHTS, type SlowdownFinding } from './gains.ts';
import {
  type Background,
  type DrawdownScan,
  fitInterval,
  type IntervalFit,
  learnBackground,
  notableLoss,
  scanDrawdowns,
} from './losses.ts';
import { type AccountSeries, buildSeries, roundingSlack } from './series.ts';
import { median, ramp } from './stats.ts';

/** What a loss looks like, before the fleet is consulted. */
export type FindingKind =
  /** Videos gone from the public list between two complete polls. */
  | 'removal'
  /** Most of the list gone at once, or videos that vanished and came back. */
  | 'list_glitch'
  /** Counts that fell to zero, views that went down, or a dip that came back in one step. */
  | 'implausible'
  /** Many videos lost the same large share at once. */
  | 'uniform_drop'
  /** Most videos lost a small similar share in one interval. */
  | 'cleanup'
  /** Like the above, but too weak to stand on this account alone. */
  | 'weak_cleanup'
  /** Like-to-view ratio outliers lost a large share in one step. */
  | 'outlier_drop'
  /** A large one-step loss on videos that are not ratio outliers: a glitch or a purge, the fleet decides. */
  | 'large_drop'
  /** A few videos lost more than background, gradually or by a small share. */
  | 'unlikes';

/** A part of the night's loss and the cause that fits it. */
export interface Finding {
  cause: Cause;
  kind: FindingKind;
  /** Likes this finding explains. */
  likes: number;
  /** Video indexes (into the account's series) whose loss it explains. */
  videos: number[];
  /** The poll interval it happened in. */
  fromMs: number;
  toMs: number;
  /** How well the data fits the cause, 0–1, before fleet evidence. */
  fit: number;
  evidence: string[];
}

/** Per-video outcome of the window. */
export interface VideoOutcome {
  /** Index into the account's series. */
  index: number;
  id: string;
  lost: number;
  restored: number;
}

/** Everything the engine learned about one account, before ranking causes. */
export interface AccountAnalysis {
  /** Who it is; not the polls, so that a night of many accounts holds their findings, not their histories. */
  account: Pick<FleetAccount, 'id' | 'handle'>;
  /** Enough usable polls to call the night ordinary. */
  judgeable: boolean;
  lost: number;
  restored: number;
  gained: number;
  baselineGain: number | null;
  findings: Finding[];
  slowdown?: SlowdownFinding;
  videos: VideoOutcome[];
  /** Video ids by index, to name videos in findings. */
  videoIds: readonly string[];
}

/** History the engine reads: what the slowest trend needs, plus a margin. */
const HISTORY_MS = (HISTORY_NIGHTS + 2) * DAY_MS;
/** A video whose like-to-view ratio is this many times the account's norm is an outlier. */
const RATIO_OUTLIER = 1.6;
/** A single interval's loss of quiet videos above this share is no cleanup but a counter glitch. */
const UNIFORM_DROP_FRACTION = 0.03;
/** Organic un-liking worth reporting: at least this many likes and this share of a video's likes. */
const MIN_UNLIKES_LOSS = 15;
const MIN_UNLIKES_SHARE = 0.002;
/** Cleanups take up to about 1.5% of each video's likes (give or take half). */
const MAX_CLEANUP_SHARE = 0.03;
/** Cleanups remove at least about 0.05% of likes; anything smaller is background. */
const MIN_CLEANUP_FRACTION = 2e-4;
const MIN_CLEANUP_VIDEOS = 5;
const MIN_CLEANUP_LIKES = 12;

/** Analyses one account's window (fromMs, toMs]. */
export function analyzeAccount(
  account: FleetAccount,
  fromMs: number,
  toMs: number,
): AccountAnalysis {
  const series = buildSeries(account, toMs - HISTORY_MS, toMs);
  const coverage = windowCoverage(series.polls, series.times, fromMs, toMs);
  const rows =
    coverage.anchorIndex >= 0
      ? [coverage.anchorIndex, ...coverage.insideIndexes]
      : coverage.insideIndexes;
  const gains = assessGains(series, toMs, formatCount);
  const base: AccountAnalysis = {
    account: { id: account.id, handle: account.handle },
    judgeable: coverage.judgeable,
    lost: 0,
    restored: 0,
    gained: 0,
    baselineGain: gains.baseline,
    findings: [],
    videos: [],
    videoIds: series.videoIds,
    ...(gains.slowdown && coverage.judgeable ? { slowdown: gains.slowdown } : {}),
  };
  if (rows.length < 2) return base;

  const scan = scanDrawdowns(series, rows);
  const background = learnBackground(series, rows[0] as number, fromMs);
  const fits = fitIntervals(series, rows);
  const findings: Finding[] = [];
  const causeOf = new Map<number, Finding>();
  const assign = (finding: Finding) => {
    findings.push(finding);
    for (const video of finding.videos) causeOf.set(video, finding);
  };

  for (const finding of vanishedFindings(series, scan)) assign(finding);
  const norm = ratioNorm(scan, series.videoCount);
  for (const finding of drawdownFindings(series, scan, fits, background, norm, causeOf))
    assign(finding);
  for (const finding of cleanupFindings(series, fits, background, scan, causeOf)) assign(finding);

  const videos: VideoOutcome[] = [];
  let lost = 0;
  let restored = 0;
  for (let video = 0; video < series.videoCount; video += 1) {
    const vanished =
      (scan.vanishedRow[video] as number) >= 0 ? (scan.vanishedLikes[video] as number) : 0;
    const videoLost = (scan.lost[video] as number) + vanished;
    if (videoLost <= 0) continue;
    const videoRestored = scan.restored[video] as number;
    lost += videoLost;
    restored += videoRestored;
    videos.push({
      index: video,
      id: series.videoIds[video] as string,
      lost: videoLost,
      restored: videoRestored,
    });
  }
  videos.sort((a, b) => b.lost - a.lost);
  const gained = gainBetween(series, rows[0] as number, rows.at(-1) as number).likes;
  return { ...base, lost, restored, gained, findings, videos };
}

/** Fits every consecutive interval of the window's rows, each with the usable poll before it for pace. */
function fitIntervals(series: AccountSeries, rows: readonly number[]): IntervalFit[] {
  const fits: IntervalFit[] = [];
  let before = -1;
  for (let row = (rows[0] as number) - 1; row >= 0; row -= 1) {
    if (series.usable[row] === 1) {
      before = row;
      break;
    }
  }
  for (let index = 1; index < rows.length; index += 1) {
    const fromRow = rows[index - 1] as number;
    fits.push(fitInterval(series, before, fromRow, rows[index] as number));
    before = fromRow;
  }
  return fits;
}

/** The account's typical like-to-view ratio: the median over videos with enough views. */
function ratioNorm(scan: DrawdownScan, videoCount: number): number {
  const ratios: number[] = [];
  for (let video = 0; video < videoCount; video += 1) {
    const views = scan.lastViews[video] as number;
    if (views >= 200) ratios.push((scan.lastLikes[video] as number) / views);
  }
  return ratios.length > 0 ? median(ratios) : Number.NaN;
}

/** The last row at or before `row` in which the video was listed. */
function lastSightingBefore(series: AccountSeries, video: number, row: number): number {
  for (let candidate = row - 1; candidate >= 0; candidate -= 1) {
    if (!Number.isNaN(series.likes[candidate * series.videoCount + video] as number))
      return candidate;
  }
  return row;
}

/** Videos gone from a complete poll: removed or hidden, or (en masse, or back later) a glitch in the list. */
function vanishedFindings(series: AccountSeries, scan: DrawdownScan): Finding[] {
  const byRow = new Map<number, number[]>();
  for (let video = 0; video < series.videoCount; video += 1) {
    const row = scan.vanishedRow[video] as number;
    if (row < 0) continue;
    const list = byRow.get(row) ?? [];
    list.push(video);
    byRow.set(row, list);
  }
  const findings: Finding[] = [];
  for (const [row, videos] of byRow) {
    const seenRow = lastSightingBefore(series, videos[0] as number, row);
    let listedBefore = 0;
    for (let video = 0; video < series.videoCount; video += 1) {
      if (!Number.isNaN(series.likes[seenRow * series.videoCount + video] as number))
        listedBefore += 1;
    }
    const likes = videos.reduce((sum, video) => sum + (scan.vanishedLikes[video] as number), 0);
    // Videos without likes took nothing with them: no loss to explain.
    if (likes <= 0) continue;
    const fromMs = series.times[seenRow] as number;
    const toMs = series.times[row] as number;
    const when = formatInterval(fromMs, toMs);
    if (videos.length >= 3 && videos.length >= 0.5 * listedBefore) {
      findings.push({
        cause: 'platform_glitch',
        kind: 'list_glitch',
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.8,
        evidence: [
          `${countOf(videos.length, 'video')} of ${formatCount(listedBefore)} were missing from your public list ${when}; a real removal does not take most of an account at once`,
        ],
      });
      continue;
    }
    const evidence = [
      `${countOf(videos.length, 'video')} with ${formatCount(likes)} likes disappeared from your public list ${when}`,
    ];
    const profileDrop = profileLikesDrop(series, seenRow, row);
    if (profileDrop !== undefined && profileDrop > 0) {
      evidence.push(
        `Your profile's total likes fell by ${formatCount(profileDrop)} in the same interval`,
      );
    }
    evidence.push(
      'From public data a removal by TikTok cannot be told apart from you deleting or hiding the video',
    );
    findings.push({
      cause: 'content_removed_or_restricted',
      kind: 'removal',
      likes,
      videos,
      fromMs,
      toMs,
      fit: 0.9,
      evidence,
    });
  }
  return findings;
}

function profileLikesDrop(
  series: AccountSeries,
  fromRow: number,
  toRow: number,
): number | undefined {
  const before = series.polls[fromRow];
  const after = series.polls[toRow];
  if (!before || !after || before.status === 'failed' || after.status === 'failed')
    return undefined;
  if (!before.profile || !after.profile) return undefined;
  return before.profile.likes - after.profile.likes;
}

/** How an interval's quiet videos moved, as a class. */
function intervalClass(
  fit: IntervalFit,
  background: Background,
): 'uniform' | 'cleanup' | 'weak' | 'none' {
  if (fit.quietCount >= 3 && fit.downShare >= 0.6 && fit.fraction >= UNIFORM_DROP_FRACTION)
    return 'uniform';
  const floor = Math.max(MIN_CLEANUP_FRACTION, 4 * background.intervalFraction);
  // A cleanup is diffuse: many videos, each losing whole likes, adding up to more than a handful.
  if (
    fit.downCount < MIN_CLEANUP_VIDEOS ||
    fit.quietLoss < MIN_CLEANUP_LIKES ||
    !fit.proportional
  ) {
    return 'none';
  }
  if (fit.downShare >= 0.6 && fit.fraction >= floor) return 'cleanup';
  if (fit.downShare >= 0.45 && fit.fraction >= 0.6 * floor) return 'weak';
  return 'none';
}

/** Notable per-video drawdowns, grouped into findings by what they look like. */
function drawdownFindings(
  series: AccountSeries,
  scan: DrawdownScan,
  fits: readonly IntervalFit[],
  background: Background,
  norm: number,
  taken: ReadonlyMap<number, Finding>,
): Finding[] {
  const fitByRows = new Map<string, IntervalFit>();
  for (const fit of fits) fitByRows.set(`${fit.fromRow}:${fit.toRow}`, fit);
  const groups = new Map<
    string,
    { kind: FindingKind; videos: number[]; fromRow: number; toRow: number }
  >();
  const smallSteps = new Map<string, number[]>();
  const addToGroup = (kind: FindingKind, video: number, fromRow: number, toRow: number) => {
    // Gradual losses spread over polls; one-step kinds group by their interval.
    const key = kind === 'unlikes' ? kind : `${kind}:${fromRow}:${toRow}`;
    const group = groups.get(key) ?? { kind, videos: [], fromRow, toRow };
    group.videos.push(video);
    group.fromRow = Math.min(group.fromRow, fromRow);
    group.toRow = Math.max(group.toRow, toRow);
    groups.set(key, group);
  };
  for (let video = 0; video < series.videoCount; video += 1) {
    if (taken.has(video)) continue;
    const lost = scan.lost[video] as number;
    const peak = scan.peak[video] as number;
    if (lost <= 0 || lost < notableLoss(peak, background)) continue;
    const fromRow = scan.stepFromRow[video] as number;
    const toRow = scan.stepToRow[video] as number;
    const fit = fitByRows.get(`${fromRow}:${toRow}`);
    const single = (scan.stepLoss[video] as number) >= 0.6 * lost;
    const fraction = lost / Math.max(1, peak);
    const ratio = peak / Math.max(1, scan.peakViews[video] as number) / norm;
    let kind: FindingKind;
    if (
      scan.zeroed[video] === 1 ||
      (scan.viewsDrop[video] as number) >= 1 ||
      ((scan.reboundJump[video] as number) >= 0.5 * lost &&
        (scan.restored[video] as number) >= 0.6 * lost)
    ) {
      kind = 'implausible';
    } else if (fit && single && intervalClass(fit, background) === 'uniform') {
      kind = 'uniform_drop';
    } else if (
      fit &&
      single &&
      intervalClass(fit, background) === 'cleanup' &&
      fraction < 3 * fit.fraction
    ) {
      // A busy video's share of the cleanup: leave it to the cleanup finding.
      continue;
    } else if (single && ratio >= RATIO_OUTLIER && fraction >= 0.05) {
      kind = 'outlier_drop';
    } else if (single && fraction >= 0.1) {
      kind = 'large_drop';
    } else if (
      lost >= MIN_UNLIKES_LOSS &&
      fraction >= MIN_UNLIKES_SHARE &&
      // People un-like videos they are still watching; an old quiet video ticking down is background.
      (scan.viewGrowth[video] as number) >= Math.max(1, 0.0005 * (scan.lastViews[video] as number))
    ) {
      kind = 'unlikes';
      if (single && fraction < MAX_CLEANUP_SHARE) {
        // Held back: several small one-step drops in one interval may be a cleanup seen through rounding.
        const key = `${fromRow}:${toRow}`;
        smallSteps.set(key, [...(smallSteps.get(key) ?? []), video]);
        continue;
      }
    } else {
      // A handful on a big video: people un-liking as always.
      continue;
    }
    addToGroup(kind, video, fromRow, toRow);
  }
  for (const videos of smallSteps.values()) {
    const fromRow = scan.stepFromRow[videos[0] as number] as number;
    const toRow = scan.stepToRow[videos[0] as number] as number;
    const kind =
      videos.length >= 3 && isProportionalDrop(series, scan, videos, fromRow, toRow)
        ? 'cleanup'
        : 'unlikes';
    for (const video of videos) addToGroup(kind, video, fromRow, toRow);
  }
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    findings.push(describeDrawdowns(series, scan, group, norm));
  }
  return findings;
}

/**
 * Did (almost) every video that could show it lose the same small share in the interval? A video can show a
 * share when that share of its likes exceeds its rounding and a few likes of noise. Organic un-liking hits a
 * few videos; a cleanup hits them all in proportion.
 */
function isProportionalDrop(
  series: AccountSeries,
  scan: DrawdownScan,
  videos: readonly number[],
  fromRow: number,
  toRow: number,
): boolean {
  const share = median(
    videos.map(
      (video) => (scan.stepLoss[video] as number) / Math.max(1, scan.peak[video] as number),
    ),
  );
  const { videoCount, likes, rounded } = series;
  let eligible = 0;
  let dropped = 0;
  for (let video = 0; video < videoCount; video += 1) {
    const before = likes[fromRow * videoCount + video] as number;
    const after = likes[toRow * videoCount + video] as number;
    if (Number.isNaN(before) || Number.isNaN(after)) continue;
    const slack =
      roundingSlack(before, rounded[fromRow] === 1) + roundingSlack(after, rounded[toRow] === 1);
    if (share * before < 2 * slack + 5) continue;
    eligible += 1;
    if (before - after > slack) dropped += 1;
  }
  return eligible >= 3 && dropped >= 0.6 * eligible;
}

/** Turns a group of drawdowns into a finding with its cause, fit and evidence. */
function describeDrawdowns(
  series: AccountSeries,
  scan: DrawdownScan,
  group: { kind: FindingKind; videos: number[]; fromRow: number; toRow: number },
  norm: number,
): Finding {
  const { videos } = group;
  let { kind } = group;
  const likes = videos.reduce((sum, video) => sum + (scan.lost[video] as number), 0);
  const restored = videos.reduce((sum, video) => sum + (scan.restored[video] as number), 0);
  const peaks = videos.reduce((sum, video) => sum + (scan.peak[video] as number), 0);
  const peakViews = videos.reduce((sum, video) => sum + (scan.peakViews[video] as number), 0);
  const ratioToNorm = peaks / Math.max(1, peakViews) / norm;
  const fromMs = series.times[group.fromRow] as number;
  const toMs = series.times[group.toRow] as number;
  const when = formatInterval(fromMs, toMs);
  const share = likes / Math.max(1, peaks);
  // Several ordinary videos losing the same large share at once is a counter problem, not an audience.
  if (kind === 'large_drop' && videos.length >= 3) {
    const fractions = videos.map(
      (video) => (scan.lost[video] as number) / Math.max(1, scan.peak[video] as number),
    );
    if (Math.max(...fractions) <= 1.5 * Math.min(...fractions)) kind = 'uniform_drop';
  }
  const count = countOf(videos.length, 'video');
  switch (kind) {
    case 'implausible': {
      const zeroed = videos.filter((video) => scan.zeroed[video] === 1).length;
      const viewsFell = videos.filter((video) => (scan.viewsDrop[video] as number) >= 1).length;
      const evidence: string[] = [];
      if (zeroed > 0)
        evidence.push(
          `${countOf(zeroed, 'video')} showed 0 likes ${when}, which no real audience does`,
        );
      if (viewsFell > 0)
        evidence.push(
          `${countOf(viewsFell, 'video')} showed fewer views than before ${when}; views never go down for real`,
        );
      evidence.push(
        restored > 0
          ? `${count} dipped by ${formatCount(likes)} likes and ${formatCount(restored)} came back by the end of the night`
          : `${count} dipped by ${formatCount(likes)} likes ${when}`,
      );
      return {
        cause: 'platform_glitch',
        kind,
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.9,
        evidence,
      };
    }
    case 'uniform_drop':
      return {
        cause: 'platform_glitch',
        kind,
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.85,
        evidence: [
          `${count} lost about the same large share of their likes (${formatPercent(share)}) at once ${when}; no real audience moves that uniformly`,
          ...(restored > 0
            ? [
                `${formatCount(restored)} of the ${formatCount(likes)} likes came back by the end of the night`,
              ]
            : []),
        ],
      };
    case 'cleanup':
      return {
        cause: 'inactive_account_cleanup',
        kind,
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.65,
        evidence: [
          `${count} lost a small, similar share of their likes (about ${formatPercent(share)}) ${when}: ${formatCount(likes)} likes in all`,
          'Every video whose counts could show such a share lost it, in proportion to its likes, as when likes of deleted or inactive accounts are removed',
          ...followerEvidence(series, group.fromRow, group.toRow),
        ],
      };
    case 'outlier_drop':
      return {
        cause: 'fake_engagement_purge',
        kind,
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.6 + 0.3 * ramp(ratioToNorm, RATIO_OUTLIER, 4),
        evidence: [
          `${count} with a like-to-view ratio ${ratioToNorm.toFixed(1)}x your norm lost ${formatCount(likes)} likes ${when}`,
          `That is ${formatPercent(share)} of their likes in one step, while your other videos were untouched: likes that views never explained were removed`,
          ...followerEvidence(series, group.fromRow, group.toRow),
        ],
      };
    case 'large_drop':
      return {
        cause: ratioToNorm >= 1.25 ? 'fake_engagement_purge' : 'platform_glitch',
        kind,
        likes,
        videos,
        fromMs,
        toMs,
        fit: 0.4,
        evidence: [
          `${count} lost ${formatCount(likes)} likes (${formatPercent(share)} of their likes) in one step ${when}`,
        ],
      };
    default: {
      const growing = videos.filter((video) => (scan.viewGrowth[video] as number) > 0).length;
      const gradual = videos.filter((video) => (scan.dropSteps[video] as number) >= 2).length;
      const evidence = [
        `${count} lost ${formatCount(likes)} likes (${formatPercent(share)} of their likes)${gradual > 0 ? ' gradually over several polls' : ''}${growing === videos.length ? ' while their views kept growing' : ''}`,
      ];
      const comments = commentGrowth(series, videos, group.fromRow, group.toRow);
      if (comments !== undefined && comments > 0) {
        evidence.push(
          `They drew ${formatCount(comments)} new comments meanwhile: read them to see what people reacted to`,
        );
      }
      return {
        cause: 'organic_unlikes',
        kind: 'unlikes',
        likes,
        videos,
        fromMs,
        toMs,
        fit:
          0.55 +
          0.15 * (gradual > 0 ? 1 : 0) +
          0.1 * (growing === videos.length ? 1 : 0) +
          0.1 * ramp(0.1 - share, 0, 0.08),
        evidence,
      };
    }
  }
}

/** A sentence on followers lost in the same interval, when the profile shows any (platform actions take
 * followers from the same accounts as likes). */
function followerEvidence(series: AccountSeries, fromRow: number, toRow: number): string[] {
  const lost = (series.followers[fromRow] as number) - (series.followers[toRow] as number);
  if (!(lost > 0) || series.rounded[fromRow] === 1 || series.rounded[toRow] === 1) return [];
  return [`You lost ${countOf(lost, 'follower')} in the same interval`];
}

function commentGrowth(
  series: AccountSeries,
  videos: readonly number[],
  fromRow: number,
  toRow: number,
): number | undefined {
  let total = 0;
  for (const video of videos) {
    const before = series.comments[fromRow * series.videoCount + video] as number;
    const after = series.comments[toRow * series.videoCount + video] as number;
    if (Number.isNaN(before) || Number.isNaN(after)) return undefined;
    total += Math.max(0, after - before);
  }
  return total;
}

/** Intervals in which most quiet videos lost a small similar share: likes of deleted accounts going. */
function cleanupFindings(
  series: AccountSeries,
  fits: readonly IntervalFit[],
  background: Background,
  scan: DrawdownScan,
  taken: ReadonlyMap<number, Finding>,
): Finding[] {
  const findings: Finding[] = [];
  const claimed = new Set<number>();
  for (const fit of fits) {
    const kind = intervalClass(fit, background);
    if (kind !== 'cleanup' && kind !== 'weak') continue;
    const videos: number[] = [];
    let likes = 0;
    const fromBase = fit.fromRow * series.videoCount;
    const toBase = fit.toRow * series.videoCount;
    for (let video = 0; video < series.videoCount; video += 1) {
      if (taken.has(video) || claimed.has(video) || (scan.lost[video] as number) <= 0) continue;
      const before = series.likes[fromBase + video] as number;
      const after = series.likes[toBase + video] as number;
      if (!(after < before)) continue;
      videos.push(video);
      claimed.add(video);
      likes += scan.lost[video] as number;
    }
    if (videos.length === 0) continue;
    const fromMs = series.times[fit.fromRow] as number;
    const toMs = series.times[fit.toRow] as number;
    findings.push({
      cause: 'inactive_account_cleanup',
      kind: kind === 'cleanup' ? 'cleanup' : 'weak_cleanup',
      likes,
      videos,
      fromMs,
      toMs,
      fit: kind === 'cleanup' ? 0.6 + 0.25 * ramp(fit.downShare, 0.6, 0.9) : 0.3,
      evidence: [
        `${formatPercent(fit.downShare)} of your videos with likes lost a small, similar share of them (about ${formatPercent(fit.fraction)}) ${formatInterval(fromMs, toMs)}: ${formatCount(likes)} likes in all`,
        'The loss is spread in proportion to each video’s likes, old quiet videos included, as when likes of deleted or inactive accounts are removed',
        ...followerEvidence(series, fit.fromRow, fit.toRow),
      ],
    });
  }
  return findings;
}
