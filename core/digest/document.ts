/**
 * The neutral shape of one digest: every word is decided here once (by `compose.ts`), then laid out twice,
 * as plain text (`render-text.ts`) and as HTML (`render-html.ts`). Renderers only arrange; they never choose
 * wording, so the two parts cannot drift apart.
 *
 * Strings in this structure are already single-line and free of control characters, but NOT HTML-escaped:
 * escaping is the HTML renderer's job.
 */

/** A link: visible text and where it goes. */
export interface DigestLink {
  text: string;
  href: string;
}

/** A label and its value, e.g. `Likes removed` / `1,240`. */
export interface DigestFact {
  label: string;
  value: string;
}

/** Something the reader has to act on, such as reconnecting an account. */
export interface DigestNotice {
  text: string;
  link?: DigestLink;
}

/** One candidate cause with how sure we are and what backs it up. */
export interface DigestCause {
  /** e.g. `Fake-like purge`. */
  title: string;
  /** `likely`, `possibly` or `unclear`. */
  confidence: string;
  /** e.g. `accounts for 1,180 of the lost likes`; absent for slowdown causes. */
  share?: string;
  evidence: string[];
}

/** One video that lost likes. */
export interface DigestVideo {
  title: string;
  /** Only present when the poll gave an https tiktok.com link. */
  link?: DigestLink;
  /** e.g. `5,200 → 4,300 likes, 900 lost`. */
  change: string;
}

/** What to do about the top cause. */
export interface DigestAdvice {
  heading: string;
  summary: string;
  actions: string[];
}

/** How an account's night went; renderers use it only for emphasis (colour), never for wording. */
export type AccountTone = 'loss' | 'slowdown' | 'unknown' | 'none';

/** Everything the digest says about one account. */
export interface DigestAccountSection {
  tone: AccountTone;
  /** e.g. `@handle lost 1,240 likes overnight`. */
  title: string;
  /** One or two sentences saying what happened. */
  summary: string;
  facts: DigestFact[];
  notices: DigestNotice[];
  causes?: { heading: string; items: DigestCause[] };
  videos?: { heading: string; items: DigestVideo[]; note?: string };
  advice?: DigestAdvice;
}

/** Why the reader gets the email and how to change that. */
export interface DigestFooter {
  reason: string;
  links: DigestLink[];
}

/** One whole digest, ready to render. */
export interface DigestDocument {
  subject: string;
  /** The inbox preview line shown after the subject. */
  preheader: string;
  quiet: boolean;
  /** e.g. `Your likewatch digest for Tuesday, November 25, 2026`. */
  title: string;
  /** The opening line; on a quiet night, the whole message. */
  intro: string;
  accounts: DigestAccountSection[];
  footer: DigestFooter;
}
