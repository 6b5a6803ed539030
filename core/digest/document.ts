/**
 * The neutral shape of one digest: every word is decided here once (by `compose.ts`), then laid out twice,
 * as plain text (`render-text.ts`) and as HTML (`render-html.ts`). Renderers only arrange; they never choose
 * wording, so the two parts cannot drift apart.
 *
 * Strings in this structure are already single-line and free of control characters, but NOT HTML-escaped:
 * escaping is the HTML renderer's job.
 */
import type { LikesChartSpec } from './chart.ts';

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

/** A one-click "was this right?" question about a cause; each answer is a signed link. */
export interface DigestFeedback {
  /** e.g. `Was this the cause?` */
  question: string;
  yes: DigestLink;
  no: DigestLink;
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
  /** Present when the digest can collect feedback on this cause. */
  feedback?: DigestFeedback;
}

/**
 * A chart of the account's likes, sent as an inline PNG and referenced as `cid:<contentId>`. The words
 * (`alt`, `caption`) say everything the picture shows, for readers and clients that do not load images.
 */
export interface DigestChart {
  contentId: string;
  /** Describes the chart with its numbers: the image's alt text and the plain-text part's stand-in. */
  alt: string;
  /** A short line shown under the image. */
  caption: string;
  /** Display size in CSS pixels. */
  width: number;
  height: number;
  /** What to draw; the composer turns it into PNG bytes. */
  spec: LikesChartSpec;
}

/** A follow-up on what an earlier digest reported, e.g. likes that came back. */
export interface DigestFollowUp {
  tone: AccountTone;
  /** Short enough for a subject line, e.g. `The 1,240 likes @maya lost yesterday are back`. */
  headline: string;
  /** The full sentence or two shown in the digest. */
  text: string;
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
  /** The account's history page ("View history"), on every card. */
  history: DigestLink;
  /** Likes over the last week with last night marked; only for losses and slowdowns. */
  chart?: DigestChart;
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
  /** What became of the losses the previous digest reported; absent when there is nothing to follow up. */
  followUps?: { heading: string; items: DigestFollowUp[] };
  accounts: DigestAccountSection[];
  footer: DigestFooter;
}
