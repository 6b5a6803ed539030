/**
 * Use case: poll every watched account once for a poll slot and store what came back.
 *
 * Primary course:
 * 1. List the watched accounts.
 * 2. Ask the stats source for each (a few at a time); per-account trouble comes back as a failed or partial
 *    poll with a reason, so every account ends the run with a stored poll.
 * 3. Store each poll under its slot, so a retried run overwrites rather than duplicates.
 * 4. Mark accounts that need re-authorization, so the digest and operators are told.
 */
import type { Account, Poll } from './model.ts';
import type { StatsSource, Store } from './ports.ts';

/** What `pollAccounts` needs. */
export interface PollAccountsDeps {
  store: Store;
  source: StatsSource;
}

/** One poll run: the slot (the schedule's time) and how many accounts to poll at once. */
export interface PollAccountsInput {
  slot: Date;
  concurrency: number;
  signal?: AbortSignal;
}

/** Counts of what a poll run stored. */
export interface PollRunSummary {
  accounts: number;
  ok: number;
  partial: number;
  failed: number;
  needsReauthorization: number;
}

/** Polls every account for `input.slot` and stores the results; store failures propagate (the run retries). */
export async function pollAccounts(
  deps: PollAccountsDeps,
  input: PollAccountsInput,
): Promise<PollRunSummary> {
  const accounts = await deps.store.listAccounts();
  const slot = input.slot.toISOString();
  const summary: PollRunSummary = {
    accounts: accounts.length,
    ok: 0,
    partial: 0,
    failed: 0,
    needsReauthorization: 0,
  };

  await forEachLimited(accounts, input.concurrency, async (account) => {
    const outcome = await pollOne(deps.source, account, input.slot, input.signal);
    await deps.store.putPoll(account.id, slot, outcome.poll);
    if (outcome.accountStatus && outcome.accountStatus !== account.status) {
      await deps.store.setAccountStatus(account.id, outcome.accountStatus);
    }
    summary[outcome.poll.status] += 1;
    if ((outcome.accountStatus ?? account.status) === 'needs_reauthorization') {
      summary.needsReauthorization += 1;
    }
  });
  return summary;
}

/** A source that throws instead of reporting still yields a recorded failure, never a missing account. */
async function pollOne(
  source: StatsSource,
  account: Account,
  at: Date,
  signal?: AbortSignal,
): Promise<{ poll: Poll; accountStatus?: Account['status'] }> {
  try {
    return await source.poll(account, at, signal);
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
