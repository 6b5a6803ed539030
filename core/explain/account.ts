/**
 * One account's night: its losses, split into findings (a cause, the videos and likes it explains, how well
 * the data fits it), its gains against baseline, and what the polls could see. Fleet-wide evidence is added
 * afterwards (see `fleet-context.ts`), so findings that depend on other accounts stay open here.
 */
import type { FleetAccount } from '../model.ts';
import { DAY_MS } from '../time.ts';
import { cleanupFindings } from './cleanup.ts';
import { windowCoverage } from './coverage.ts';
import { drawdownFindings } from './drawdowns.ts';
import type { Finding, VideoOutcome } from './findings.ts';
import {
  type DrawdownScan,
  fitInterval,
  type IntervalFit,
  learnBackground,
  scanDrawdowns,
} from './losses.ts';
import { dayNodes, gainBetween } from './nodes.ts';
import { analyzePace } from './pace.ts';
import { type AccountSeries, buildSeries } from './series.ts';
import { type PaceSummary, summarizePace } from './slowdown.ts';
import { median } from './stats.ts';
import { vanishedFindings } from './vanished.ts';

export type { Finding, FindingKind, VideoOutcome } from './findings.ts';

/** Everything the engine learned about one account, before ranking causes. */
export interface AccountAnalysis {
  /** Who it is; not the polls, so that a night of many accounts holds their findings, not their histories. */
  account: Pick<FleetAccount, 'id' | 'handle'>;
  /** Enough usable polls to call the night ordinary. */
  judgeable: boolean;
  lost: number;
  restored: number;
  gained: number;
  findings: Finding[];
  /** Tonight's gains against the account's history, for the slowdown causes (judged with the fleet). */
  pace: PaceSummary;
  videos: VideoOutcome[];
  /** Video ids by index, to name videos in findings. */
  videoIds: readonly string[];
}

/** History the engine reads: what the slowest trend needs (eight weeks and more), plus a margin. */
const HISTORY_MS = 62 * DAY_MS;
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
  const nodes = dayNodes(series, toMs, toMs - HISTORY_MS);
  const pace = summarizePace(series, analyzePace(series, nodes, fromMs, toMs), nodes, fromMs, toMs);
  const base: AccountAnalysis = {
    account: { id: account.id, handle: account.handle },
    judgeable: coverage.judgeable,
    lost: 0,
    restored: 0,
    gained: Number.isNaN(pace.likes) ? 0 : pace.likes,
    findings: [],
    pace,
    videos: [],
    videoIds: series.videoIds,
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
  for (const finding of cleanupFindings(series, rows, scan, background, causeOf)) assign(finding);
  const norm = ratioNorm(scan, series.videoCount);
  for (const finding of drawdownFindings(series, scan, fits, background, norm, causeOf))
    assign(finding);

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
  // Tonight's gain between complete polls when they bracket the night; otherwise what the usable polls saw.
  const gained = Number.isNaN(pace.likes)
    ? gainBetween(series, rows[0] as number, rows.at(-1) as number).likes
    : pace.likes;
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
  // With only a few videos, no video's ratio can be told apart from the norm: it is the norm.
  return ratios.length >= MIN_NORM_VIDEOS ? median(ratios) : Number.NaN;
}

/** Videos with enough views needed before a like-to-view norm means anything. */
const MIN_NORM_VIDEOS = 3;
