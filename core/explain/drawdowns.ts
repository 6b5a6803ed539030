/**
 * Per-video drawdowns that are more than background, grouped into findings by what they look like: a glitch
 * (counts that fell to zero, views that fell, a dip that came back, many videos losing the same large share),
 * a purge of ratio outliers, a large one-step drop the fleet must settle, or people un-liking a few videos.
 */

import { commentGrowth, type Finding, type FindingKind, followerEvidence } from './findings.ts';
import { countOf, formatCount, formatInterval, formatPercent } from './format.ts';
import { type Background, type DrawdownScan, type IntervalFit, notableLoss } from './losses.ts';
import type { AccountSeries } from './series.ts';
import { ramp } from './stats.ts';

/** A video whose like-to-view ratio is this many times the account's norm is an outlier. */
export const RATIO_OUTLIER = 1.6;
/** A single interval's loss of quiet videos above this share is no cleanup but a counter glitch. */
const UNIFORM_DROP_FRACTION = 0.03;
/** Organic un-liking worth reporting: at least this many likes and this share of a video's likes. */
const MIN_UNLIKES_LOSS = 15;
/** A group of drawdowns is reported from this many likes (fewer are any night's un-liking). */
const MIN_REPORTED_LOSS = 25;
const MIN_UNLIKES_SHARE = 0.002;
/** New views of a video bring likes at about this share of its likes per view so far (see likesFromNewViews). */
const MASKED_LIKE_SHARE = 0.5;
/** A loss this many times what background may take stands as un-liking even on a video barely watched... */
const CLEAR_OF_BACKGROUND = 2;
/**
 * ...on a few such videos at most: people un-like one to a few videos, and many quiet videos each losing a small
 * share is diffuse (a cleanup the account's own intervals could not pin down, or background), not a reaction.
 */
const MAX_QUIET_UNLIKED = 3;

/** Did most of the interval's quiet videos lose the same large share at once (a counter glitch)? */
function isUniformDrop(fit: IntervalFit): boolean {
  return fit.quietCount >= 3 && fit.downShare >= 0.6 && fit.fraction >= UNIFORM_DROP_FRACTION;
}

/**
 * The likes a video's new views over the window should have brought, at half its likes per view so far (new
 * views of an older video bring fewer likes per view than its first ones did).
 */
function likesFromNewViews(scan: DrawdownScan, video: number): number {
  const rate = (scan.peak[video] as number) / Math.max(1, scan.peakViews[video] as number);
  return MASKED_LIKE_SHARE * rate * (scan.viewGrowth[video] as number);
}

/**
 * A video's drawdown as people un-liking it: enough likes, enough of its likes un-liked, and views still coming
 * in (`watched`). People un-like videos they are still watching; an old quiet video ticking down is background,
 * unless it loses far more than background ever takes (`quiet`).
 */
function unlikingOf(
  scan: DrawdownScan,
  video: number,
  lost: number,
  unlikedShare: number,
  threshold: number,
): 'watched' | 'quiet' | undefined {
  if (lost < MIN_UNLIKES_LOSS || unlikedShare < MIN_UNLIKES_SHARE) return undefined;
  if ((scan.viewGrowth[video] as number) >= Math.max(1, 0.0005 * (scan.lastViews[video] as number)))
    return 'watched';
  return lost >= CLEAR_OF_BACKGROUND * threshold ? 'quiet' : undefined;
}

/** Notable per-video drawdowns, grouped into findings by what they look like. */
export function drawdownFindings(
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
  const addToGroup = (kind: FindingKind, video: number, fromRow: number, toRow: number) => {
    // Gradual losses spread over polls; one-step kinds group by their interval.
    const key = kind === 'unlikes' ? kind : `${kind}:${fromRow}:${toRow}`;
    const group = groups.get(key) ?? { kind, videos: [], fromRow, toRow };
    group.videos.push(video);
    group.fromRow = Math.min(group.fromRow, fromRow);
    group.toRow = Math.max(group.toRow, toRow);
    groups.set(key, group);
  };
  // Videos barely watched that only their loss's size makes un-liking, held until it is known how many there are.
  const quiet: [video: number, fromRow: number, toRow: number][] = [];
  for (let video = 0; video < series.videoCount; video += 1) {
    if (taken.has(video)) continue;
    const lost = scan.lost[video] as number;
    const peak = scan.peak[video] as number;
    if (lost <= 0) continue;
    const threshold = notableLoss(peak, background);
    // What people un-liked is the drop plus the likes its new views should have brought: a busy video's gains
    // hide its un-liking.
    const unliked = lost + likesFromNewViews(scan, video);
    if (unliked < threshold) continue;
    const unlikedShare = unliked / Math.max(1, peak);
    const notable = lost >= threshold;
    const fromRow = scan.stepFromRow[video] as number;
    const toRow = scan.stepToRow[video] as number;
    const fit = fitByRows.get(`${fromRow}:${toRow}`);
    const single = (scan.stepLoss[video] as number) >= 0.6 * lost;
    const fraction = lost / Math.max(1, peak);
    const ratio = peak / Math.max(1, scan.peakViews[video] as number) / norm;
    let kind: FindingKind;
    const unliking = unlikingOf(scan, video, lost, unlikedShare, threshold);
    if (!notable) {
      // Only un-liking hides under gains; every other kind of loss shows in the count itself.
      if (!unliking) continue;
      kind = 'unlikes';
    } else if (
      scan.zeroed[video] === 1 ||
      (scan.viewsDrop[video] as number) >= 1 ||
      ((scan.reboundJump[video] as number) >= 0.5 * lost &&
        (scan.restored[video] as number) >= 0.6 * lost)
    ) {
      kind = 'implausible';
    } else if (fit && single && isUniformDrop(fit)) {
      kind = 'uniform_drop';
    } else if (single && ratio >= RATIO_OUTLIER && fraction >= 0.05) {
      kind = 'outlier_drop';
    } else if (single && fraction >= 0.1) {
      kind = 'large_drop';
    } else if (unliking) {
      kind = 'unlikes';
    } else {
      // A handful on a big video: people un-liking as always.
      continue;
    }
    if (kind === 'unlikes' && unliking === 'quiet') quiet.push([video, fromRow, toRow]);
    else addToGroup(kind, video, fromRow, toRow);
  }
  if (quiet.length <= MAX_QUIET_UNLIKED)
    for (const [video, fromRow, toRow] of quiet) addToGroup('unlikes', video, fromRow, toRow);
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    // A handful of likes on a video or two is what people un-liking does on any night: not worth a verdict
    // unless the counts themselves are implausible.
    const likes = group.videos.reduce((sum, video) => sum + (scan.lost[video] as number), 0);
    if (group.kind !== 'implausible' && likes < MIN_REPORTED_LOSS) continue;
    findings.push(describeDrawdowns(series, scan, group, norm));
  }
  return findings;
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
  // "its" for one video, "their" for several, so a sentence about one video reads as one.
  const their = videos.length === 1 ? 'its' : 'their';
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
          ? `${count} dipped by ${countOf(likes, 'like')} and ${formatCount(restored)} came back by the end of the night`
          : `${count} dipped by ${countOf(likes, 'like')} ${when}`,
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
          `${count} lost about the same large share of ${their} likes (${formatPercent(share)}) at once ${when}; no real audience moves that uniformly`,
          ...(restored > 0
            ? [
                `${formatCount(restored)} of the ${countOf(likes, 'like')} came back by the end of the night`,
              ]
            : []),
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
          `${count} with a like-to-view ratio ${ratioToNorm.toFixed(1)}x your norm lost ${countOf(likes, 'like')} ${when}`,
          `That is ${formatPercent(share)} of ${their} likes in one step, while your other videos were untouched: likes that views never explained were removed`,
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
          `${count} lost ${countOf(likes, 'like')} (${formatPercent(share)} of ${their} likes) in one step ${when}`,
        ],
      };
    default: {
      const growing = videos.filter((video) => (scan.viewGrowth[video] as number) > 0).length;
      const gradual = videos.filter((video) => (scan.dropSteps[video] as number) >= 2).length;
      const evidence = [
        `${count} lost ${countOf(likes, 'like')} (${formatPercent(share)} of ${their} likes)${gradual > 0 ? ' gradually over several polls' : ''}${growing === videos.length ? ` while ${their} views kept growing` : ''}`,
      ];
      const brought = Math.round(
        videos.reduce((sum, video) => sum + likesFromNewViews(scan, video), 0),
      );
      if (brought >= likes) {
        evidence.push(
          videos.length === 1
            ? `Its new views would have brought about ${formatCount(brought)} more likes: more people un-liked it than its count shows`
            : `Their new views would have brought about ${formatCount(brought)} more likes: more people un-liked them than their counts show`,
        );
      }
      const comments = commentGrowth(series, videos, group.fromRow, group.toRow);
      if (comments !== undefined && comments > 0) {
        evidence.push(
          `${videos.length === 1 ? 'It' : 'They'} drew ${formatCount(comments)} new comments meanwhile: read them to see what people reacted to`,
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
