/** The digest workers' side: claiming, composing and sending each due subscriber's digest, and the counts. */
import {
  type ComposedDigest,
  composeDigest,
  type DigestInput,
  reportDigest,
} from '../digest/compose.ts';
import { CHART_DAYS } from '../digest/likes-chart.ts';
import { MailerError } from '../errors.ts';
import type { DigestJob, DigestReport, Subscriber } from '../model.ts';
import { forEachLimited } from '../poll-accounts.ts';
import type { OutgoingEmail } from '../ports.ts';
import { addDays, DAY_MS } from '../time.ts';
import { followedByNight, type NightView } from './night-parts.ts';
import type {
  DigestBatchSummary,
  DigestJobResult,
  DigestOutcome,
  DigestRunSummary,
  DigestTickSummary,
  DueSubscriber,
  SendDigestJobsDeps,
  SubscriberLinks,
} from './types.ts';

/**
 * Use case, worker side: sends the digest of each job (a queue batch), a few at a time. Each job reads only
 * its subscriber's accounts of the stored night and their last days of polls; what several jobs of the batch
 * share is read once. A job that threw (store trouble, a night not stored) comes back `done: false` so the
 * queue delivers it again; the claim keeps a redelivered job from sending twice.
 */
export async function sendDigestJobs(
  deps: SendDigestJobsDeps,
  jobs: readonly DigestJob[],
  input: { concurrency?: number } = {},
): Promise<DigestJobResult[]> {
  const windows = memoize((asOf: string) => deps.nights.getNightWindow(new Date(asOf)));
  // Suppressions and yesterday's reports of the whole batch, each in one read.
  let batchRead: Promise<DigestLookups> | undefined;
  const lookups = () => {
    batchRead ??= batchLookups(deps, jobs);
    return batchRead;
  };
  // The stored night of every account the batch's subscribers follow, read together per night.
  const followed = followedByNight(jobs);
  const nightParts = memoize(async (asOf: string) => {
    const ids = [...(followed.get(Date.parse(asOf)) ?? [])];
    const found = await deps.nights.getNightAccounts(new Date(asOf), ids);
    return new Map(found.map((part) => [part.account.id, part]));
  });
  const parts = memoize(async (key: string) => {
    const [asOf, accountId] = JSON.parse(key) as [string, string];
    const part = (await nightParts(asOf)).get(accountId);
    if (!part) return undefined;
    const polls = await deps.store.listPolls(
      accountId,
      new Date(Date.parse(asOf) - CHART_DAYS * DAY_MS),
      new Date(asOf),
    );
    return { ...part, history: polls };
  });
  const results: DigestJobResult[] = [];
  await forEachLimited(
    jobs.map((job, index) => ({ job, index })),
    input.concurrency ?? 4,
    async ({ job, index }) => {
      try {
        const window = await windows(job.asOf);
        if (!window) throw new Error(`the night ending ${job.asOf} has not been explained`);
        const accounts = await Promise.all(
          job.subscriber.accountIds.map((id) => parts(JSON.stringify([job.asOf, id]))),
        );
        const night: NightView = {
          window,
          account: (id) => accounts.find((part) => part?.account.id === id),
        };
        const due = {
          subscriber: job.subscriber,
          localDate: job.localDate,
          asOf: new Date(job.asOf),
        };
        results[index] = {
          done: true,
          outcome: await sendOne(deps, due, night, await lookups()),
        };
      } catch (error) {
        results[index] = { done: false, error };
      }
    },
  );
  return results;
}

/** Counts of a batch of digest job results. */
export function summarizeDigestJobs(results: readonly DigestJobResult[]): DigestBatchSummary {
  const summary: DigestBatchSummary = {
    jobs: results.length,
    sent: 0,
    skipped: 0,
    alreadySent: 0,
    failed: 0,
    suppressed: 0,
    retried: 0,
  };
  for (const result of results) summary[result.done ? result.outcome : 'retried'] += 1;
  return summary;
}

/**
 * One run's counts from its tick's and its worker batches' (added up); `undelivered` jobs never ended (dead-
 * lettered, or left for a redelivery that will not come) and count as failed.
 */
export function summarizeDigestRun(
  tick: Pick<DigestTickSummary, 'due' | 'losses' | 'slowdowns'>,
  batches: Partial<Record<DigestOutcome, number>>,
  undelivered: number,
): DigestRunSummary {
  return {
    due: tick.due,
    sent: batches.sent ?? 0,
    skipped: batches.skipped ?? 0,
    alreadySent: batches.alreadySent ?? 0,
    failed: (batches.failed ?? 0) + undelivered,
    suppressed: batches.suppressed ?? 0,
    losses: tick.losses,
    slowdowns: tick.slowdowns,
  };
}

/** Caches an async lookup by key for the life of one batch (the promise, so concurrent callers share it). */
function memoize<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let value = cache.get(key);
    if (!value) {
      value = load(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** How a digest finds whether its address is suppressed, and what yesterday's digest reported. */
interface DigestLookups {
  isSuppressed(email: string): Promise<boolean>;
  previousReport(subscriberId: string, localDate: string): Promise<DigestReport | undefined>;
}

/** Lookups answered from one read per kind for a batch of jobs. */
async function batchLookups(
  deps: Pick<SendDigestJobsDeps, 'store' | 'suppressions'>,
  jobs: readonly DigestJob[],
): Promise<DigestLookups> {
  const suppressed = deps.suppressions
    ? await deps.suppressions.listSuppressed(jobs.map((job) => job.subscriber.email))
    : new Set<string>();
  const reports = await deps.store.getDigestReports(
    jobs.map((job) => ({ subscriberId: job.subscriber.id, localDate: addDays(job.localDate, -1) })),
  );
  return {
    isSuppressed: async (email) => suppressed.has(email),
    previousReport: async (subscriberId, localDate) => reports.get(`${subscriberId}/${localDate}`),
  };
}

async function sendOne(
  deps: Omit<SendDigestJobsDeps, 'nights'>,
  due: DueSubscriber,
  night: NightView,
  lookups: DigestLookups,
): Promise<DigestOutcome> {
  const { subscriber, localDate } = due;
  // Checked before claiming, so an address taken off the list later still gets that day's digest.
  if (await lookups.isSuppressed(subscriber.email)) return 'suppressed';
  if (!(await deps.store.claimDigest(subscriber.id, localDate, deps.now()))) return 'alreadySent';

  const input = await digestInputFor(deps, due, night, lookups);
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
export async function digestInputFor(
  deps: Pick<SendDigestJobsDeps, 'store' | 'links'>,
  { subscriber, localDate, asOf }: DueSubscriber,
  night: NightView,
  lookups: Pick<DigestLookups, 'previousReport'> = {
    // One digest alone (a preview): yesterday's report read on its own.
    previousReport: (subscriberId, date) => deps.store.getDigestReport(subscriberId, date),
  },
): Promise<DigestInput> {
  // The night's end identifies it in feedback links (whole seconds: shorter links, same instant).
  const nightId = asOf.toISOString().replace('.000Z', 'Z');
  const previousReport = await lookups.previousReport(subscriber.id, addDays(localDate, -1));
  const input: DigestInput = {
    subscriber,
    localDate,
    window: night.window,
    accounts: subscriber.accountIds.flatMap((accountId) => {
      const part = night.account(accountId);
      if (!part) return [];
      const since = (days: number) => asOf.getTime() - days * DAY_MS;
      return [
        {
          account: part.account,
          explanation: part.explanation,
          polls: part.history.filter((poll) => Date.parse(poll.at) >= since(2)),
          history: part.history.filter((poll) => Date.parse(poll.at) >= since(CHART_DAYS)),
        },
      ];
    }),
    links: {
      preferences: deps.links.preferences(subscriber.id),
      unsubscribe: deps.links.unsubscribe(subscriber.id),
      reconnect: (accountId) => deps.links.reconnect(accountId),
      history: (accountId) => deps.links.history(subscriber.id, accountId),
      feedback: (accountId, cause) => deps.links.feedback(subscriber.id, accountId, nightId, cause),
    },
  };
  if (previousReport !== undefined) input.previousReport = previousReport;
  return input;
}

/** The email for a composed digest, with the RFC 8058 one-click unsubscribe headers. */
export function digestEmail(
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
