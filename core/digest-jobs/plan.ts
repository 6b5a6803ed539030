/** The digest tick's side: who is due, explaining each night once, and splitting nights too large for one run. */
import { fnv1a } from '../hash.ts';
import {
  type Account,
  type AccountExplanation,
  type DigestJob,
  type DigestPartJob,
  type Explanation,
  receivesDigests,
  type Subscriber,
} from '../model.ts';
import type { ExplainFn, Store } from '../ports.ts';
import { floorToHour, HOUR_MS, localDateAndHour } from '../time.ts';
import { followedByNight, OutOfTime, readHistories } from './night-parts.ts';
import {
  type DigestTickInput,
  type DigestTickSummary,
  type DueSubscriber,
  type PlanDigestJobsDeps,
  WHOLE_FLEET_NIGHT_ACCOUNTS,
} from './types.ts';

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

function countVerdicts(
  summary: { losses: number; slowdowns: number },
  explained: readonly AccountExplanation[],
): void {
  for (const entry of explained) {
    if (entry.verdict === 'loss') summary.losses += 1;
    if (entry.verdict === 'slowdown') summary.slowdowns += 1;
  }
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
