/** The digest run's shared shapes: its dependencies, inputs, jobs and counts. */
import type { Cause, DigestJob, DigestPartJob, Subscriber } from '../model.ts';
import type { ExplainFn, Mailer, NightStore, Queue, Store, SuppressionList } from '../ports.ts';

/** Builds the signed links a digest carries for one subscriber. */
export interface SubscriberLinks {
  preferences(subscriberId: string): string;
  unsubscribe(subscriberId: string): string;
  reconnect(accountId: string): string;
  /** The history page of one account the subscriber follows. */
  history(subscriberId: string, accountId: string): string;
  /**
   * "Was this the cause?" answer links about one cause named for one account's night (identified by the
   * instant it ended), on behalf of one subscriber.
   */
  feedback(
    subscriberId: string,
    accountId: string,
    night: string,
    cause: Cause,
  ): { yes: string; no: string };
}

/** What `sendDigestJobs` (the workers) needs: the store, the mailer, the links and the stored nights. */
export interface SendDigestJobsDeps {
  store: Store;
  mailer: Mailer;
  links: SubscriberLinks;
  /** Only for the claim lease; the night itself comes from the job. */
  now: () => Date;
  /** Addresses never to mail; without it, no address is treated as suppressed. */
  suppressions?: SuppressionList;
  nights: NightStore;
}

/** One tick of the digest schedule. */
export interface DigestTickInput {
  scheduledTime: Date;
  /** Days of history the engine reads before each night. */
  historyDays: number;
  /** A subscriber whose hour passed at most this many hours ago is still due. @default 3 */
  catchUpHours?: number;
  /**
   * Plan only this part of one night: its due subscribers whose id falls in the part ({@link digestPartOf}).
   * Set by an invocation for a part job; without it, every due night is planned.
   */
  part?: Pick<DigestPartJob, 'asOf' | 'part' | 'parts'>;
  /**
   * Fires when the invocation must stop explaining to finish in time. The night being explained is handed to
   * the part queue in two halves (and nights not begun, whole), so a night too slow for one invocation, for
   * accounts of many videos, is split further instead of timing out again on every delivery.
   */
  signal?: AbortSignal;
}

/** Counts of a digest tick and the worker batches it fed. */
export interface DigestRunSummary {
  due: number;
  sent: number;
  /** Quiet nights for subscribers who asked for no all-clear email. */
  skipped: number;
  /** Already sent by an earlier or concurrent run. */
  alreadySent: number;
  failed: number;
  /** Due, but the address is on the suppression list (bounced or complained): not sent. */
  suppressed: number;
  /** Accounts the engine found losing likes, over the nights explained in this tick. */
  losses: number;
  /** Accounts the engine found gaining far below their baseline. */
  slowdowns: number;
}

export interface DueSubscriber {
  subscriber: Subscriber;
  localDate: string;
  /** The end of the subscriber's night: their delivery time. */
  asOf: Date;
}

/**
 * A fleet of at most this many accounts is explained whole for every night, not only the accounts the night's
 * subscribers follow: each account's verdict then weighs the whole fleet's evidence (as the engine is evaluated),
 * and does not depend on who else happens to be due that hour. Explaining a fleet this size every hour is a few
 * minutes of Lambda a day; above it, each delivery hour's accounts are thousands, enough to show a platform-wide
 * drop, and reading the whole fleet for every hour would multiply the reads by the hours.
 */
export const WHOLE_FLEET_NIGHT_ACCOUNTS = 500;

/** How a night too large for one invocation is split: the bound, and the queue its parts go to. */
export interface DigestSplit {
  /**
   * Most accounts one invocation explains for a night. A night whose due subscribers follow more is split
   * into `ceil(accounts / accountsPerInvocation)` parts.
   */
  accountsPerInvocation: number;
  queue: Queue<DigestPartJob>;
}

/** What `planDigestJobs` needs: the store, where explained nights are kept, the engine and the digest queue. */
export interface PlanDigestJobsDeps {
  store: Pick<Store, 'listSubscribers' | 'listAccounts' | 'listPolls' | 'listSentDigests'>;
  nights: NightStore;
  explain: ExplainFn;
  queue: Queue<DigestJob>;
  /** Without it, every night is explained by the invocation that found it due, however large. */
  split?: DigestSplit;
  /** Fleets of at most this many accounts are explained whole. @default WHOLE_FLEET_NIGHT_ACCOUNTS */
  wholeFleetUpTo?: number;
}

/** What a digest tick did. */
export interface DigestTickSummary {
  /** Subscribers due this tick (each became one job). */
  due: number;
  /** Distinct nights among them. */
  nights: number;
  /** Nights explained and stored by this tick (the others were stored by an earlier tick). */
  explained: number;
  /**
   * Accounts whose night this invocation explained, over those nights (an account followed from two parts of
   * a split night is explained in each).
   */
  accountsExplained: number;
  enqueued: number;
  /** Accounts the engine found losing likes, over the nights explained by this tick. */
  losses: number;
  /** Accounts the engine found gaining far below their baseline, over the same nights. */
  slowdowns: number;
  /**
   * Part jobs sent for nights too large for this invocation. Their subscribers are not in `due`: each part's
   * own run counts them.
   */
  parts: number;
}

/** How one digest job ended: a counted outcome, or an error to deliver it again. */
export type DigestJobResult =
  | { done: true; outcome: DigestOutcome }
  | { done: false; error: unknown };

/** Counts of a batch of digest jobs (`retried`: jobs left for redelivery). */
export type DigestBatchSummary = Record<DigestOutcome | 'jobs' | 'retried', number>;

/** How a due digest ended (see {@link DigestRunSummary}). */
export type DigestOutcome = 'sent' | 'skipped' | 'alreadySent' | 'failed' | 'suppressed';
