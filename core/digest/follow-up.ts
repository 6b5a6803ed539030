/**
 * Follow-ups: what became of the losses the previous digest reported. A digest remembers what it said (the
 * report, stored with its sent marker); the next morning compares today's counts with it, so the reader learns
 * whether the likes came back (most likely a counting glitch), kept falling, or stayed gone.
 */
import { CAUSE_NAMES } from '../causes.ts';
import type { Cause, DigestReport, Poll, ReportedAccount } from '../model.ts';
import type { AccountNight } from './account-night.ts';
import type { DigestFollowUp } from './document.ts';
import type { DigestAccountInput } from './input.ts';
import { traceVideo } from './poll-history.ts';
import { countOf, formatCount } from './wording.ts';

/** Share of yesterday's lost likes that must be back to call them restored. */
const RESTORED_SHARE = 0.9;

/** Below this share back, the likes are said to have stayed gone. */
const PARTLY_RESTORED_SHARE = 0.2;

/** What a digest reported about every account it covered, for tomorrow's follow-up. */
export function buildDigestReport(nights: readonly AccountNight[], asOf: string): DigestReport {
  return {
    asOf,
    accounts: nights.map((night): ReportedAccount => {
      const { explanation, polls } = night.input;
      const reported: ReportedAccount = {
        accountId: night.input.account.id,
        handle: night.handle,
        verdict: explanation.verdict,
        lost: explanation.likes.lost,
        videos: [],
      };
      const top = night.rankedCauses[0];
      if (top !== undefined && (night.severity === 'loss' || night.severity === 'slowdown')) {
        reported.topCause = top.cause;
      }
      if (explanation.verdict === 'loss') {
        for (const loss of explanation.videos) {
          if (loss.lost <= 0) continue;
          const trace = traceVideo(polls, loss.id);
          if (trace.before === undefined) continue;
          reported.videos.push(
            trace.after === undefined
              ? { id: loss.id, before: trace.before }
              : { id: loss.id, before: trace.before, after: trace.after },
          );
        }
      }
      return reported;
    }),
  };
}

/**
 * One follow-up per account the previous digest reported a loss for and that this digest still covers:
 * the likes kept falling, came back, partly came back, or stayed gone; or we could not tell.
 */
export function buildFollowUps(
  previous: DigestReport | undefined,
  nights: readonly AccountNight[],
): DigestFollowUp[] {
  if (previous === undefined) return [];
  const followUps: DigestFollowUp[] = [];
  for (const reported of previous.accounts) {
    if (reported.verdict !== 'loss' || reported.lost <= 0) continue;
    const night = nights.find((candidate) => candidate.input.account.id === reported.accountId);
    if (night !== undefined) followUps.push(followUp(reported, night));
  }
  return followUps;
}

function followUp(reported: ReportedAccount, night: AccountNight): DigestFollowUp {
  const { handle } = night;
  const lostYesterday = `${countOf(reported.lost, 'like')} ${handle} lost yesterday`;
  const cause = reported.topCause === undefined ? undefined : CAUSE_NAMES[reported.topCause].phrase;
  const { explanation } = night.input;

  if (explanation.verdict === 'loss') {
    const more = countOf(explanation.likes.lost, 'more like');
    const bestFit = cause === undefined ? '' : `; yesterday’s best fit was ${cause}`;
    return {
      tone: 'loss',
      headline: `${handle} kept losing likes: ${more} removed overnight`,
      text: `Yesterday’s drop continued: ${more} ${wereOrWas(explanation.likes.lost)} removed from ${handle} overnight${bestFit} (details above).`,
    };
  }
  if (explanation.verdict === 'unknown') {
    return {
      tone: 'unknown',
      headline: `We could not check whether the ${lostYesterday} came back`,
      text: `We could not read ${handle} last night, so we cannot tell yet whether the ${lostYesterday} came back. We will look again before your next digest.`,
    };
  }

  const { lost, back } = recovery(reported, night.input.polls);
  if (lost > 0 && back >= lost * RESTORED_SHARE) {
    // The number back, unless it is all of them: the account's card says the same number.
    const which =
      back >= reported.lost
        ? `The ${lostYesterday}`
        : `${formatCount(back)} of the ${lostYesterday}`;
    return {
      tone: 'none',
      headline: `${which} are back`,
      text:
        `${which} are back. Likes that return within a day point to a TikTok counting glitch ` +
        `rather than a real loss${glitchNote(reported.topCause)}; there is nothing to do.`,
    };
  }
  if (lost > 0 && back >= lost * PARTLY_RESTORED_SHARE) {
    return {
      tone: 'slowdown',
      headline: `${formatCount(back)} of the ${lostYesterday} came back`,
      text: `${formatCount(back)} of the ${lostYesterday} came back overnight, and no more likes were removed.`,
    };
  }
  return {
    tone: 'unknown',
    headline: `The ${lostYesterday} have not come back`,
    text:
      `The ${lostYesterday} have not come back, but no more likes were removed overnight` +
      `${cause === undefined ? '' : `: ${cause} looks finished`}.`,
  };
}

/**
 * How many of the likes the previous digest reported `account` lost are back in its latest counts: new likes
 * tonight that are not new. Zero when yesterday reported no loss for it.
 */
export function likesBackSince(
  previous: DigestReport | undefined,
  account: DigestAccountInput,
): number {
  const reported = previous?.accounts.find(
    (entry) => entry.accountId === account.account.id && entry.verdict === 'loss',
  );
  return reported === undefined ? 0 : recovery(reported, account.polls).back;
}

/** Yesterday's lost likes (per reported video) and how many of them are back in today's latest counts. */
function recovery(
  reported: ReportedAccount,
  polls: readonly Poll[],
): { lost: number; back: number } {
  let lost = 0;
  let back = 0;
  for (const video of reported.videos) {
    const floor = video.after ?? 0;
    const lostHere = Math.max(0, video.before - floor);
    const now = traceVideo(polls, video.id);
    const current = now.vanished ? undefined : now.after;
    lost += lostHere;
    if (current !== undefined) back += Math.min(lostHere, Math.max(0, current - floor));
  }
  return { lost, back };
}

function glitchNote(topCause: Cause | undefined): string {
  if (topCause === undefined || topCause === 'platform_glitch') return '';
  return ` (yesterday the best fit was ${CAUSE_NAMES[topCause].phrase})`;
}

function wereOrWas(count: number): string {
  return Math.round(count) === 1 ? 'was' : 'were';
}
