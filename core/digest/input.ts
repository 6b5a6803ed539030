/** What the digest composer is given: one subscriber, one night, and the accounts they follow. */
import type {
  Account,
  AccountExplanation,
  Cause,
  DigestReport,
  Poll,
  Subscriber,
} from '../model.ts';

/** One watched account's night. */
export interface DigestAccountInput {
  /** The account as stored: its handle and whether it needs re-authorization. */
  account: Account;
  /** The engine's verdict for the window (one `likewatch.explanation/v1` entry). */
  explanation: AccountExplanation;
  /**
   * The account's polls inside (and just before) the window, oldest first: the source of video titles,
   * links, before → after like counts, and failure reasons.
   */
  polls: Poll[];
  /**
   * The account's polls over the last week, oldest first, for the likes chart. Without them (or with fewer
   * than two readings) the section has no chart.
   */
  history?: Poll[];
}

/** Links the digest points to; all of them belong to this product, none come from TikTok. */
export interface DigestLinks {
  /** Where the subscriber changes their digest settings. */
  preferences: string;
  /** One-click unsubscribe page for this subscriber. */
  unsubscribe: string;
  /** Where the subscriber reconnects an account that needs re-authorization. */
  reconnect: (accountId: string) => string;
  /** The subscriber's history page of one account they follow. */
  history: (accountId: string) => string;
  /**
   * "Was this right?" links for one cause named for one account on this night; without it the digest asks
   * for no feedback.
   */
  feedback?: (accountId: string, cause: Cause) => { yes: string; no: string };
}

/** Everything needed to compose one subscriber's digest. */
export interface DigestInput {
  /** Who receives it: `quietNights` decides what happens on a night with nothing to report. */
  subscriber: Subscriber;
  /** `YYYY-MM-DD`: the subscriber's local morning the digest is for. */
  localDate: string;
  /** The night the digest covers, as ISO instants. */
  window: { from: string; to: string };
  accounts: DigestAccountInput[];
  links: DigestLinks;
  /** What the subscriber's previous digest (the day before) reported, for follow-ups. */
  previousReport?: DigestReport;
}
