/**
 * Sizes up each account's night once, so ordering, the subject line and the account sections all agree on
 * how bad it was.
 */
import type { AccountExplanation, RankedCause } from '../model.ts';
import type { DigestAccountInput } from './input.ts';
import { latestFailureReason } from './poll-history.ts';
import { describeFailureReason, displayHandle, slowdownPercent, timesUsual } from './wording.ts';

/**
 * How bad a night was, worst first: likes removed, likes coming in slower, an account we could not judge
 * (unreadable or waiting to be reconnected), and an ordinary night.
 */
export type Severity = 'loss' | 'slowdown' | 'gap' | 'none';

const SEVERITY_RANK: Record<Severity, number> = { loss: 0, slowdown: 1, gap: 2, none: 3 };

/** One account's night, sized up. */
export interface AccountNight {
  input: DigestAccountInput;
  /** `@handle`, safe for a subject line. */
  handle: string;
  severity: Severity;
  /** The engine's causes, best fit (highest confidence) first. */
  rankedCauses: RankedCause[];
  /** The account's stored status says the subscriber must reconnect it. */
  needsReconnect: boolean;
  /** For an `unknown` verdict: why we could not read the account, in words. */
  unreadableBecause?: string;
  /** For a slowdown: how much slower than the baseline, in percent (when there is a baseline). */
  slowerByPercent?: number;
  /**
   * Where the night's new likes fall against the band of ordinary nights (absent without a band): above it is
   * a strong night, below it a weak one, whatever the verdict.
   */
  pace?: NightPace;
  /**
   * New likes that are yesterday's lost likes coming back (a follow-up says so): not judged as new likes, so a
   * glitch's return is not called a strong night.
   */
  returned: number;
  /** For a strong night: how many times the usual its new likes were, in words (`about 11×`). */
  timesUsual?: string;
}

/** New likes above the band of ordinary nights, inside it, or below it. */
export type NightPace = 'strong' | 'usual' | 'weak';

/**
 * Where the night's new likes (less `returned`, the likes that came back) fall against `likes.baselineBand`, or
 * undefined when there is no band.
 */
export function paceOf(likes: AccountExplanation['likes'], returned = 0): NightPace | undefined {
  const band = likes.baselineBand;
  if (band === null || band === undefined) return undefined;
  const gained = likes.gained - returned;
  if (gained > band.high) return 'strong';
  if (gained < band.low) return 'weak';
  return 'usual';
}

/** Sizes up one account's night; `returned` of its new likes are yesterday's lost likes coming back. */
export function assessAccountNight(input: DigestAccountInput, returned = 0): AccountNight {
  const { account, explanation, polls } = input;
  const needsReconnect = account.status === 'needs_reauthorization';
  const night: AccountNight = {
    input,
    handle: displayHandle(account.handle || explanation.handle),
    severity: severityOf(explanation.verdict, needsReconnect),
    // Sorted here rather than trusting the engine's order; equal confidences keep the engine's order.
    rankedCauses: [...explanation.causes].sort((a, b) => b.confidence - a.confidence),
    needsReconnect,
    returned: Math.min(returned, explanation.likes.gained),
  };
  if (explanation.verdict === 'unknown') {
    // With no failure reason on record but a known reconnect problem, that problem is the honest reason.
    const reason =
      latestFailureReason(polls) ?? (needsReconnect ? 'needs_reauthorization' : undefined);
    night.unreadableBecause = describeFailureReason(reason);
  }
  const pace = paceOf(explanation.likes, night.returned);
  if (pace !== undefined) night.pace = pace;
  if (pace === 'strong') {
    night.timesUsual = timesUsual(
      explanation.likes.gained - night.returned,
      explanation.likes.baselineGain,
    );
  }
  if (explanation.verdict === 'slowdown') {
    night.slowerByPercent = slowdownPercent(
      explanation.likes.gained,
      explanation.likes.baselineGain,
    );
  }
  return night;
}

function severityOf(
  verdict: DigestAccountInput['explanation']['verdict'],
  needsReconnect: boolean,
): Severity {
  switch (verdict) {
    case 'loss':
      return 'loss';
    case 'slowdown':
      return 'slowdown';
    case 'unknown':
      return 'gap';
    case 'none':
      // An ordinary night still needs the reader's attention if the account must be reconnected.
      return needsReconnect ? 'gap' : 'none';
  }
}

/**
 * Worst first: losses by likes lost (largest first), then slowdowns (slowest first), then accounts we could
 * not judge, then ordinary nights. Ties keep a stable, alphabetical order so the email does not reshuffle.
 */
export function orderWorstFirst(nights: readonly AccountNight[]): AccountNight[] {
  return [...nights].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      withinSeverity(b) - withinSeverity(a) ||
      a.handle.localeCompare(b.handle, 'en'),
  );
}

/** Larger is worse, compared only between accounts of the same severity. */
function withinSeverity(night: AccountNight): number {
  if (night.severity === 'loss') return night.input.explanation.likes.lost;
  if (night.severity === 'slowdown') return night.slowerByPercent ?? 0;
  return 0;
}

/** True when nothing needs the reader's attention: every night ordinary, no account to reconnect. */
export function isQuietNight(nights: readonly AccountNight[]): boolean {
  return nights.every((night) => night.severity === 'none');
}
