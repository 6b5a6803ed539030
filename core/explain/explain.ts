/**
 * The explanation engine: for every account of a fleet, what it lost, restored and gained in the 24 hours
 * ending at `asOf`, the verdict, and the causes that fit, ranked with calibrated confidence
 * (the seven causes, output `likewatch.explanation/v1`).
 */
import type {
  AccountExplanation,
  Cause,
  Explanation,
  Fleet,
  FleetAccount,
  RankedCause,
  VideoLoss,
} from '../model.ts';
import { EXPLANATION_FORMAT } from '../model.ts';
import type { NightExplainer } from '../ports.ts';
import { DAY_MS, formatInstant } from '../time.ts';
import { type AccountAnalysis, analyzeAccount, type Finding } from './account.ts';
import { calibrate } from './calibration.ts';
import { applyFleetContext, FleetContext } from './fleet-context.ts';
import { type FleetPace, fleetPace } from './fleet-pace.ts';
import { countOf } from './format.ts';
import { judgeSlowdown, type SlowdownFinding } from './slowdown.ts';
import { slowdownEvidence } from './slowdown-wording.ts';

/** Options of {@link explainFleet}. */
export interface ExplainOptions {
  /** End of the 24-hour window (default: the latest poll instant in the fleet). */
  asOf?: Date;
}

/** The latest poll instant of any account (NaN for a fleet without polls). */
export function latestPollInstant(fleet: Fleet): number {
  let latest = Number.NaN;
  for (const account of fleet.accounts) {
    for (const poll of account.polls) {
      const at = Date.parse(poll.at);
      if (!(at <= latest)) latest = at;
    }
  }
  return latest;
}

/**
 * Explains the window of 24 hours ending at `options.asOf` for every account of the fleet, in input order.
 * Throws a `RangeError` when no as-of is given and the fleet has no polls.
 *
 * @example
 * const explanation = explainFleet(fleet, { asOf: new Date('2026-11-25T06:00:00Z') });
 * explanation.accounts[0]?.verdict; // 'loss' | 'slowdown' | 'none' | 'unknown'
 */
export function explainFleet(fleet: Fleet, options: ExplainOptions = {}): Explanation {
  const toMs = options.asOf ? options.asOf.getTime() : latestPollInstant(fleet);
  if (Number.isNaN(toMs))
    throw new RangeError('the fleet has no polls: pass asOf to set the window');
  const night = beginNight(new Date(toMs));
  for (const account of fleet.accounts) night.add(account);
  return night.finish();
}

/**
 * Explains the 24 hours ending at `asOf` an account at a time: each account is analysed when it is added,
 * and only its findings are kept, so its history can be let go before the next is read. The fleet-wide
 * evidence is weighed in `finish`, over every account added; the result is {@link explainFleet}'s for the
 * same accounts in the same order.
 */
export function beginNight(asOf: Date): NightExplainer {
  const toMs = asOf.getTime();
  if (Number.isNaN(toMs)) throw new RangeError('the night needs a valid end');
  const fromMs = toMs - DAY_MS;
  const analyses: AccountAnalysis[] = [];
  return {
    add(account: FleetAccount) {
      analyses.push(analyzeAccount(account, fromMs, toMs));
    },
    finish(): Explanation {
      const context = new FleetContext(analyses);
      const pace = fleetPace(analyses.map((analysis) => analysis.pace));
      return {
        format: EXPLANATION_FORMAT,
        window: { from: formatInstant(fromMs), to: formatInstant(toMs) },
        accounts: analyses.map((analysis, index) =>
          explainAccount(analysis, applyFleetContext(analysis, index, context), pace),
        ),
      };
    },
  };
}

interface CauseTotal {
  cause: Cause;
  likes: number;
  fit: number;
  evidence: string[];
}

/** Turns an account's settled findings into its verdict, ranked causes and per-video attribution. */
function explainAccount(
  analysis: AccountAnalysis,
  findings: readonly Finding[],
  fleet: FleetPace,
): AccountExplanation {
  const causeByVideo = new Map<number, Cause>();
  for (const finding of findings)
    for (const video of finding.videos) causeByVideo.set(video, finding.cause);
  const slowdown: SlowdownFinding | undefined =
    findings.length === 0 && analysis.judgeable ? judgeSlowdown(analysis.pace, fleet) : undefined;
  const likes = {
    lost: Math.round(analysis.lost),
    restored: Math.round(analysis.restored),
    gained: Math.round(analysis.gained),
    ...baselineOf(analysis, slowdown),
  };
  const base = { id: analysis.account.id, handle: analysis.account.handle };
  const verdict =
    findings.length > 0 ? 'loss' : slowdown ? 'slowdown' : analysis.judgeable ? 'none' : 'unknown';
  const videos: VideoLoss[] = analysis.videos.map((video) => {
    const cause =
      causeByVideo.get(video.index) ?? (verdict === 'loss' ? 'organic_unlikes' : undefined);
    return {
      id: video.id,
      lost: Math.round(video.lost),
      restored: Math.round(video.restored),
      ...(cause ? { cause } : {}),
    };
  });

  if (verdict === 'slowdown' && slowdown) {
    return {
      ...base,
      verdict,
      likes,
      causes: [
        {
          cause: slowdown.cause,
          confidence: round(calibrate(slowdown.fit, 'slowdown')),
          likes: 0,
          evidence: slowdownEvidence(slowdown),
        },
      ],
      videos,
    };
  }
  if (verdict !== 'loss') return { ...base, verdict, likes, causes: [], videos };

  const totals = new Map<Cause, CauseTotal>();
  for (const finding of findings) {
    const total = totals.get(finding.cause) ?? {
      cause: finding.cause,
      likes: 0,
      fit: 0,
      evidence: [],
    };
    total.likes += finding.likes;
    total.fit = Math.max(total.fit, finding.fit);
    total.evidence.push(...finding.evidence);
    totals.set(finding.cause, total);
  }
  const explained = [...totals.values()].reduce((sum, total) => sum + total.likes, 0);
  const ranked: RankedCause[] = [...totals.values()]
    .map((total) => {
      const share = explained > 0 ? total.likes / explained : 1 / totals.size;
      // A cause that fits well and explains most of the loss ranks first; a cause that explains a sliver of it
      // is worth mentioning but not leading with.
      const score = total.fit * (0.45 + 0.55 * share);
      return {
        cause: total.cause,
        confidence: score,
        likes: Math.round(total.likes),
        evidence: total.evidence,
      };
    })
    .sort((a, b) => b.confidence - a.confidence);
  ranked.forEach((entry, rank) => {
    entry.confidence = round(
      rank === 0 ? calibrate(entry.confidence, 'loss') : Math.min(0.5, entry.confidence * 0.5),
    );
  });
  // Losses no finding explains are people un-liking here and there, as always.
  const backgroundLikes = analysis.videos
    .filter((video) => !causeByVideo.has(video.index))
    .reduce((sum, video) => sum + video.lost, 0);
  if (backgroundLikes > 0) {
    const organic = ranked.find((entry) => entry.cause === 'organic_unlikes');
    const background = `${countOf(backgroundLikes, 'like')} went here and there across your videos, as people un-like now and then`;
    if (organic) {
      organic.likes += Math.round(backgroundLikes);
      organic.evidence.push(background);
    } else {
      ranked.push({
        cause: 'organic_unlikes',
        confidence: 0.05,
        likes: Math.round(backgroundLikes),
        evidence: [background],
      });
    }
  }
  return { ...base, verdict, likes, causes: ranked, videos };
}

/**
 * The gain the night was judged against and the band of ordinary nights around it: the account's recent
 * history for tonight's span, or for a slow trend its level several weeks back. Null without history.
 */
function baselineOf(
  analysis: AccountAnalysis,
  slowdown: SlowdownFinding | undefined,
): Pick<AccountExplanation['likes'], 'baselineGain' | 'baselineBand'> {
  const { pace } = analysis;
  const expected = slowdown ? slowdown.baseline : pace.expected?.likes;
  if (expected === undefined || Number.isNaN(expected))
    return { baselineGain: null, baselineBand: null };
  const spread = BAND_SPREADS * Math.sqrt(pace.spread ** 2 + 1 / (expected + 1));
  return {
    baselineGain: Math.round(expected),
    baselineBand: {
      low: Math.round(expected * Math.exp(-spread)),
      high: Math.round(expected * Math.exp(spread)),
    },
  };
}

/** The band of ordinary nights spans this many spreads either side of the baseline. */
const BAND_SPREADS = 2;

function round(confidence: number): number {
  return Math.round(Math.min(1, Math.max(0, confidence)) * 100) / 100;
}
