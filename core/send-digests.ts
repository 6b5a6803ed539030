/**
 * Use case: on each hourly tick, send the morning digest to every subscriber whose delivery hour has come.
 *
 * Primary course:
 * 1. Find the subscribers due: their local delivery hour is this hour, or was at most `catchUpHours` ago
 *    (so a tick that failed or was missed is made up by the next one).
 * 2. Explain each distinct night once for the whole fleet (several accounts hit at once is evidence).
 * 3. Per subscriber: claim the (subscriber, local date) marker, compose, send, record the message id. The
 *    conditional claim makes retries and concurrent runs send one email; a claim whose run died is taken over
 *    after its lease; a send that failed in a retryable way gives the claim back.
 */
import { composeDigest, type DigestInput } from './digest/compose.ts';
import { MailerError } from './errors.ts';
import type { Account, Explanation, Fleet, FleetAccount, Subscriber } from './model.ts';
import { forEachLimited } from './poll-accounts.ts';
import type { ExplainFn, Mailer, Store } from './ports.ts';
import { DAY_MS, floorToHour, HOUR_MS, localDateAndHour } from './time.ts';

/** Builds the signed links a digest carries for one subscriber. */
export interface SubscriberLinks {
  preferences(subscriberId: string): string;
  unsubscribe(subscriberId: string): string;
  reconnect(accountId: string): string;
}

/** What `sendDueDigests` needs. */
export interface SendDigestsDeps {
  store: Store;
  mailer: Mailer;
  explain: ExplainFn;
  links: SubscriberLinks;
  /** Only for the claim lease; the night itself comes from the tick's scheduled time. */
  now: () => Date;
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
  { subscriber, localDate, asOf }: DueSubscriber,
  accounts: Account[],
  fleet: Fleet,
  explanation: Explanation,
): Promise<'sent' | 'skipped' | 'alreadySent' | 'failed'> {
  if (!(await deps.store.claimDigest(subscriber.id, localDate, deps.now()))) return 'alreadySent';

  const input: DigestInput = {
    subscriber,
    localDate,
    window: explanation.window,
    accounts: subscriber.accountIds.flatMap((accountId) => {
      const account = accounts.find((candidate) => candidate.id === accountId);
      const explained = explanation.accounts.find((candidate) => candidate.id === accountId);
      const history = fleet.accounts.find((candidate) => candidate.id === accountId);
      if (!account || !explained || !history) return [];
      const since = asOf.getTime() - 2 * DAY_MS;
      return [
        {
          account,
          explanation: explained,
          polls: history.polls.filter((poll) => Date.parse(poll.at) >= since),
        },
      ];
    }),
    links: {
      preferences: deps.links.preferences(subscriber.id),
      unsubscribe: deps.links.unsubscribe(subscriber.id),
      reconnect: (accountId) => deps.links.reconnect(accountId),
    },
  };
  const digest = composeDigest(input);
  if (!digest) {
    await deps.store.markDigestSent(subscriber.id, localDate, 'skipped');
    return 'skipped';
  }
  try {
    const unsubscribe = deps.links.unsubscribe(subscriber.id);
    const messageId = await deps.mailer.send({
      to: subscriber.email,
      subject: digest.subject,
      text: digest.text,
      html: digest.html,
      headers: {
        // RFC 8058 one-click unsubscribe.
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    await deps.store.markDigestSent(subscriber.id, localDate, messageId);
    return 'sent';
  } catch (error) {
    if (error instanceof MailerError && error.retryable) {
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
