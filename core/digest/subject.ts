/**
 * The two lines an inbox shows before the email is opened: the subject (what happened to the worst-hit
 * account) and the preheader (a tally of the whole night).
 */

import { CAUSE_NAMES } from '../causes.ts';
import type { AccountNight } from './account-night.ts';
import { ordinaryNightKind } from './account-section.ts';
import type { DigestFollowUp } from './document.ts';
import { toSingleLine } from './escape.ts';
import { confidenceWord, countOf, formatCount, joinWithAnd } from './wording.ts';

/** Subjects are cut here; mail clients show far less, and a hostile handle must not make them huge. */
const MAX_SUBJECT_LENGTH = 200;

/** How many handles a quiet-night subject names before summarising the rest. */
const HANDLES_IN_QUIET_SUBJECT = 3;

/**
 * The subject for nights ordered worst first. Whatever goes in, the result is a single line: handles are
 * already cleaned, and the whole subject is cleaned again as a last guard against header injection.
 */
export function buildSubject(
  orderedNights: readonly AccountNight[],
  followUps: readonly DigestFollowUp[] = [],
): string {
  const [worst, ...rest] = orderedNights;
  if (worst === undefined || worst.severity === 'none') {
    // Nothing new overnight: yesterday's news moving on is the headline, if there is any.
    const [first, ...others] = followUps;
    if (first !== undefined) {
      const more = others.length > 0 ? ` (and ${countOf(others.length, 'more update')})` : '';
      return toSingleLine(`Update: ${first.headline}${more}`, MAX_SUBJECT_LENGTH);
    }
    return toSingleLine(quietSubject(orderedNights), MAX_SUBJECT_LENGTH);
  }
  const othersAffected = rest.filter((night) => night.severity !== 'none').length;
  const more = othersAffected > 0 ? ` (and ${countOf(othersAffected, 'more account')})` : '';
  return toSingleLine(`${worstAccountSubject(worst)}${more}`, MAX_SUBJECT_LENGTH);
}

function quietSubject(nights: readonly AccountNight[]): string {
  if (nights.length === 0) return 'All clear: no unusual like changes overnight';
  // A strong night is news too, and "no unusual changes" would contradict its card.
  const strong = nights.find((night) => night.pace === 'strong');
  if (strong !== undefined) {
    return `All clear, and ${strong.handle} had a strong night: ${strong.timesUsual} the usual new likes`;
  }
  const named = nights.slice(0, HANDLES_IN_QUIET_SUBJECT).map((night) => night.handle);
  const unnamed = nights.length - named.length;
  const handles = unnamed > 0 ? `${named.join(', ')} and ${unnamed} more` : named.join(', ');
  return `All clear: no unusual like changes for ${handles}`;
}

function worstAccountSubject(night: AccountNight): string {
  const { likes } = night.input.explanation;
  switch (night.severity) {
    case 'loss':
      return `${night.handle} lost ${countOf(likes.lost, 'like')} overnight${restoredNote(likes)} — ${causeNote(night)}`;
    case 'slowdown': {
      const howMuch =
        night.slowerByPercent === undefined ? 'slower' : `${night.slowerByPercent}% slower`;
      return `${night.handle}: likes coming in ${howMuch} than usual — ${causeNote(night)}`;
    }
    case 'gap':
      return night.unreadableBecause === undefined
        ? `${night.handle} needs to be reconnected to TikTok`
        : `We could not read ${night.handle} last night (${night.unreadableBecause})`;
    case 'none':
      return `${night.handle}: ${ordinaryNightKind(night)}`;
  }
}

function restoredNote(likes: { lost: number; restored: number }): string {
  if (likes.restored <= 0) return '';
  if (likes.restored >= likes.lost) return ' (all came back)';
  return ` (${formatCount(likes.restored)} came back)`;
}

/** `likely a fake-like purge`, `possibly reach limits`, or `cause unclear` when nothing fits well. */
function causeNote(night: AccountNight): string {
  const top = night.rankedCauses[0];
  if (top === undefined) return 'cause unclear';
  const word = confidenceWord(top.confidence);
  return word === 'unclear' ? 'cause unclear' : `${word} ${CAUSE_NAMES[top.cause].phrase}`;
}

/**
 * The inbox preview: a tally of the night, e.g. `Overnight, across 3 accounts: 1 lost likes, 1 got likes
 * slower than usual and 1 had an ordinary night.`
 */
export function buildPreheader(nights: readonly AccountNight[]): string {
  if (nights.every((night) => night.severity === 'none')) {
    return nights.some((night) => night.pace === 'strong' || night.pace === 'weak')
      ? 'No likes lost beyond the usual; nothing needs your attention.'
      : 'Every watched account had an ordinary night; nothing needs your attention.';
  }
  const count = (predicate: (night: AccountNight) => boolean) => nights.filter(predicate).length;
  const tally: Array<[number, string]> = [
    [count((night) => night.severity === 'loss'), 'lost likes'],
    [count((night) => night.severity === 'slowdown'), 'got likes slower than usual'],
    [count((night) => night.input.explanation.verdict === 'unknown'), 'could not be read'],
    [count((night) => night.needsReconnect), 'must be reconnected'],
    [count((night) => night.severity === 'none' && night.pace === 'strong'), 'had a strong night'],
    [
      count((night) => night.severity === 'none' && night.pace !== 'strong'),
      'had nothing unusual to report',
    ],
  ];
  const parts = tally.filter(([n]) => n > 0).map(([n, what]) => `${formatCount(n)} ${what}`);
  return `Overnight, across ${countOf(nights.length, 'account')}: ${joinWithAnd(parts)}.`;
}
