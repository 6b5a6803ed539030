/**
 * Likes lost in a window, per video, and what each loss looks like: the raw material the causes are judged on.
 *
 * A video's loss is its largest drawdown across the window's usable polls (the last poll before the window
 * included); counts from rounded polls only count beyond their rounding. Whether a drawdown is more than the
 * background of people un-liking is judged against the account's own recent nights.
 */
import { DAY_MS } from '../time.ts';
import { type AccountSeries, roundingSlack } from './series.ts';
import { median, quantile } from './stats.ts';

/** Per-video measurements over a sequence of polls (typed arrays indexed by video). */
export interface DrawdownScan {
  /** Largest drawdown of the like count. */
  lost: Float64Array;
  /** How much of that drawdown came back by the last sighting. */
  restored: Float64Array;
  /** Likes at the peak before the largest drawdown. */
  peak: Float64Array;
  /** Views at that peak. */
  peakViews: Float64Array;
  /** Largest drop between two consecutive sightings, and the polls it happened between. */
  stepLoss: Float64Array;
  stepFromRow: Int32Array;
  stepToRow: Int32Array;
  /** Consecutive sightings whose count went down. */
  dropSteps: Uint16Array;
  /** Largest drawdown of the view count (views never fall for real). */
  viewsDrop: Float64Array;
  /** Largest rise in one step after the drawdown's trough, beyond what the step's views explain. */
  reboundJump: Float64Array;
  /** 1 when the count fell to zero from a real count. */
  zeroed: Uint8Array;
  /** Row of the complete poll the video was first missing from, after being seen; -1 when it never was. */
  vanishedRow: Int32Array;
  /** Likes at the last sighting before vanishing. */
  vanishedLikes: Float64Array;
  /** 1 when the video was missing from a complete poll but listed again later. */
  reappeared: Uint8Array;
  /** Likes at the first and last sighting; NaN when never seen. */
  firstLikes: Float64Array;
  lastLikes: Float64Array;
  lastViews: Float64Array;
  /** Views gained between the first and last sighting. */
  viewGrowth: Float64Array;
}

function allocate(videoCount: number): DrawdownScan {
  return {
    lost: new Float64Array(videoCount),
    restored: new Float64Array(videoCount),
    peak: new Float64Array(videoCount),
    peakViews: new Float64Array(videoCount),
    stepLoss: new Float64Array(videoCount),
    stepFromRow: new Int32Array(videoCount).fill(-1),
    stepToRow: new Int32Array(videoCount).fill(-1),
    dropSteps: new Uint16Array(videoCount),
    viewsDrop: new Float64Array(videoCount),
    reboundJump: new Float64Array(videoCount),
    zeroed: new Uint8Array(videoCount),
    vanishedRow: new Int32Array(videoCount).fill(-1),
    vanishedLikes: new Float64Array(videoCount),
    reappeared: new Uint8Array(videoCount),
    firstLikes: new Float64Array(videoCount).fill(Number.NaN),
    lastLikes: new Float64Array(videoCount).fill(Number.NaN),
    lastViews: new Float64Array(videoCount).fill(Number.NaN),
    viewGrowth: new Float64Array(videoCount),
  };
}

/** Counts below this are too small for a fall to zero to mean anything. */
const ZEROED_MIN_LIKES = 10;

/** Scans the given usable rows (time order) of a series. */
export function scanDrawdowns(series: AccountSeries, rows: readonly number[]): DrawdownScan {
  const { videoCount, likes, views, rounded, complete } = series;
  const scan = allocate(videoCount);
  for (let video = 0; video < videoCount; video += 1) {
    let peakLo = Number.NEGATIVE_INFINITY;
    let peakViews = Number.NaN;
    let best = 0;
    let troughHi = Number.NaN;
    let bestPeak = 0;
    let bestPeakViews = Number.NaN;
    let previousLo = Number.NaN;
    let previousValue = Number.NaN;
    let previousViews = Number.NaN;
    let previousRow = -1;
    let viewPeakLo = Number.NEGATIVE_INFINITY;
    let viewsDrop = 0;
    let seen = false;
    let missingFromComplete = false;
    let rebound = 0;
    let firstViews = Number.NaN;
    for (const row of rows) {
      const cell = row * videoCount + video;
      const value = likes[cell] as number;
      if (Number.isNaN(value)) {
        if (seen && complete[row] === 1 && !missingFromComplete) {
          missingFromComplete = true;
          scan.vanishedRow[video] = row;
          scan.vanishedLikes[video] = previousValue;
        }
        continue;
      }
      if (missingFromComplete) scan.reappeared[video] = 1;
      const isRounded = rounded[row] === 1;
      const slack = roundingSlack(value, isRounded);
      const lo = value - slack;
      const hi = value + slack;
      const videoViews = views[cell] as number;
      if (!seen) {
        seen = true;
        scan.firstLikes[video] = value;
        firstViews = videoViews;
      }
      if (peakLo - hi > best) {
        best = peakLo - hi;
        troughHi = hi;
        bestPeak = peakLo;
        bestPeakViews = peakViews;
        rebound = 0;
      } else if (best > 0 && hi < troughHi) {
        troughHi = hi;
      }
      if (lo > peakLo) {
        peakLo = lo;
        peakViews = videoViews;
      }
      if (previousRow >= 0) {
        const drop = previousLo - hi;
        if (drop > 0) {
          scan.dropSteps[video] = (scan.dropSteps[video] as number) + 1;
          if (drop > (scan.stepLoss[video] as number)) {
            scan.stepLoss[video] = drop;
            scan.stepFromRow[video] = previousRow;
            scan.stepToRow[video] = row;
          }
        } else if (best > 0) {
          // A rise after the trough that the step's new views cannot explain is the count coming back.
          const rise =
            lo - (previousValue + roundingSlack(previousValue, rounded[previousRow] === 1));
          const viewRise = Math.max(0, videoViews - previousViews);
          const explained = viewRise * (bestPeakViews > 0 ? bestPeak / bestPeakViews : 0.2) * 2;
          if (rise - explained > rebound) rebound = rise - explained;
        }
        if (value === 0 && previousValue >= ZEROED_MIN_LIKES) scan.zeroed[video] = 1;
      }
      const viewSlack = roundingSlack(videoViews, isRounded);
      if (viewPeakLo - (videoViews + viewSlack) > viewsDrop)
        viewsDrop = viewPeakLo - (videoViews + viewSlack);
      if (videoViews - viewSlack > viewPeakLo) viewPeakLo = videoViews - viewSlack;
      previousLo = lo;
      previousValue = value;
      previousViews = videoViews;
      previousRow = row;
      scan.lastLikes[video] = value;
      scan.lastViews[video] = videoViews;
    }
    if (!seen) continue;
    // A video seen again after vanishing did not vanish: its absence was a glitch in the list.
    if (scan.reappeared[video] === 1) scan.vanishedRow[video] = -1;
    scan.viewGrowth[video] = Math.max(0, previousViews - firstViews);
    scan.viewsDrop[video] = viewsDrop;
    scan.reboundJump[video] = rebound;
    if (best > 0) {
      scan.lost[video] = best;
      scan.peak[video] = bestPeak;
      scan.peakViews[video] = bestPeakViews;
      scan.restored[video] = Math.min(best, Math.max(0, previousLo - troughHi));
    } else {
      scan.peak[video] = peakLo;
      scan.peakViews[video] = peakViews;
    }
  }
  return scan;
}

/** How one poll interval moved the likes of the account's quiet videos (those not busy gaining). */
export interface IntervalFit {
  fromRow: number;
  toRow: number;
  /** Median share of likes lost, over quiet videos with likes. */
  fraction: number;
  /** Share of those videos that went down. */
  downShare: number;
  /** How many quiet videos with likes were compared. */
  quietCount: number;
}

/** Quiet videos expect at most this share of their likes as new likes in one interval. */
const QUIET_GAIN_SHARE = 0.01;
/** Videos with fewer likes cannot show a share of them. */
const FIT_MIN_LIKES = 30;

/**
 * Measures the interval (fromRow, toRow] on the account's quiet videos: those whose previous pace (from
 * `beforeRow`, the usable poll before `fromRow`, when there is one) predicts few new likes.
 */
export function fitInterval(
  series: AccountSeries,
  beforeRow: number,
  fromRow: number,
  toRow: number,
): IntervalFit {
  const { videoCount, likes, times } = series;
  const fromBase = fromRow * videoCount;
  const toBase = toRow * videoCount;
  const beforeBase = beforeRow * videoCount;
  const span = (times[toRow] as number) - (times[fromRow] as number);
  const previousSpan =
    beforeRow >= 0 ? (times[fromRow] as number) - (times[beforeRow] as number) : 0;
  const shares: number[] = [];
  let down = 0;
  const slackFrom = series.rounded[fromRow] === 1;
  const slackTo = series.rounded[toRow] === 1;
  for (let video = 0; video < videoCount; video += 1) {
    const start = likes[fromBase + video] as number;
    const end = likes[toBase + video] as number;
    if (Number.isNaN(start) || Number.isNaN(end)) continue;
    let expected = 0;
    if (beforeRow >= 0 && previousSpan > 0) {
      const before = likes[beforeBase + video] as number;
      if (!Number.isNaN(before) && start > before)
        expected = ((start - before) * span) / previousSpan;
    }
    // Only counts that really went down say anything: a quiet video's expected gain would only hide a loss.
    const drop = start - end - roundingSlack(start, slackFrom) - roundingSlack(end, slackTo);
    if (start < FIT_MIN_LIKES || expected > QUIET_GAIN_SHARE * start) continue;
    shares.push(Math.max(0, drop) / start);
    if (drop > 0) down += 1;
  }
  return {
    fromRow,
    toRow,
    fraction: shares.length > 0 ? median(shares) : 0,
    downShare: shares.length > 0 ? down / shares.length : 0,
    quietCount: shares.length,
  };
}

/** The account's own background, from recent nights before the window. */
export interface Background {
  /** Per-night drawdown a video shows as a share of its likes, at the 95th percentile. */
  drawdownShare: number;
  /** Likes a video of any size may lose in a night (the 99th percentile where the share part is negligible). */
  handful: number;
}

/** Without history, assume about 0.02% of a video's likes can go in a night, which is a handful for most. */
const PRIOR_DRAWDOWN_SHARE = 2e-4;

/**
 * Learns the background from up to seven nights before the window: which per-video drawdowns are ordinary for
 * this account (falling back to a prior when history is short).
 */
export function learnBackground(
  series: AccountSeries,
  windowStartRow: number,
  windowFromMs: number,
): Background {
  const peaks: number[] = [];
  const losses: number[] = [];
  for (let night = 1; night <= 7; night += 1) {
    const nightTo = windowFromMs - (night - 1) * DAY_MS;
    const nightFrom = nightTo - DAY_MS;
    const rows: number[] = [];
    for (let row = 0; row < windowStartRow; row += 1) {
      const time = series.times[row] as number;
      if (series.usable[row] === 1 && time > nightFrom - DAY_MS / 2 && time <= nightTo)
        rows.push(row);
    }
    if (rows.length < 2) continue;
    const scan = scanDrawdowns(series, rows);
    for (let video = 0; video < series.videoCount; video += 1) {
      const peak = scan.peak[video] as number;
      if (peak > 0) {
        peaks.push(peak);
        losses.push(scan.lost[video] as number);
      }
    }
  }
  const bigShares: number[] = [];
  peaks.forEach((peak, index) => {
    if (peak >= 200) bigShares.push((losses[index] as number) / peak);
  });
  const drawdownShare = Math.max(
    PRIOR_DRAWDOWN_SHARE,
    bigShares.length >= 20 ? quantile(bigShares, 0.95) : 0,
  );
  // The handful: what videos lose whatever their size, measured where the share part is under one like.
  const small = losses.filter((_, index) => drawdownShare * (peaks[index] as number) < 1);
  return {
    drawdownShare,
    handful: small.length >= 30 ? quantile(small, 0.99) : 0,
  };
}

/** The smallest drawdown that is more than background for a video at `peak` likes. */
export function notableLoss(peak: number, background: Background): number {
  const expected = background.drawdownShare * peak;
  return Math.max(8, 2 * background.handful + 3 * expected + 4 * Math.sqrt(expected + 1));
}
