/**
 * Reading a night's parts: each account's history around the night, read a few at a time, and the explained
 * night as the digest composer sees it.
 */
import type {
  Account,
  AccountExplanation,
  Explanation,
  FleetAccount,
  Poll,
  Subscriber,
} from '../model.ts';
import type { Store } from '../ports.ts';
import { RAW_HISTORY_DAYS } from '../thinned-history.ts';
import { DAY_MS } from '../time.ts';

/** Thrown by the history reads when the invocation's time is up (`DigestTickInput.signal`). */
export class OutOfTime extends Error {}

/**
 * The part of an explained night a digest reads: the window, and per account the account, its verdict and its
 * polls of the last days (at least `CHART_DAYS`).
 */
export interface NightView {
  window: Explanation['window'];
  account(
    accountId: string,
  ): { account: Account; explanation: AccountExplanation; history: Poll[] } | undefined;
}

export function nightFromHistories(
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

/** The accounts the subscribers of each night follow, by the night's end (epoch milliseconds). */
export function followedByNight(
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
export async function readHistories(
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
