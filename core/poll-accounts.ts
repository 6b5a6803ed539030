/**
 * Use case: poll every watched account once for a poll slot and store what came back.
 *
 * Primary course:
 * 1. List the watched accounts and let the source plan the run (a daily quota is shared out up front).
 * 2. Ask the stats source for each (a few at a time); per-account trouble comes back as a failed or partial
 *    poll with a reason, so every account ends the run with a stored poll.
 * 3. Store each poll under its slot, so a retried run overwrites rather than duplicates.
 * 4. Mark accounts that need re-authorization, so the digest and operators are told, and follow renames.
 *
 * When the run's signal aborts (the function is about to time out), accounts not yet started are stored as
 * `failed` with reason `not_reached`: what was not done is recorded, never silently skipped.
 */

import type { Account, Poll } from './model.ts';
import type { PollHints, PollOutcome, StatsSource, Store } from './ports.ts';
import { HOUR_MS } from './time.ts';

/** What `pollAccounts` needs. */
export interface PollAccountsDeps {
  store: Store;
  source: StatsSource;
}

/** One poll run: the slot (the schedule's time) and how many accounts to poll at once. */
export interface PollAccountsInput {
  slot: Date;
  concurrency: number;
  /** Aborts before the run's deadline: in-flight polls stop, accounts not started get `not_reached`. */
  signal?: AbortSignal;
}

/** Counts of what a poll run stored. */
export interface PollRunSummary {
  accounts: number;
  ok: number;
  partial: number;
  failed: number;
  needsReauthorization: number;
  /** Accounts the run stopped before (also counted in `failed`). */
  notReached: number;
}

/** How far back the known video ids are looked for: a few days of polls cover any cadence. */
const KNOWN_VIDEOS_LOOKBACK_MS = 72 * HOUR_MS;

/**
 * A store that can record a rename with its history; used when present, else the account is rewritten with
 * the new handle.
 */
type HandleRecordingStore = Store & {
  recordHandle?: (accountId: string, handle: string, at: Date) => Promise<void>;
};

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
    notReached: 0,
  };
  try {
    await deps.source.prepare?.(accounts, input.slot);
  } catch {
    // Planning is an optimisation: without it each poll still checks its own budget and records a reason.
  }

  await forEachLimited(accounts, input.concurrency, async (account) => {
    const outcome = input.signal?.aborted
      ? notReached(input.slot, input.signal)
      : await pollOne(deps, account, input.slot, input.signal);
    await deps.store.putPoll(account.id, slot, outcome.poll);
    if (outcome.accountStatus && outcome.accountStatus !== account.status) {
      await deps.store.setAccountStatus(account.id, outcome.accountStatus);
    }
    if (outcome.handle && outcome.handle !== account.handle) {
      // Keep a status change made just above when the account item is rewritten.
      const current = { ...account, status: outcome.accountStatus ?? account.status };
      await recordHandle(deps.store, current, outcome.handle, input.slot);
    }
    summary[outcome.poll.status] += 1;
    if (outcome.poll.status === 'failed' && outcome.poll.reason === 'not_reached') {
      summary.notReached += 1;
    }
    if ((outcome.accountStatus ?? account.status) === 'needs_reauthorization') {
      summary.needsReauthorization += 1;
    }
  });
  return summary;
}

function notReached(at: Date, signal: AbortSignal): PollOutcome {
  const why = signal.reason instanceof Error ? signal.reason.message : 'the run was stopped';
  return {
    poll: {
      at: at.toISOString(),
      status: 'failed',
      reason: 'not_reached',
      detail: `not polled: ${why}`,
    },
  };
}

/** A source that throws instead of reporting still yields a recorded failure, never a missing account. */
async function pollOne(
  deps: PollAccountsDeps,
  account: Account,
  at: Date,
  signal?: AbortSignal,
): Promise<PollOutcome> {
  const hints: PollHints = { knownVideoIds: () => knownVideoIds(deps.store, account.id, at) };
  try {
    return await deps.source.poll(account, at, signal, hints);
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

async function recordHandle(
  store: HandleRecordingStore,
  account: Account,
  handle: string,
  at: Date,
): Promise<void> {
  if (typeof store.recordHandle === 'function') {
    await store.recordHandle(account.id, handle, at);
    return;
  }
  await store.putAccount({ ...account, handle });
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
