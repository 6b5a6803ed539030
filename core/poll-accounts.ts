/**
 * Use case: poll every watched account once for a poll slot and store what came back. The run is fanned out:
 * `planPollJobs` (the tick) sends one job per account due to a queue and `pollAccountJobs` (the workers) polls
 * them in batches. When each account is due: `poll-schedule.ts`.
 *
 * Primary course:
 * 1. List the accounts due and queue a job each; a worker lets the source plan its batch (a daily quota is
 *    shared out up front).
 * 2. Ask the stats source for each (a few at a time); per-account trouble comes back as a failed or partial
 *    poll with a reason, so every account ends the run with a stored poll.
 * 3. Store each poll under its slot, so a retried run overwrites rather than duplicates (a worker's batch
 *    together, in as few requests as the store can).
 * 4. Mark accounts that need re-authorization, so the digest and operators are told, and follow renames.
 *
 * When the batch's signal aborts (the function is about to time out), jobs not yet started come back not done
 * and the queue delivers them again: what was not done is retried, never silently skipped.
 */

import { type Account, isTikTokHandle, type Poll, type PollJob } from './model.ts';
import { coversEveryAccount, dueMinutes, type TickSpan } from './poll-schedule.ts';
import type {
  HandleHistory,
  PollHints,
  PollOutcome,
  PollToStore,
  Queue,
  StatsSource,
  Store,
} from './ports.ts';
import { HOUR_MS } from './time.ts';

/** What `pollAccountJobs` needs: the store polls (and renames) go to, and the source they come from. */
export interface PollAccountJobsDeps {
  store: Store & Pick<HandleHistory, 'recordHandle'>;
  source: StatsSource;
}

/** Counts of what a batch of poll jobs stored. */
export interface PollRunSummary {
  accounts: number;
  ok: number;
  partial: number;
  failed: number;
  needsReauthorization: number;
  /** Jobs the batch did not finish (not started before the deadline, or not stored): delivered again. */
  notReached: number;
  /** Items TikTok sent that failed validation and were left out of the polls (see `Poll.rejected`). */
  rejectedItems: number;
}

/** How far back the known video ids are looked for: a few days of polls cover any cadence. */
const KNOWN_VIDEOS_LOOKBACK_MS = 72 * HOUR_MS;

/** What `planPollJobs` needs: the accounts to poll and the queue their jobs go to. */
export interface PlanPollJobsDeps {
  store: Pick<Store, 'listAccounts' | 'listAccountsInPollMinutes'>;
  queue: Queue<PollJob>;
}

/** What a poll tick did. */
export interface PollTickSummary {
  accounts: number;
  enqueued: number;
}

/**
 * Use case, fan-out side: one job per account due in the tick (see `poll-schedule.ts`: every account when the
 * tick covers the whole cadence), for the tick's slot, sent to the poll queue. Sending the same slot again
 * (a retried tick) only makes workers overwrite the same polls.
 */
export async function planPollJobs(
  deps: PlanPollJobsDeps,
  input: TickSpan,
): Promise<PollTickSummary> {
  const accounts = await accountsDue(deps.store, input);
  const slot = input.slot.toISOString();
  const jobs = accounts.map((account): PollJob => ({ kind: 'poll-account', slot, account }));
  await deps.queue.send(jobs);
  return { accounts: accounts.length, enqueued: jobs.length };
}

/** The accounts due in the tick: every account, or those whose poll minute the tick covers. */
async function accountsDue(store: PlanPollJobsDeps['store'], tick: TickSpan): Promise<Account[]> {
  if (coversEveryAccount(tick)) return store.listAccounts();
  return store.listAccountsInPollMinutes(dueMinutes(tick));
}

/** The result of one poll job: the stored poll's status, or why the job must be delivered again. */
export type PollJobResult =
  | { done: true; status: Poll['status']; needsReauthorization: boolean; rejectedItems: number }
  | { done: false; error: unknown };

/**
 * Use case, worker side: polls and stores the account of each job (a queue batch), a few at a time. A job
 * whose store write failed, or that was not started before `signal` aborted, comes back `done: false` so the
 * queue delivers it again; per-account TikTok trouble is a stored `failed` poll, not a retry.
 */
export async function pollAccountJobs(
  deps: PollAccountJobsDeps,
  jobs: readonly PollJob[],
  input: { concurrency: number; signal?: AbortSignal },
): Promise<PollJobResult[]> {
  const results: PollJobResult[] = new Array(jobs.length);
  // A source with a daily budget plans per batch; each poll still checks the shared ledger itself.
  const bySlot = new Map<string, Account[]>();
  for (const job of jobs) bySlot.set(job.slot, [...(bySlot.get(job.slot) ?? []), job.account]);
  for (const [slot, accounts] of bySlot) await prepareSource(deps.source, accounts, new Date(slot));
  const polled: Array<Polled & { index: number }> = [];
  await forEachLimited(
    jobs.map((job, index) => ({ job, index })),
    input.concurrency,
    async ({ job, index }) => {
      if (input.signal?.aborted) {
        results[index] = { done: false, error: new Error('not started before the deadline') };
        return;
      }
      const at = new Date(job.slot);
      polled.push({
        index,
        account: job.account,
        at,
        outcome: await pollAccount(deps.source, job.account, at, {
          signal: input.signal,
          hints: storeHints(deps.store, job.account, at),
        }),
      });
    },
  );
  // The batch's polls are stored together: one batch write instead of a request per account.
  const stored = await storeOutcomes(deps.store, polled);
  polled.forEach(({ index }, position) => {
    results[index] = stored[position] as PollJobResult;
  });
  return results;
}

/** Counts of a batch of poll job results, in the shape of a run summary (`notReached`: left for redelivery). */
export function summarizePollJobs(results: readonly PollJobResult[]): PollRunSummary {
  const summary = emptyPollSummary();
  for (const result of results) {
    summary.accounts += 1;
    if (result.done) countPoll(summary, result);
    else summary.notReached += 1;
  }
  return summary;
}

/** A summary of no poll jobs, to add runs to. */
export function emptyPollSummary(): PollRunSummary {
  return {
    accounts: 0,
    ok: 0,
    partial: 0,
    failed: 0,
    needsReauthorization: 0,
    notReached: 0,
    rejectedItems: 0,
  };
}

/** Adds one run's counts to `total` (several runs reported as one). */
export function addPollRun(total: PollRunSummary, run: PollRunSummary): void {
  for (const key of Object.keys(total) as (keyof PollRunSummary)[]) total[key] += run[key];
}

function countPoll(summary: PollRunSummary, result: Extract<PollJobResult, { done: true }>): void {
  summary[result.status] += 1;
  summary.rejectedItems += result.rejectedItems;
  if (result.needsReauthorization) summary.needsReauthorization += 1;
}

/**
 * Lets the source plan a run over `accounts` (a daily quota is shared out up front). Never throws: planning is
 * an optimisation, and without it each poll still checks its own budget and records a reason.
 */
export async function prepareSource(
  source: StatsSource,
  accounts: readonly Account[],
  slot: Date,
): Promise<void> {
  try {
    await source.prepare(accounts, slot);
  } catch {
    // See above: each poll still checks its own budget.
  }
}

/** One account's poll as the source answered it, before it is stored. */
interface Polled {
  account: Account;
  at: Date;
  outcome: PollOutcome;
}

type StoredResult = Extract<PollJobResult, { done: true }>;

/**
 * The storing step of a batch: stores each poll under its slot (all together, in as few requests as the store
 * can), then what the source learned about each account (re-authorization needed, a rename). A failure comes
 * back as the account's result, so the others are kept.
 */
async function storeOutcomes(
  store: PollAccountJobsDeps['store'],
  polled: readonly Polled[],
): Promise<PollJobResult[]> {
  const entries: PollToStore[] = polled.map(({ account, at, outcome }) => ({
    accountId: account.id,
    slot: at.toISOString(),
    poll: outcome.poll,
    watchedSince: account.addedAt,
  }));
  const errors = await store.putPolls(entries);
  return Promise.all(
    polled.map(async ({ account, at, outcome }, index) => {
      const error = errors[index];
      if (error !== undefined) return { done: false as const, error };
      try {
        return await recordAccountChanges(store, account, at, outcome);
      } catch (failure) {
        return { done: false as const, error: failure };
      }
    }),
  );
}

/** After the poll is stored: the account's new status and handle, when the source saw them change. */
async function recordAccountChanges(
  store: PollAccountJobsDeps['store'],
  account: Account,
  at: Date,
  outcome: PollOutcome,
): Promise<StoredResult> {
  if (outcome.accountStatus && outcome.accountStatus !== account.status) {
    await store.setAccountStatus(account.id, outcome.accountStatus);
  }
  // A rename is taken only when the source showed a valid username; the poll itself is kept either way.
  if (outcome.handle && outcome.handle !== account.handle && isTikTokHandle(outcome.handle)) {
    await store.recordHandle(account.id, outcome.handle, at);
  }
  return {
    done: true,
    status: outcome.poll.status,
    needsReauthorization: (outcome.accountStatus ?? account.status) === 'needs_reauthorization',
    rejectedItems: outcome.poll.status === 'partial' ? (outcome.poll.rejected?.length ?? 0) : 0,
  };
}

/**
 * One account's poll, as every poll run takes it: the source's answer, or a recorded failure when the source
 * throws instead of reporting (never a missing account).
 */
export async function pollAccount(
  source: StatsSource,
  account: Account,
  at: Date,
  options: { signal?: AbortSignal | undefined; hints?: PollHints } = {},
): Promise<PollOutcome> {
  try {
    return await source.poll(account, at, options.signal, options.hints);
  } catch (error) {
    return {
      poll: {
        at: at.toISOString(),
        status: 'failed',
        reason: 'network_error',
        detail: error instanceof Error ? error.message : String(error),
      },
    };
  }
}

/** What the store knows of the account for a poll at `at`, read only if the source asks. */
function storeHints(store: Store, account: Account, at: Date): PollHints {
  return { knownVideoIds: () => knownVideoIds(store, account.id, at) };
}

/**
 * The videos the account is known to have before `at`: those of the latest `ok` poll plus any listed by usable
 * polls since (an `ok` poll lists everything, so older ones add nothing that is still public).
 */
export async function knownVideoIds(store: Store, accountId: string, at: Date): Promise<string[]> {
  const polls = await store.listPolls(
    accountId,
    new Date(at.getTime() - KNOWN_VIDEOS_LOOKBACK_MS),
    new Date(at.getTime() - 1),
  );
  const lastOk = polls.findLastIndex((poll) => poll.status === 'ok');
  const ids = new Set<string>();
  for (const poll of polls.slice(Math.max(0, lastOk)) as Poll[]) {
    if (poll.status === 'failed') continue;
    for (const video of poll.videos) ids.add(video.id);
  }
  return [...ids];
}

/** Runs `task` over `items` with at most `limit` in flight; the first rejection rejects the whole run. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
