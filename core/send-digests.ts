/**
 * Use case: on each hourly tick, send the morning digest to every subscriber whose delivery hour has come.
 *
 * Primary course:
 * 1. Find the subscribers due: their local delivery hour is this hour, or was at most `catchUpHours` ago
 *    (so a tick that failed or was missed is made up by the next one).
 * 2. Explain each distinct night once for the accounts its subscribers follow (several accounts hit at once
 *    is evidence), and store it.
 * 3. Per subscriber: skip a suppressed address; claim the (subscriber, local date) marker; compose (with
 *    follow-ups on what the previous day's digest reported); send; record the message id and what the digest
 *    reported. The conditional claim makes retries and concurrent runs send one email; a claim whose run died
 *    is taken over after its lease; a send that failed in a retryable way gives the claim back.
 *
 * Subscribers who paused or unsubscribed are never due.
 *
 * The tick is fanned out: `planDigestJobs` (the tick) explains each night once, stores it per account and
 * sends one job per due subscriber to a queue; `sendDigestJobs` (the workers) sends them in batches. A night
 * whose subscribers follow more accounts than one invocation explains in its time is split by subscriber into
 * parts, each planned by an invocation of its own (`DigestPartJob`).
 */
import {
  type ComposedDigest,
  composeDigest,
  type DigestInput,
  reportDigest,
} from './digest/compose.ts';
import { CHART_DAYS } from './digest/likes-chart.ts';
import { MailerError } from './errors.ts';
import { fnv1a } from './hash.ts';
import {
  type Account,
  type AccountExplanation,
  type Cause,
  type DigestJob,
  type DigestPartJob,
  type DigestReport,
  type Explanation,
  type FleetAccount,
  type Poll,
  receivesDigests,
  type Subscriber,
} from './model.ts';
import { forEachLimited } from './poll-accounts.ts';
import type {
  ExplainFn,
  Mailer,
  NightStore,
  OutgoingEmail,
  Queue,
  Store,
  SuppressionList,
} from './ports.ts';
import { RAW_HISTORY_DAYS } from './thinned-history.ts';
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

interface DueSubscriber {
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

/**
 * Use case, fan-out side of the digest: finds the subscribers due at `input.scheduledTime`, explains each of
 * their nights once (for the whole fleet up to `WHOLE_FLEET_NIGHT_ACCOUNTS` accounts, else for the accounts the
 * night's subscribers follow) and stores it per account (unless an earlier tick did), then sends one job per
 * due subscriber to the digest queue. The night is stored before any job names it, so a worker always
 * finds it.
 *
 * With `deps.split`, a night whose subscribers follow more than `accountsPerInvocation` accounts is not
 * explained here: it is split by subscriber into parts, one job each on the part queue, and each part's
 * invocation (`input.part`) plans that share of the night the same way. The parts need no meeting point: each
 * explains the accounts its own subscribers follow, compared with each other (thousands of accounts, enough
 * to show a platform-wide drop), and sends its own digest jobs.
 */
export async function planDigestJobs(
  deps: PlanDigestJobsDeps,
  input: DigestTickInput,
): Promise<DigestTickSummary> {
  const summary: DigestTickSummary = {
    due: 0,
    nights: 0,
    explained: 0,
    accountsExplained: 0,
    enqueued: 0,
    losses: 0,
    slowdowns: 0,
    parts: 0,
  };
  let due = await dueSubscribers(deps.store, input);
  const { part } = input;
  if (part) {
    // Before the sent check, so each part looks up only its own subscribers' markers.
    const asOf = Date.parse(part.asOf);
    due = due.filter(
      (entry) =>
        entry.asOf.getTime() === asOf &&
        digestPartOf(entry.subscriber.id, part.parts) === part.part,
    );
  }
  due = await unsent(deps.store, due, input.scheduledTime);
  if (!part && deps.split) {
    const jobs = partJobs(due, deps.split.accountsPerInvocation, input.scheduledTime);
    if (jobs.length > 0) {
      await deps.split.queue.send(jobs);
      summary.parts = jobs.length;
      const splitNights = new Set(jobs.map((job) => Date.parse(job.asOf)));
      due = due.filter((entry) => !splitNights.has(entry.asOf.getTime()));
    }
  }
  if (due.length === 0) return summary;
  const nights = [...new Set(due.map((entry) => entry.asOf.getTime()))].map((ms) => new Date(ms));
  summary.nights = nights.length;
  let accounts: Map<string, Account> | undefined;
  // A small fleet whole (see WHOLE_FLEET_NIGHT_ACCOUNTS); a larger one, only the accounts each night's
  // subscribers follow: each delivery hour is a night of its own. A part of a split night is always the latter.
  const wholeFleetUpTo = Math.min(
    deps.wholeFleetUpTo ?? WHOLE_FLEET_NIGHT_ACCOUNTS,
    deps.split?.accountsPerInvocation ?? Number.POSITIVE_INFINITY,
  );
  const followed = followedByNight(due);
  const handedOff: DigestPartJob[] = [];
  for (const asOf of nights) {
    if (input.signal?.aborted) {
      // Not begun: the same share of it, in an invocation of its own.
      handedOff.push(...handOff(deps, input, asOf, [input.part ?? WHOLE_NIGHT]));
      continue;
    }
    accounts ??= new Map((await deps.store.listAccounts()).map((account) => [account.id, account]));
    let toExplain =
      !part && accounts.size <= wholeFleetUpTo
        ? [...accounts.values()]
        : [...(followed.get(asOf.getTime()) ?? [])].flatMap((id) => accounts?.get(id) ?? []);
    if ((await deps.nights.getNightWindow(asOf)) !== undefined) {
      // Stored by an earlier tick: explain only what it did not (subscribers who became due since).
      const stored = await deps.nights.getNightAccounts(
        asOf,
        toExplain.map((account) => account.id),
      );
      const storedIds = new Set(stored.map((part) => part.account.id));
      toExplain = toExplain.filter((account) => !storedIds.has(account.id));
      if (toExplain.length === 0) continue;
    }
    let explanation: Explanation;
    try {
      explanation = await explainNight(deps, toExplain, asOf, input, summary);
    } catch (error) {
      if (!(error instanceof OutOfTime)) throw error;
      const subscribers = due.filter((entry) => entry.asOf.getTime() === asOf.getTime()).length;
      handedOff.push(...handOff(deps, input, asOf, sharesToHandOn(subscribers, input.part)));
      continue;
    }
    const byId = new Map(explanation.accounts.map((entry) => [entry.id, entry]));
    await deps.nights.putNight({
      asOf,
      window: explanation.window,
      accounts: toExplain.flatMap((account) => {
        const explained = byId.get(account.id);
        return explained ? [{ account, explanation: explained }] : [];
      }),
    });
    summary.explained += 1;
    summary.accountsExplained += toExplain.length;
  }
  if (handedOff.length > 0) {
    await deps.split?.queue.send(handedOff);
    summary.parts += handedOff.length;
    const later = new Set(handedOff.map((job) => Date.parse(job.asOf)));
    due = due.filter((entry) => !later.has(entry.asOf.getTime()));
  }
  summary.due = due.length;
  const jobs = due.map(
    ({ subscriber, localDate, asOf }): DigestJob => ({
      kind: 'digest-subscriber',
      asOf: asOf.toISOString(),
      localDate,
      subscriber,
    }),
  );
  await deps.queue.send(jobs);
  summary.enqueued = jobs.length;
  return summary;
}

/**
 * The part (0 … `parts` − 1) of a split night that a subscriber belongs to: FNV-1a of the id, so every tick
 * and every part's invocation agree without storing the assignment.
 */
export function digestPartOf(subscriberId: string, parts: number): number {
  return fnv1a(subscriberId) % parts;
}

/** The part jobs of every night among `due` whose subscribers follow more than `accountsPerInvocation` accounts. */
function partJobs(
  due: readonly DueSubscriber[],
  accountsPerInvocation: number,
  scheduledTime: Date,
): DigestPartJob[] {
  return [...followedByNight(due)].flatMap(([asOf, accounts]) => {
    if (accounts.size <= accountsPerInvocation) return [];
    const parts = Math.ceil(accounts.size / accountsPerInvocation);
    const shares = Array.from({ length: parts }, (_, part) => ({ part, parts }));
    return partJobsOf(scheduledTime, new Date(asOf), shares);
  });
}

/** The part jobs of `shares` of the night ending `asOf`, as split by the tick of `scheduledTime`. */
function partJobsOf(
  scheduledTime: Date,
  asOf: Date,
  shares: ReadonlyArray<Pick<DigestPartJob, 'part' | 'parts'>>,
): DigestPartJob[] {
  return shares.map((share) => ({
    kind: 'digest-part',
    scheduledTime: scheduledTime.toISOString(),
    asOf: asOf.toISOString(),
    ...share,
  }));
}

/** Thrown by the history reads when the invocation's time is up (`DigestTickInput.signal`). */
class OutOfTime extends Error {}

/** A night handed over whole: every one of its due subscribers. */
const WHOLE_NIGHT = { part: 0, parts: 1 } as const;

/**
 * The part jobs that hand the night ending `asOf` over to other invocations, as `shares` of this invocation's
 * subscribers of it. Without a part queue there is nowhere to hand it: the invocation fails instead.
 */
function handOff(
  deps: Pick<PlanDigestJobsDeps, 'split'>,
  input: Pick<DigestTickInput, 'scheduledTime'>,
  asOf: Date,
  shares: ReadonlyArray<Pick<DigestPartJob, 'part' | 'parts'>>,
): DigestPartJob[] {
  if (!deps.split)
    throw new Error(`no time left to explain the night ending ${asOf.toISOString()}`);
  return partJobsOf(input.scheduledTime, asOf, shares);
}

/**
 * The shares of a night an invocation ran out of time on, for `subscribers` of it: the two halves of its part
 * (or of the whole night): the subscribers of part `k` of `n` are those of parts `k` and `k + n` of `2n`, since
 * a hash that leaves `k` modulo `n` leaves one of those two modulo `2n`.
 */
function sharesToHandOn(
  subscribers: number,
  part: Pick<DigestPartJob, 'part' | 'parts'> | undefined,
): Array<Pick<DigestPartJob, 'part' | 'parts'>> {
  if (subscribers <= 1) {
    // One subscriber's accounts cannot be split: a part fails, and the redrive policy tells; the tick hands the
    // night on whole, since a fresh invocation may make it (this one spent time on other nights).
    if (part) throw new Error('no time left to explain the night for its one subscriber');
    return [WHOLE_NIGHT];
  }
  const { part: k, parts: n } = part ?? WHOLE_NIGHT;
  return [
    { part: k, parts: 2 * n },
    { part: k + n, parts: 2 * n },
  ];
}

/** How one digest job ended: a counted outcome, or an error to deliver it again. */
export type DigestJobResult =
  | { done: true; outcome: DigestOutcome }
  | { done: false; error: unknown };

/** Counts of a batch of digest jobs (`retried`: jobs left for redelivery). */
export type DigestBatchSummary = Record<DigestOutcome | 'jobs' | 'retried', number>;

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

/** How a due digest ended (see {@link DigestRunSummary}). */
export type DigestOutcome = 'sent' | 'skipped' | 'alreadySent' | 'failed' | 'suppressed';

/**
 * The part of an explained night a digest reads: the window, and per account the account, its verdict and its
 * polls of the last days (at least `CHART_DAYS`).
 */
interface NightView {
  window: Explanation['window'];
  account(
    accountId: string,
  ): { account: Account; explanation: AccountExplanation; history: Poll[] } | undefined;
}

function nightFromHistories(
  accounts: readonly Account[],
  histories: readonly FleetAccount[],
  explanation: Explanation,
): NightView {
  return {
    window: explanation.window,
    account: (accountId) => {
      const account = accounts.find((candidate) => candidate.id === accountId);
      const explained = explanation.accounts.find((candidate) => candidate.id === accountId);
      const history = histories.find((candidate) => candidate.id === accountId);
      if (!account || !explained || !history) return undefined;
      return { account, explanation: explained, history: history.polls };
    },
  };
}

function countVerdicts(
  summary: { losses: number; slowdowns: number },
  explained: readonly AccountExplanation[],
): void {
  for (const entry of explained) {
    if (entry.verdict === 'loss') summary.losses += 1;
    if (entry.verdict === 'slowdown') summary.slowdowns += 1;
  }
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

/** The subscribers due at the input's tick, with their night. */
async function dueSubscribers(
  store: Pick<Store, 'listSubscribers'>,
  input: Pick<DigestTickInput, 'scheduledTime' | 'catchUpHours'>,
): Promise<DueSubscriber[]> {
  return findDue(await store.listSubscribers(), input.scheduledTime, input.catchUpHours ?? 3);
}

/**
 * Explains one night for `accounts` and counts its verdicts into `summary`. Each history goes to the engine
 * as it is read and is let go after, so the tick's memory holds a few histories, not the fleet's.
 */
async function explainNight(
  deps: { store: Pick<Store, 'listPolls'>; explain: ExplainFn },
  accounts: Account[],
  asOf: Date,
  input: Pick<DigestTickInput, 'historyDays' | 'signal'>,
  summary: { losses: number; slowdowns: number },
): Promise<Explanation> {
  const night = deps.explain(asOf);
  await readHistories(
    deps.store,
    accounts,
    asOf,
    input.historyDays,
    (history) => night.add(history),
    input.signal,
  );
  const explanation = night.finish();
  countVerdicts(summary, explanation.accounts);
  return explanation;
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

/** How a digest finds whether its address is suppressed, and what yesterday's digest reported. */
interface DigestLookups {
  isSuppressed(email: string): Promise<boolean>;
  previousReport(subscriberId: string, localDate: string): Promise<DigestReport | undefined>;
}

/** Lookups that ask the store for each digest. */
function directLookups(deps: Pick<SendDigestJobsDeps, 'store' | 'suppressions'>): DigestLookups {
  return {
    isSuppressed: async (email) => (await deps.suppressions?.isSuppressed(email)) ?? false,
    previousReport: (subscriberId, localDate) =>
      deps.store.getDigestReport(subscriberId, localDate),
  };
}

/** Lookups answered from one read per kind for a batch of jobs, where the store can read many at once. */
async function batchLookups(
  deps: Pick<SendDigestJobsDeps, 'store' | 'suppressions'>,
  jobs: readonly DigestJob[],
): Promise<DigestLookups> {
  const direct = directLookups(deps);
  const suppressions = deps.suppressions;
  const suppressed = suppressions?.listSuppressed
    ? await suppressions.listSuppressed(jobs.map((job) => job.subscriber.email))
    : undefined;
  const reports = deps.store.getDigestReports
    ? await deps.store.getDigestReports(
        jobs.map((job) => ({
          subscriberId: job.subscriber.id,
          localDate: addDays(job.localDate, -1),
        })),
      )
    : undefined;
  return {
    isSuppressed: async (email) =>
      suppressed ? suppressed.has(email) : direct.isSuppressed(email),
    previousReport: async (subscriberId, localDate) =>
      reports
        ? reports.get(`${subscriberId}/${localDate}`)
        : direct.previousReport(subscriberId, localDate),
  };
}

/** The accounts the subscribers of each night follow, by the night's end (epoch milliseconds). */
function followedByNight(
  entries: ReadonlyArray<{ asOf: Date | string; subscriber: Subscriber }>,
): Map<number, Set<string>> {
  const byNight = new Map<number, Set<string>>();
  for (const { asOf, subscriber } of entries) {
    const night = new Date(asOf).getTime();
    const followed = byNight.get(night) ?? new Set<string>();
    for (const accountId of subscriber.accountIds) followed.add(accountId);
    byNight.set(night, followed);
  }
  return byNight;
}

/**
 * The due subscribers whose digest is not marked sent yet. A subscriber stays due for a few hours after their
 * delivery hour (so a failed send is retried by the next tick); once sent, later ticks leave them out. Only
 * those past their delivery hour are looked up: nothing sends a digest before its first tick.
 */
async function unsent(
  store: Pick<Store, 'listSentDigests'>,
  due: DueSubscriber[],
  tick: Date,
): Promise<DueSubscriber[]> {
  const late = due.filter((entry) => entry.asOf.getTime() < floorToHour(tick).getTime());
  if (late.length === 0) return due;
  const sent = await store.listSentDigests(
    late.map((entry) => ({ subscriberId: entry.subscriber.id, localDate: entry.localDate })),
  );
  return due.filter((entry) => !sent.has(`${entry.subscriber.id}/${entry.localDate}`));
}

/**
 * History reads in flight while a night is explained (the SDK's default HTTP agent has 50 sockets), and so
 * the most histories held at once.
 */
const HISTORY_READS_AHEAD = 32;

/**
 * Reads each account's history for the night ending at `asOf` (the last days poll by poll, the rest from the
 * daily roll-ups) and hands it to `use` in the accounts' order, keeping {@link HISTORY_READS_AHEAD} reads in
 * flight: one query per account all at once would queue the whole fleet's requests in the SDK for no gain,
 * and hold every history until the last arrived.
 */
async function readHistories(
  store: Pick<Store, 'listPolls'>,
  accounts: readonly Account[],
  asOf: Date,
  historyDays: number,
  use: (history: FleetAccount) => void,
  signal?: AbortSignal,
): Promise<void> {
  const from = new Date(asOf.getTime() - historyDays * DAY_MS);
  const thinBefore = new Date(asOf.getTime() - RAW_HISTORY_DAYS * DAY_MS);
  const read = (account: Account): Promise<FleetAccount> => {
    const history = store.listPolls(account.id, from, asOf, thinBefore).then((polls) => ({
      platform: account.platform,
      id: account.id,
      handle: account.handle,
      polls,
    }));
    // Awaited in turn below; until then a failed read must not count as an unhandled rejection.
    history.catch(() => undefined);
    return history;
  };
  const ahead: Array<Promise<FleetAccount>> = [];
  let next = 0;
  while (next < accounts.length && ahead.length < HISTORY_READS_AHEAD) {
    ahead.push(read(accounts[next++] as Account));
  }
  while (ahead.length > 0) {
    if (signal?.aborted) throw new OutOfTime();
    const history = await (ahead.shift() as Promise<FleetAccount>);
    if (next < accounts.length) ahead.push(read(accounts[next++] as Account));
    use(history);
  }
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
async function digestInputFor(
  deps: Pick<SendDigestJobsDeps, 'store' | 'links'>,
  { subscriber, localDate, asOf }: DueSubscriber,
  night: NightView,
  lookups: Pick<DigestLookups, 'previousReport'> = directLookups(deps),
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
      feedback: (accountId, cause) => deps.links.feedback(subscriber.id, accountId, nightId, cause),
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
export type PreviewDigestDeps = Pick<SendDigestJobsDeps, 'store' | 'links'> & {
  explain: ExplainFn;
};

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
  const histories: FleetAccount[] = [];
  const explainer = deps.explain(due.asOf);
  await readHistories(deps.store, accounts, due.asOf, input.historyDays, (history) => {
    histories.push(history);
    explainer.add(history);
  });
  const night = nightFromHistories(accounts, histories, explainer.finish());
  const digest = composeDigest(await digestInputFor(deps, due, night));
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
