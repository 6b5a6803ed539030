/**
 * Use case: on each hourly tick, send the morning digest to every subscriber whose delivery hour has come.
 *
 * Primary course:
 * 1. Find the subscribers due: their local delivery hour is this hour, or was at most `catchUpHours` ago
 *    (so a tick that failed or was missed is made up by the next one).
 * 2. Explain each distinct night once for the whole fleet (several accounts hit at once is evidence).
 * 3. Per subscriber: skip a suppressed address; claim the (subscriber, local date) marker; compose (with
 *    follow-ups on what the previous day's digest reported); send; record the message id and what the digest
 *    reported. The conditional claim makes retries and concurrent runs send one email; a claim whose run died
 *    is taken over after its lease; a send that failed in a retryable way gives the claim back.
 *
 * Subscribers who paused or unsubscribed are never due.
 */
import {
  type ComposedDigest,
  composeDigest,
  type DigestInput,
  reportDigest,
} from './digest/compose.ts';
import { CHART_DAYS } from './digest/likes-chart.ts';
import { MailerError } from './errors.ts';
import {
  type Account,
  type Cause,
  type Explanation,
  type Fleet,
  type FleetAccount,
  receivesDigests,
  type Subscriber,
} from './model.ts';
import { forEachLimited } from './poll-accounts.ts';
import type { ExplainFn, Mailer, OutgoingEmail, Store, SuppressionList } from './ports.ts';
import { addDays, DAY_MS, floorToHour, HOUR_MS, localDateAndHour } from './time.ts';

/** Builds the signed links a digest carries for one subscriber. */
export interface SubscriberLinks {
  preferences(subscriberId: string): string;
  unsubscribe(subscriberId: string): string;
  reconnect(accountId: string): string;
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

/** What `sendDueDigests` needs. */
export interface SendDigestsDeps {
  store: Store;
  mailer: Mailer;
  explain: ExplainFn;
  links: SubscriberLinks;
  /** Only for the claim lease; the night itself comes from the tick's scheduled time. */
  now: () => Date;
  /** Addresses never to mail; without it, no address is treated as suppressed. */
  suppressions?: SuppressionList;
}

/** One tick of the digest schedule. */
export interface SendDigestsInput {
  scheduledTime: Date;
  /** Days of history the engine reads before each night. */
  historyDays: number;
  /** A subscriber whose hour passed at most this many hours ago is still due. @default 3 */
  catchUpHours?: number;
  /** Emails composed and sent at once. @default 4 */
  concurrency?: number;
}

/** Counts of one tick's work. */
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

interface DueSubscriber {
  subscriber: Subscriber;
  localDate: string;
  /** The end of the subscriber's night: their delivery time. */
  asOf: Date;
}

/** Sends every digest due at `input.scheduledTime`. */
export async function sendDueDigests(
  deps: SendDigestsDeps,
  input: SendDigestsInput,
): Promise<DigestRunSummary> {
  const summary: DigestRunSummary = {
    due: 0,
    sent: 0,
    skipped: 0,
    alreadySent: 0,
    failed: 0,
    suppressed: 0,
    losses: 0,
    slowdowns: 0,
  };
  const due = findDue(
    await deps.store.listSubscribers(),
    input.scheduledTime,
    input.catchUpHours ?? 3,
  );
  summary.due = due.length;
  if (due.length === 0) return summary;

  const accounts = await deps.store.listAccounts();
  const byNight = new Map<number, DueSubscriber[]>();
  for (const entry of due) {
    const night = byNight.get(entry.asOf.getTime()) ?? [];
    night.push(entry);
    byNight.set(entry.asOf.getTime(), night);
  }
  for (const [asOfMs, subscribers] of byNight) {
    const asOf = new Date(asOfMs);
    const fleet = await loadFleet(deps.store, accounts, asOf, input.historyDays);
    const explanation = deps.explain(fleet, asOf);
    for (const entry of explanation.accounts) {
      if (entry.verdict === 'loss') summary.losses += 1;
      if (entry.verdict === 'slowdown') summary.slowdowns += 1;
    }
    await forEachLimited(subscribers, input.concurrency ?? 4, async (entry) => {
      const outcome = await sendOne(deps, entry, accounts, fleet, explanation);
      summary[outcome] += 1;
    });
  }
  return summary;
}

function findDue(subscribers: Subscriber[], tick: Date, catchUpHours: number): DueSubscriber[] {
  const hourStart = floorToHour(tick);
  const due: DueSubscriber[] = [];
  for (const subscriber of subscribers) {
    if (!receivesDigests(subscriber)) continue;
    const local = localDateAndHour(hourStart, subscriber.timeZone);
    const hoursLate = local.hour - subscriber.deliveryHour;
    if (hoursLate < 0 || hoursLate >= catchUpHours) continue;
    const asOf = new Date(hourStart.getTime() - hoursLate * HOUR_MS);
    due.push({ subscriber, asOf, localDate: localDateAndHour(asOf, subscriber.timeZone).date });
  }
  return due;
}

async function loadFleet(
  store: Store,
  accounts: Account[],
  asOf: Date,
  historyDays: number,
): Promise<Fleet> {
  const from = new Date(asOf.getTime() - historyDays * DAY_MS);
  const fleetAccounts: FleetAccount[] = await Promise.all(
    accounts.map(async (account) => ({
      platform: account.platform,
      id: account.id,
      handle: account.handle,
      polls: await store.listPolls(account.id, from, asOf),
    })),
  );
  return { format: 'likewatch.fleet/v1', accounts: fleetAccounts };
}

async function sendOne(
  deps: SendDigestsDeps,
  due: DueSubscriber,
  accounts: Account[],
  fleet: Fleet,
  explanation: Explanation,
): Promise<'sent' | 'skipped' | 'alreadySent' | 'failed' | 'suppressed'> {
  const { subscriber, localDate } = due;
  // Checked before claiming, so an address taken off the list later still gets that day's digest.
  if (await deps.suppressions?.isSuppressed(subscriber.email)) return 'suppressed';
  if (!(await deps.store.claimDigest(subscriber.id, localDate, deps.now()))) return 'alreadySent';

  const input = await digestInputFor(deps, due, accounts, fleet, explanation);
  const report = reportDigest(input);
  const digest = composeDigest(input);
  if (!digest) {
    await deps.store.markDigestSent(subscriber.id, localDate, 'skipped', report);
    return 'skipped';
  }
  try {
    const messageId = await deps.mailer.send(digestEmail(deps.links, subscriber, digest));
    // A crash between SES accepting the message and this write leaves a claim that a later run takes over
    // after its lease: see "Exactly once" in docs/decisions.md for why that rare duplicate is accepted.
    await deps.store.markDigestSent(subscriber.id, localDate, messageId, report);
    return 'sent';
  } catch (error) {
    if (error instanceof MailerError && error.retryable) {
      // The mailer has already backed off and retried; the next tick tries again.
      await deps.store.releaseDigest(subscriber.id, localDate);
      return 'failed';
    }
    if (error instanceof MailerError) {
      // Rejected for good (e.g. a malformed address): record it so later ticks do not retry it forever.
      await deps.store.markDigestSent(subscriber.id, localDate, 'rejected');
      return 'failed';
    }
    throw error;
  }
}

/** Everything the composer needs for one subscriber's night, including the previous digest's report. */
async function digestInputFor(
  deps: Pick<SendDigestsDeps, 'store' | 'links'>,
  { subscriber, localDate, asOf }: DueSubscriber,
  accounts: Account[],
  fleet: Fleet,
  explanation: Explanation,
): Promise<DigestInput> {
  // The night's end identifies it in feedback links (whole seconds: shorter links, same instant).
  const night = asOf.toISOString().replace('.000Z', 'Z');
  const previousReport = await deps.store.getDigestReport(subscriber.id, addDays(localDate, -1));
  const input: DigestInput = {
    subscriber,
    localDate,
    window: explanation.window,
    accounts: subscriber.accountIds.flatMap((accountId) => {
      const account = accounts.find((candidate) => candidate.id === accountId);
      const explained = explanation.accounts.find((candidate) => candidate.id === accountId);
      const history = fleet.accounts.find((candidate) => candidate.id === accountId);
      if (!account || !explained || !history) return [];
      const since = (days: number) => asOf.getTime() - days * DAY_MS;
      return [
        {
          account,
          explanation: explained,
          polls: history.polls.filter((poll) => Date.parse(poll.at) >= since(2)),
          history: history.polls.filter((poll) => Date.parse(poll.at) >= since(CHART_DAYS)),
        },
      ];
    }),
    links: {
      preferences: deps.links.preferences(subscriber.id),
      unsubscribe: deps.links.unsubscribe(subscriber.id),
      reconnect: (accountId) => deps.links.reconnect(accountId),
      feedback: (accountId, cause) => deps.links.feedback(subscriber.id, accountId, night, cause),
    },
  };
  if (previousReport !== undefined) input.previousReport = previousReport;
  return input;
}

/** The email for a composed digest, with the RFC 8058 one-click unsubscribe headers. */
function digestEmail(
  links: SubscriberLinks,
  subscriber: Subscriber,
  digest: ComposedDigest,
): OutgoingEmail {
  const email: OutgoingEmail = {
    to: subscriber.email,
    subject: digest.subject,
    text: digest.text,
    html: digest.html,
    headers: {
      'List-Unsubscribe': `<${links.unsubscribe(subscriber.id)}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
  if (digest.inlineImages.length > 0) email.inlineImages = digest.inlineImages;
  return email;
}

/** What `previewDigest` needs: no mailer, and nothing is written. */
export type PreviewDigestDeps = Pick<SendDigestsDeps, 'store' | 'explain' | 'links'>;

/** One subscriber's digest as it would be sent, without claiming, sending or recording anything. */
export interface DigestPreview {
  localDate: string;
  /** The end of the night covered. */
  asOf: Date;
  /** The email, or undefined for a quiet night the subscriber chose to skip. */
  email?: OutgoingEmail;
}

/**
 * Composes the digest `subscriber` would get for the night ending at their delivery time on or before
 * `input.asOf` (the same night a tick then would report), for previewing. Reads the store, writes nothing.
 */
export async function previewDigest(
  deps: PreviewDigestDeps,
  input: { subscriber: Subscriber; asOf: Date; historyDays: number },
): Promise<DigestPreview> {
  const due = lastDelivery(input.subscriber, input.asOf);
  const accounts = await deps.store.listAccounts();
  const fleet = await loadFleet(deps.store, accounts, due.asOf, input.historyDays);
  const explanation = deps.explain(fleet, due.asOf);
  const digest = composeDigest(await digestInputFor(deps, due, accounts, fleet, explanation));
  const preview: DigestPreview = { localDate: due.localDate, asOf: due.asOf };
  if (digest !== undefined) preview.email = digestEmail(deps.links, input.subscriber, digest);
  return preview;
}

/** The subscriber's latest delivery time at or before `instant`, and its local date. */
function lastDelivery(subscriber: Subscriber, instant: Date): DueSubscriber {
  // Walk back hour by hour to the local delivery hour: within a day, or two when DST skipped it.
  let hour = floorToHour(instant);
  for (let step = 0; step <= 49; step++) {
    const local = localDateAndHour(hour, subscriber.timeZone);
    if (local.hour === subscriber.deliveryHour) {
      return { subscriber, asOf: hour, localDate: local.date };
    }
    hour = new Date(hour.getTime() - HOUR_MS);
  }
  throw new RangeError(`no delivery hour ${subscriber.deliveryHour} in ${subscriber.timeZone}`);
}
