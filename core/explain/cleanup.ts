/**
 * `inactive_account_cleanup` on one account alone: in one poll interval, most videos lost a small share of their
 * likes in proportion to their like counts (docs/causes.md). Busy videos hide such a loss under their new likes, so
 * each video's loss is measured against what its views predict: likes follow views at the video's own rate,
 * and a cleanup takes likes without taking views. What is left, across the account, is fitted as one common
 * share of every video's likes, and counts when it stands well clear of counting noise.
 */
import { DAY_MS } from '../time.ts';
import { type Finding, followerEvidence, followersLost } from './findings.ts';
import { countOf, formatInterval, formatPercent } from './format.ts';
import { type Background, type DrawdownScan, notableLoss } from './losses.ts';
import { type AccountSeries, roundingSlack } from './series.ts';
import { ramp, weightedMedian } from './stats.ts';

/** A video's new likes per new view vary from one interval to the next by about this share. */
const RATE_NOISE = 0.3;
/** Shares within this factor of the common one count as "the same share". */
const SHARE_FACTOR = 3;

/** A common share of likes lost in one interval, and how clearly the videos show it. */
export interface ProportionalLoss {
  fromRow: number;
  toRow: number;
  /** The common share of each video's likes lost (0 when none). */
  fraction: number;
  /** How many standard errors the share stands above zero. */
  significance: number;
  /** Videos whose likes could show the share clearly, and how many of them lost about that share. */
  eligible: number;
  agreeing: number;
  /** Videos that lost likes against what their views predict, and those that lost far more than the share. */
  videos: number[];
  outliers: number[];
}

/**
 * Each video's new likes per new view, from the usable polls before `windowRow` (the gains of up to a week);
 * its likes per view where it gained too few views to say.
 */
export function marginalLikeRates(series: AccountSeries, rows: readonly number[]): Float64Array {
  const { videoCount, likes, views } = series;
  const rates = new Float64Array(videoCount).fill(Number.NaN);
  const first = rows[0];
  const last = rows.at(-1);
  for (let video = 0; video < videoCount; video += 1) {
    let likeGain = 0;
    let viewGain = 0;
    for (let index = 1; index < rows.length; index += 1) {
      const from = (rows[index - 1] as number) * videoCount + video;
      const to = (rows[index] as number) * videoCount + video;
      const dv = (views[to] as number) - (views[from] as number);
      const dl = (likes[to] as number) - (likes[from] as number);
      if (Number.isNaN(dv) || Number.isNaN(dl) || dv < 0) continue;
      viewGain += dv;
      likeGain += Math.max(0, dl);
    }
    if (viewGain >= 200) rates[video] = likeGain / viewGain;
    else if (last !== undefined && first !== undefined) {
      const seenViews = views[last * videoCount + video] as number;
      if (seenViews > 0) rates[video] = (likes[last * videoCount + video] as number) / seenViews;
    }
  }
  return rates;
}

/** Fits the common share of likes lost between two usable rows (see the module comment). */
export function proportionalLoss(
  series: AccountSeries,
  fromRow: number,
  toRow: number,
  rates: Float64Array,
): ProportionalLoss {
  const { videoCount, likes, views, rounded, postedAt, times } = series;
  const sizes: number[] = [];
  const residuals: number[] = [];
  const variances: number[] = [];
  const indexes: number[] = [];
  const fromMs = times[fromRow] as number;
  for (let video = 0; video < videoCount; video += 1) {
    const before = likes[fromRow * videoCount + video] as number;
    const after = likes[toRow * videoCount + video] as number;
    const rate = rates[video] as number;
    if (Number.isNaN(before) || Number.isNaN(after) || Number.isNaN(rate) || before < 1) continue;
    if ((postedAt[video] as number) >= fromMs) continue;
    const viewGain = Math.max(
      0,
      (views[toRow * videoCount + video] as number) -
        (views[fromRow * videoCount + video] as number),
    );
    const expected = viewGain * rate;
    const slack =
      roundingSlack(before, rounded[fromRow] === 1) + roundingSlack(after, rounded[toRow] === 1);
    sizes.push(before);
    residuals.push(after - before - expected);
    variances.push(expected + 1 + (RATE_NOISE * expected) ** 2 + (slack * slack) / 3);
    indexes.push(video);
  }
  const empty = {
    fromRow,
    toRow,
    fraction: 0,
    significance: 0,
    eligible: 0,
    agreeing: 0,
    videos: [],
    outliers: [],
  };
  if (sizes.length === 0) return empty;
  const shares = residuals.map((residual, index) => -residual / (sizes[index] as number));
  const weights = sizes.map((size, index) => (size * size) / (variances[index] as number));
  const fraction = weightedMedian(shares, weights);
  if (!(fraction > 0)) return empty;
  const information = weights.reduce((sum, weight) => sum + weight, 0);
  let eligible = 0;
  let agreeing = 0;
  const videos: number[] = [];
  const outliers: number[] = [];
  shares.forEach((share, index) => {
    const video = indexes[index] as number;
    if (share > 0 && (residuals[index] as number) <= -1) videos.push(video);
    // Far more than the share, beyond what counting noise could add to it.
    const excess =
      -(residuals[index] as number) - SHARE_FACTOR * fraction * (sizes[index] as number);
    if (excess > 3 * Math.sqrt(variances[index] as number)) outliers.push(video);
    // Could this video show the common share clearly?
    if (fraction * (sizes[index] as number) < 2 * Math.sqrt(variances[index] as number)) return;
    eligible += 1;
    if (share >= fraction / SHARE_FACTOR && share <= fraction * SHARE_FACTOR) agreeing += 1;
  });
  return {
    fromRow,
    toRow,
    fraction,
    significance: fraction * Math.sqrt(information),
    eligible,
    agreeing,
    videos,
    outliers,
  };
}

/** A cleanup stands on one account when its share is this many standard errors clear of zero... */
const CLEAR_SIGNIFICANCE = 4;
/** ...and may be raised, for the fleet to confirm, from this many. */
const WEAK_SIGNIFICANCE = 2.5;
/** Cleanups take about 0.05% to 1.5% of each video's likes (give or take). */
const MIN_CLEANUP_FRACTION = 2e-4;
const MAX_CLEANUP_FRACTION = 0.03;
/**
 * Most videos that could show the share must show it, and enough of them: six in ten, as a cleanup passes over
 * some videos, and a video whose share is a few likes keeps all of them now and then by chance.
 */
const MIN_AGREEING_SHARE = 0.6;
const MIN_AGREEING_VIDEOS = 4;
/** Videos losing far more than the common share: a few (a purge the same night) at most. */
const MAX_OUTLIERS = 3;
const MAX_OUTLIER_SHARE = 0.2;
/**
 * An account with fewer videos with likes than that shows a cleanup only when every one of them (at least
 * this many) lost the share, clearly, and its followers fell by a share within this factor of it in the same
 * interval.
 */
const MIN_FEW_VIDEOS = 2;
const FOLLOWER_SHARE_FACTOR = 3;
/** A cleanup worth reporting took at least this many likes (drawdowns of its videos). */
const MIN_CLEANUP_LIKES = 12;

/** The clearest proportional loss among the window's intervals (each consecutive pair, and the whole). */
export function clearestCleanup(
  series: AccountSeries,
  rows: readonly number[],
  rates: Float64Array,
): (ProportionalLoss & { kind: 'cleanup' | 'weak_cleanup' }) | undefined {
  const candidates: [number, number][] = [];
  for (let index = 1; index < rows.length; index += 1)
    candidates.push([rows[index - 1] as number, rows[index] as number]);
  if (rows.length > 2) candidates.push([rows[0] as number, rows.at(-1) as number]);
  let best: ProportionalLoss | undefined;
  for (const [fromRow, toRow] of candidates) {
    const loss = proportionalLoss(series, fromRow, toRow, rates);
    if (loss.fraction < MIN_CLEANUP_FRACTION || loss.fraction > MAX_CLEANUP_FRACTION) continue;
    if (loss.agreeing < MIN_AGREEING_SHARE * loss.eligible) continue;
    if (loss.agreeing < MIN_AGREEING_VIDEOS && !fewVideosAlike(series, loss)) continue;
    // A common share, not a few videos losing far more: those are something else.
    if (loss.outliers.length > Math.max(MAX_OUTLIERS, MAX_OUTLIER_SHARE * loss.videos.length))
      continue;
    if (!best || loss.significance > best.significance) best = loss;
  }
  if (!best || best.significance < WEAK_SIGNIFICANCE) return undefined;
  return { ...best, kind: best.significance >= CLEAR_SIGNIFICANCE ? 'cleanup' : 'weak_cleanup' };
}

/** A few-video account's cleanup: all its videos agree, clearly, and its followers fell alike. */
function fewVideosAlike(series: AccountSeries, loss: ProportionalLoss): boolean {
  if (loss.agreeing < MIN_FEW_VIDEOS || loss.agreeing < videosWithLikes(series, loss.fromRow))
    return false;
  if (loss.significance < CLEAR_SIGNIFICANCE) return false;
  const fell =
    followersLost(series, loss.fromRow, loss.toRow) / (series.followers[loss.fromRow] as number);
  return fell > 0 && Math.abs(Math.log(fell / loss.fraction)) <= Math.log(FOLLOWER_SHARE_FACTOR);
}

/** How many of the account's videos had likes at `row`. */
function videosWithLikes(series: AccountSeries, row: number): number {
  let count = 0;
  for (let video = 0; video < series.videoCount; video += 1)
    if ((series.likes[row * series.videoCount + video] as number) > 0) count += 1;
  return count;
}

/** A cleanup the account's own videos show (see cleanup.ts), as a finding over the videos it claims. */
export function cleanupFindings(
  series: AccountSeries,
  rows: readonly number[],
  scan: DrawdownScan,
  background: Background,
  taken: ReadonlyMap<number, Finding>,
): Finding[] {
  const anchorTime = series.times[rows[0] as number] as number;
  const before: number[] = [];
  for (let row = 0; row <= (rows[0] as number); row += 1) {
    if (series.usable[row] === 1 && (series.times[row] as number) >= anchorTime - 7 * DAY_MS)
      before.push(row);
  }
  const loss = clearestCleanup(series, rows, marginalLikeRates(series, before));
  if (!loss) return [];
  const outliers = new Set(loss.outliers);
  // A video that lost, over the whole window, more than the share and what background may take lost the rest to
  // something else (a purge in another interval): it is left for that, not claimed whole by the cleanup.
  const beyondShare = (video: number) =>
    (scan.lost[video] as number) >
    SHARE_FACTOR * loss.fraction * (scan.peak[video] as number) +
      notableLoss(scan.peak[video] as number, background);
  const videos = loss.videos.filter(
    (video) =>
      !taken.has(video) &&
      !outliers.has(video) &&
      (scan.lost[video] as number) > 0 &&
      !beyondShare(video),
  );
  const likes = videos.reduce((sum, video) => sum + (scan.lost[video] as number), 0);
  if (likes < MIN_CLEANUP_LIKES) return [];
  const fromMs = series.times[loss.fromRow] as number;
  const toMs = series.times[loss.toRow] as number;
  return [
    {
      cause: 'inactive_account_cleanup',
      kind: loss.kind,
      likes,
      videos,
      fromMs,
      toMs,
      fit: loss.kind === 'cleanup' ? 0.6 + 0.3 * ramp(loss.significance, 4, 12) : 0.3,
      evidence: [
        `${loss.agreeing} of the ${countOf(loss.eligible, 'video')} whose counts could show it lost about the same share of their likes (about ${formatPercent(loss.fraction)}) ${formatInterval(fromMs, toMs)}: ${countOf(likes, 'like')} in all`,
        'The loss is in proportion to each video’s likes, old quiet videos included, and not explained by their views: as when likes of deleted or inactive accounts are removed',
        ...followerEvidence(series, loss.fromRow, loss.toRow),
      ],
    },
  ];
}
