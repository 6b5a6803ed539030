/**
 * The digest composer: turns one subscriber's night (the engine's verdicts plus the raw polls) into the
 * email they read in the morning. Pure: no I/O, no clock, no environment; the same input always gives the
 * same email.
 *
 * Deciding and rendering are separate: `buildDigestDocument` decides what is said and in which order,
 * `renderText` and `renderHtml` only lay it out.
 */

import type { DigestReport } from '../model.ts';
import type { InlineImage } from '../ports.ts';
import {
  type AccountNight,
  assessAccountNight,
  isQuietNight,
  orderWorstFirst,
} from './account-night.ts';
import { buildAccountSection, newLikesFigures } from './account-section.ts';
import { renderLikesChart } from './chart.ts';
import type { AccountTone, DigestDocument } from './document.ts';
import { buildDigestReport, buildFollowUps, likesBackSince } from './follow-up.ts';
import type { DigestInput } from './input.ts';
import { renderHtml } from './render-html.ts';
import { renderText } from './render-text.ts';
import { buildPreheader, buildSubject } from './subject.ts';
import { formatLocalDate, formatWindow, joinWithAnd } from './wording.ts';

export type { DigestAccountInput, DigestInput, DigestLinks } from './input.ts';

/** A digest ready to hand to the mailer (as the subject, text and html of an `OutgoingEmail`). */
export interface ComposedDigest {
  /** One line, no control characters. */
  subject: string;
  /** Plain-text part: the same content as `html`. */
  text: string;
  /** HTML part: a complete document with inline styles. */
  html: string;
  /** True when nothing happened and this is the short all-clear. */
  quiet: boolean;
  /** The inbox preview line (also hidden at the top of `html`). */
  preheader: string;
  /** The charts, as PNGs that `html` references by `cid:`; attach them inline. */
  inlineImages: InlineImage[];
}

/** Follow-ups are listed worst first, by the tone of what became of yesterday's loss. */
const TONE_RANK: Record<AccountTone, number> = { loss: 0, slowdown: 1, unknown: 2, none: 3 };

/** How many handles the footer names before summarising the rest. */
const HANDLES_IN_FOOTER = 5;

/**
 * Composes one subscriber's morning digest.
 *
 * @returns the email, or undefined when there is nothing to send: a quiet night (every account ordinary,
 * none to reconnect) for a subscriber who chose `quietNights: 'skip'`.
 */
export function composeDigest(input: DigestInput): ComposedDigest | undefined {
  const document = buildDigestDocument(input);
  if (document.quiet && input.subscriber.quietNights === 'skip') return undefined;
  return {
    subject: document.subject,
    text: renderText(document),
    html: renderHtml(document),
    quiet: document.quiet,
    preheader: document.preheader,
    inlineImages: document.accounts.flatMap((section) =>
      section.chart === undefined
        ? []
        : [
            {
              contentId: section.chart.contentId,
              filename: `${section.chart.contentId.split('@')[0]}.png`,
              contentType: 'image/png' as const,
              content: renderLikesChart(section.chart.spec),
            },
          ],
    ),
  };
}

/**
 * What the digest for `input` reports, to be stored with its sent marker so the next digest can follow up
 * on it. The same whether or not the email was sent (a skipped quiet night reports no losses).
 */
export function reportDigest(input: DigestInput): DigestReport {
  return buildDigestReport(assessNights(input), input.window.to);
}

/** Every account's night, sized up, worst first. */
function assessNights(input: DigestInput): AccountNight[] {
  return orderWorstFirst(
    input.accounts.map((account) =>
      assessAccountNight(account, likesBackSince(input.previousReport, account)),
    ),
  );
}

/**
 * Decides everything the digest says, worst account first, without laying it out. Exposed so callers and
 * tests can inspect the content independently of either rendering.
 */
export function buildDigestDocument(input: DigestInput): DigestDocument {
  const nights = assessNights(input);
  const followUps = buildFollowUps(input.previousReport, nights);
  const nothingNew = isQuietNight(nights);
  const window = formatWindow(input.window, input.subscriber.timeZone);
  const document: DigestDocument = {
    subject: buildSubject(nights, followUps),
    preheader: buildPreheader(nights),
    // A follow-up on yesterday is news too, so a night with one is not quiet.
    quiet: nothingNew && followUps.length === 0,
    title: `Your likewatch digest for ${formatLocalDate(input.localDate)}`,
    intro: nothingNew
      ? allClearLine(nights, window)
      : `Here is what happened to your TikTok likes overnight, ${window}. Worst news first.`,
    // On a night with nothing new, the all-clear line (and any follow-up) is the whole message.
    accounts: nothingNew
      ? []
      : nights.map((night, index) =>
          buildAccountSection(night, input.links, {
            window: input.window,
            timeZone: input.subscriber.timeZone,
            // Unique within the message and free of account-controlled text.
            contentId: `likes-chart-${index + 1}@likewatch`,
          }),
        ),
    footer: {
      reason: `You get this email because you subscribed to the likewatch morning digest for ${handleList(nights)}.`,
      links: [
        { text: 'Change digest preferences', href: input.links.preferences },
        { text: 'Unsubscribe', href: input.links.unsubscribe },
      ],
    },
  };
  if (followUps.length > 0) {
    // Worst first here too: likes still falling before likes that came back.
    const items = [...followUps].sort((a, b) => TONE_RANK[a.tone] - TONE_RANK[b.tone]);
    document.followUps = { heading: 'Since your last digest', items };
  }
  return document;
}

function allClearLine(nights: readonly AccountNight[], window: string): string {
  if (nights.length === 0) return `All clear: no unusual like changes ${window}.`;
  const unusual = nights.filter((night) => night.pace === 'strong' || night.pace === 'weak');
  if (unusual.length === 0) {
    return `All clear: ${handleList(nights)} had an ordinary night, with no unusual like changes ${window}.`;
  }
  // Nothing is wrong, but a night far from the usual is said as such, with its figures.
  const notes = unusual.map((night) => {
    const figures = newLikesFigures(night);
    return night.pace === 'strong'
      ? `${night.handle} had a strong night: ${night.timesUsual} the usual new likes (${figures}).`
      : `${night.handle} had a quieter night than usual (${figures}), though not a slowdown.`;
  });
  return `All clear: no likes lost beyond the usual ${window}. ${notes.join(' ')}`;
}

function handleList(nights: readonly AccountNight[]): string {
  if (nights.length === 0) return 'your TikTok accounts';
  // Alphabetical, not worst-first: this is a roll call, not a ranking.
  const handles = nights.map((night) => night.handle).sort((a, b) => a.localeCompare(b, 'en'));
  if (handles.length <= HANDLES_IN_FOOTER) return joinWithAnd(handles);
  const rest = handles.length - HANDLES_IN_FOOTER + 1;
  return `${handles.slice(0, HANDLES_IN_FOOTER - 1).join(', ')} and ${rest} more accounts`;
}
