/** An in-memory Store for unit tests of the use cases (the DynamoDB adapter has its own tests). */
import type { Account, DigestReport, HandleSighting, Poll, Subscriber } from '../../core/model.ts';
import { pollMinuteOf } from '../../core/poll-schedule.ts';
import type {
  HandleHistory,
  NightAccount,
  NightStore,
  PollToStore,
  Store,
  StoredNight,
} from '../../core/ports.ts';
import { thinHistory } from '../../core/thinned-history.ts';

const POLL_RANK: Record<Poll['status'], number> = { failed: 0, partial: 1, ok: 2 };

export class MemoryStore implements Store, HandleHistory {
  readonly accounts = new Map<string, Account>();
  /** Every handle each account was seen under, by account id. */
  readonly handles = new Map<string, HandleSighting[]>();
  readonly subscribers = new Map<string, Subscriber>();
  readonly polls = new Map<string, Map<string, Poll>>();
  readonly digests = new Map<string, { state: 'claimed' | 'sent'; messageId?: string }>();
  /** Reports stored with sent digests, by `subscriberId/localDate`. */
  readonly digestReports = new Map<string, DigestReport>();

  async putAccount(account: Account) {
    this.accounts.set(account.id, account);
  }
  async listAccounts() {
    return [...this.accounts.values()];
  }
  async listAccountsInPollMinutes(minutes: readonly number[]) {
    const due = new Set(minutes);
    return [...this.accounts.values()].filter((account) => due.has(pollMinuteOf(account.id)));
  }
  /** Records the sighting; the latest one names the account, as in the DynamoDB store. */
  async recordHandle(accountId: string, handle: string, seenAt: Date) {
    const at = seenAt.toISOString();
    const sightings = this.handles.get(accountId) ?? [];
    const known = sightings.find((sighting) => sighting.handle === handle);
    if (known) {
      if (at < known.firstSeenAt) known.firstSeenAt = at;
      if (at > known.lastSeenAt) known.lastSeenAt = at;
    } else sightings.push({ handle, firstSeenAt: at, lastSeenAt: at });
    this.handles.set(accountId, sightings);
    const latest = sightings.every((sighting) => sighting.lastSeenAt <= at);
    const account = this.accounts.get(accountId);
    if (account && latest) this.accounts.set(accountId, { ...account, handle });
  }
  async listHandles(accountId: string) {
    return [...(this.handles.get(accountId) ?? [])].sort((a, b) =>
      a.firstSeenAt.localeCompare(b.firstSeenAt),
    );
  }
  async setAccountStatus(accountId: string, status: Account['status']) {
    const account = this.accounts.get(accountId);
    if (account) this.accounts.set(accountId, { ...account, status });
  }
  async putSubscriber(subscriber: Subscriber) {
    this.subscribers.set(subscriber.id, subscriber);
  }
  async listSentDigests(digests: ReadonlyArray<{ subscriberId: string; localDate: string }>) {
    return new Set(
      digests
        .map(({ subscriberId, localDate }) => `${subscriberId}/${localDate}`)
        .filter((key) => this.digests.get(key)?.state === 'sent'),
    );
  }
  async listSubscribers() {
    return [...this.subscribers.values()];
  }
  /** Keeps the better poll of a slot, as the port asks (ok, then partial, then failed), and its first ok one. */
  async putPoll(accountId: string, slot: string, poll: Poll) {
    const polls = this.polls.get(accountId) ?? new Map<string, Poll>();
    const stored = polls.get(slot);
    if (stored && (POLL_RANK[stored.status] > POLL_RANK[poll.status] || stored.status === 'ok')) {
      return;
    }
    polls.set(slot, poll);
    this.polls.set(accountId, polls);
  }
  /** Stores each poll as `putPoll` does; one poll's failure is its own entry, not the batch's. */
  async putPolls(polls: readonly PollToStore[]) {
    return Promise.all(
      polls.map((entry) =>
        this.putPoll(entry.accountId, entry.slot, entry.poll).then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      ),
    );
  }
  async listPolls(accountId: string, from: Date, to: Date, thinBefore?: Date) {
    const polls = [...(this.polls.get(accountId)?.values() ?? [])]
      .filter(
        (poll) => Date.parse(poll.at) >= from.getTime() && Date.parse(poll.at) <= to.getTime(),
      )
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return thinBefore ? thinHistory(polls, thinBefore) : polls;
  }
  async claimDigest(subscriberId: string, localDate: string) {
    const key = `${subscriberId}/${localDate}`;
    if (this.digests.has(key)) return false;
    this.digests.set(key, { state: 'claimed' });
    return true;
  }
  async markDigestSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ) {
    this.digests.set(`${subscriberId}/${localDate}`, { state: 'sent', messageId });
    if (report !== undefined) this.digestReports.set(`${subscriberId}/${localDate}`, report);
  }
  async getDigestReport(subscriberId: string, localDate: string) {
    return this.digestReports.get(`${subscriberId}/${localDate}`);
  }
  /** Batch reads made through `getDigestReports`. */
  reportBatchReads = 0;
  async getDigestReports(digests: ReadonlyArray<{ subscriberId: string; localDate: string }>) {
    this.reportBatchReads += 1;
    const found = new Map<string, DigestReport>();
    for (const { subscriberId, localDate } of digests) {
      const report = this.digestReports.get(`${subscriberId}/${localDate}`);
      if (report) found.set(`${subscriberId}/${localDate}`, report);
    }
    return found;
  }
  async releaseDigest(subscriberId: string, localDate: string) {
    this.digests.delete(`${subscriberId}/${localDate}`);
  }
}

/** In-memory explained nights for unit tests of the digest fan-out. */
export class MemoryNights implements NightStore {
  readonly nights = new Map<string, StoredNight>();
  /** Adds the night's accounts to those already stored, as the DynamoDB store (an item per account) does. */
  async putNight(night: StoredNight) {
    const key = night.asOf.toISOString();
    const kept = this.nights.get(key)?.accounts ?? [];
    const stored = new Set(kept.map((entry) => entry.account.id));
    const added = night.accounts.filter((entry) => !stored.has(entry.account.id));
    this.nights.set(key, { ...night, accounts: [...kept, ...added] });
  }
  async getNightWindow(asOf: Date) {
    return this.nights.get(asOf.toISOString())?.window;
  }
  async getNightAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]> {
    const night = this.nights.get(asOf.toISOString());
    return (night?.accounts ?? []).filter((entry) => accountIds.includes(entry.account.id));
  }
}
