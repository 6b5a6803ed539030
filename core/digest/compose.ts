/**
 * The digest composer: turns one subscriber's night (the engine's verdicts plus the raw polls) into the
 * email they read in the morning. Pure: no I/O, no clock, no environment; the same input always gives the
 * same email.
 *
 * Deciding and rendering are separate: `buildDigestDocument` decides what is said and in which order,
 * `renderText` and `renderHtml` only lay it out.
 */
import {
  type AccountNight,
  assessAccountNight,
  isQuietNight,
  orderWorstFirst,
} from './account-night.ts';
import { buildAccountSection } from './account-section.ts';
import type { DigestDocument } from './document.ts';
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
}

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
  };
}

/**
 * Decides everything the digest says, worst account first, without laying it out. Exposed so callers and
 * tests can inspect the content independently of either rendering.
 */
export function buildDigestDocument(input: DigestInput): DigestDocument {
  const nights = orderWorstFirst(input.accounts.map(assessAccountNight));
  const quiet = isQuietNight(nights);
  const window = formatWindow(input.window, input.subscriber.timeZone);
  return {
    subject: buildSubject(nights),
    preheader: buildPreheader(nights),
    quiet,
    title: `Your likewatch digest for ${formatLocalDate(input.localDate)}`,
    intro: quiet
      ? allClearLine(nights, window)
      : `Here is what happened to your TikTok likes overnight, ${window}. Worst news first.`,
    // On a quiet night the single all-clear line is the whole message.
    accounts: quiet ? [] : nights.map((night) => buildAccountSection(night, input.links)),
    footer: {
      reason: `You get this email because you subscribed to the likewatch morning digest for ${handleList(nights)}.`,
      links: [
        { text: 'Change digest preferences', href: input.links.preferences },
        { text: 'Unsubscribe', href: input.links.unsubscribe },
      ],
    },
  };
}

function allClearLine(nights: readonly AccountNight[], window: string): string {
  if (nights.length === 0) return `All clear: no unusual like changes ${window}.`;
  return `All clear: ${handleList(nights)} had an ordinary night, with no unusual like changes ${window}.`;
}

function handleList(nights: readonly AccountNight[]): string {
  if (nights.length === 0) return 'your TikTok accounts';
  // Alphabetical, not worst-first: this is a roll call, not a ranking.
  const handles = nights.map((night) => night.handle).sort((a, b) => a.localeCompare(b, 'en'));
  if (handles.length <= HANDLES_IN_FOOTER) return joinWithAnd(handles);
  const rest = handles.length - HANDLES_IN_FOOTER + 1;
  return `${handles.slice(0, HANDLES_IN_FOOTER - 1).join(', ')} and ${rest} more accounts`;
}
