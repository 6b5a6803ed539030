import { describe, expect, it } from 'vitest';
import type { Account, PollJob } from '../../../core/model.ts';
import { planPollJobs, pollAccountJobs, summarizePollJobs } from '../../../core/poll-accounts.ts';
import { pollMinuteOf } from '../../../core/poll-schedule.ts';
import type { PollOutcome, PollToStore, StatsSource } from '../../../core/ports.ts';
import { MemoryStore } from '../../fakes/memory-store.ts';
import { pollEveryAccount } from '../../fakes/poll-run.ts';

const slot = new Date('2026-11-25T06:00:00Z');

function account(id: string, status: Account['status'] = 'active'): Account {
  return {
    platform: 'tiktok',
    id,
    handle: `h-${id}`,
    source: 'display_api',
    status,
    addedAt: '2026-11-01T00:00:00Z',
  };
}

describe('a poll run (planPollJobs, then pollAccountJobs on the whole batch)', () => {
  it('should store one poll per account, whatever the source did', async () => {
    // Arrange
    const store = new MemoryStore();
    for (const id of ['ok', 'broken', 'revoked', 'partial']) await store.putAccount(account(id));
    let inFlight = 0;
    let maxInFlight = 0;
    const source: StatsSource = {
      async prepare() {},
      async poll(acct, at): Promise<PollOutcome> {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        const base = { at: at.toISOString() };
        if (acct.id === 'broken') throw new Error('socket hang up');
        if (acct.id === 'revoked') {
          return {
            poll: { ...base, status: 'failed', reason: 'needs_reauthorization' },
            accountStatus: 'needs_reauthorization',
          };
        }
        if (acct.id === 'partial') {
          return {
            poll: {
              ...base,
              status: 'partial',
              reason: 'invalid_item',
              rejected: [
                { video: '7320768149928955182', field: 'like_count', problem: 'missing' },
                { video: '7320768149928955183', field: 'view_count', problem: 'missing' },
              ],
              videos: [],
            },
          };
        }
        return {
          poll: {
            ...base,
            status: 'ok',
            profile: { followers: 1, following: 1, likes: 1, videos: 0 },
            videos: [],
          },
        };
      },
    };
    // Act
    const { summary } = await pollEveryAccount({ store, source }, slot, { concurrency: 2 });
    // Assert
    expect(summary).toEqual({
      accounts: 4,
      ok: 1,
      partial: 1,
      failed: 2,
      needsReauthorization: 1,
      notReached: 0,
      rejectedItems: 2,
    });
    expect(maxInFlight).toBe(2);
    const stored = (id: string) => store.polls.get(id)?.get(slot.toISOString());
    expect(stored('broken')).toMatchObject({
      status: 'failed',
      reason: 'network_error',
      detail: 'socket hang up',
    });
    expect(stored('ok')?.status).toBe('ok');
    expect(store.accounts.get('revoked')?.status).toBe('needs_reauthorization');
  });

  it('should overwrite, not duplicate, when the same slot is polled again', async () => {
    const store = new MemoryStore();
    await store.putAccount(account('a'));
    let likes = 10;
    const source: StatsSource = {
      async prepare() {},
      poll: async (_acct, at) => ({
        poll: {
          at: at.toISOString(),
          status: 'ok',
          profile: { followers: 1, following: 1, likes: likes++, videos: 0 },
          videos: [],
        },
      }),
    };
    await pollEveryAccount({ store, source }, slot, { concurrency: 1 });
    await pollEveryAccount({ store, source }, slot, { concurrency: 1 });
    const polls = await store.listPolls('a', new Date(0), new Date('2030-01-01T00:00:00Z'));
    expect(polls).toHaveLength(1);
  });

  it('should leave the accounts a stopped run did not start for redelivery, never skip them', async () => {
    const store = new MemoryStore();
    for (const id of ['a', 'b', 'c', 'd']) await store.putAccount(account(id));
    const controller = new AbortController();
    const source: StatsSource = {
      async prepare() {},
      async poll(_acct, at) {
        // The deadline arrives while the first account is being polled.
        controller.abort(new Error('the function is about to time out'));
        return {
          poll: {
            at: at.toISOString(),
            status: 'ok',
            profile: { followers: 1, following: 1, likes: 1, videos: 0 },
            videos: [],
          },
        };
      },
    };
    const { summary, jobs, results } = await pollEveryAccount({ store, source }, slot, {
      concurrency: 1,
      signal: controller.signal,
    });
    expect(summary).toMatchObject({ accounts: 4, ok: 1, failed: 0, notReached: 3 });
    const notDone = jobs.filter((_job, index) => !results[index]?.done);
    expect(notDone.map((job) => job.account.id).sort()).toEqual(['b', 'c', 'd']);
    for (const id of ['b', 'c', 'd'])
      expect(store.polls.get(id)?.get(slot.toISOString())).toBeUndefined();
  });

  it('should follow a rename the source reports, keyed by the stable id', async () => {
    const store = new MemoryStore();
    await store.putAccount(account('a'));
    const source: StatsSource = {
      async prepare() {},
      poll: async (_acct, at) => ({
        poll: {
          at: at.toISOString(),
          status: 'ok',
          profile: { followers: 1, following: 1, likes: 1, videos: 0 },
          videos: [],
        },
        handle: 'h_a.renamed',
      }),
    };
    await pollEveryAccount({ store, source }, slot, { concurrency: 1 });
    expect(store.accounts.get('a')?.handle).toBe('h_a.renamed');
  });

  it('should keep the poll but not take a rename to something that is not a TikTok username', async () => {
    const store = new MemoryStore();
    await store.putAccount({ ...account('a'), handle: 'maya.bakes' });
    const source: StatsSource = {
      async prepare() {},
      poll: async (_acct, at) => ({
        poll: {
          at: at.toISOString(),
          status: 'ok',
          profile: { followers: 1, following: 1, likes: 1, videos: 0 },
          videos: [],
        },
        handle: '"><img src=x>\r\n\u202Emaya',
      }),
    };
    const { summary } = await pollEveryAccount({ store, source }, slot, { concurrency: 1 });
    expect(summary.ok).toBe(1);
    expect(store.accounts.get('a')?.handle).toBe('maya.bakes');
    expect(store.polls.get('a')?.get(slot.toISOString())?.status).toBe('ok');
  });

  it('should offer the source the videos known from the latest complete poll', async () => {
    const store = new MemoryStore();
    await store.putAccount(account('a'));
    const video = (id: string) => ({
      id,
      postedAt: '2026-11-01T00:00:00Z',
      views: 1,
      likes: 1,
      comments: 0,
      shares: 0,
    });
    const earlier = new Date(slot.getTime() - 4 * 3_600_000);
    await store.putPoll('a', earlier.toISOString(), {
      at: earlier.toISOString(),
      status: 'ok',
      profile: { followers: 1, following: 1, likes: 2, videos: 2 },
      videos: [video('v1'), video('v2')],
    });
    let known: readonly string[] = [];
    const source: StatsSource = {
      async prepare() {},
      async poll(_acct, at, _signal, hints) {
        known = (await hints?.knownVideoIds()) ?? [];
        return { poll: { at: at.toISOString(), status: 'failed', reason: 'server_error' } };
      },
    };
    await pollEveryAccount({ store, source }, slot, { concurrency: 1 });
    expect([...known].sort()).toEqual(['v1', 'v2']);
  });
});

describe('planPollJobs and pollAccountJobs (the fan-out)', () => {
  const okSource: StatsSource = {
    async prepare() {},
    async poll(_acct, at) {
      return {
        poll: {
          at: at.toISOString(),
          status: 'ok',
          profile: { followers: 1, following: 1, likes: 1, videos: 0 },
          videos: [],
        },
      };
    },
  };

  it('should enqueue one job per account with the slot, and store what the workers poll', async () => {
    // Arrange
    const store = new MemoryStore();
    for (const id of ['a', 'b', 'c']) await store.putAccount(account(id));
    const queued: PollJob[] = [];
    // Act
    const tick = await planPollJobs(
      { store, queue: { send: async (jobs) => void queued.push(...jobs) } },
      { slot, widthMinutes: 360, cadenceMinutes: 360 },
    );
    const results = await pollAccountJobs({ store, source: okSource }, queued, { concurrency: 2 });
    // Assert
    expect(tick).toEqual({ accounts: 3, enqueued: 3 });
    expect(queued.map((job) => [job.slot, job.account.id])).toEqual([
      [slot.toISOString(), 'a'],
      [slot.toISOString(), 'b'],
      [slot.toISOString(), 'c'],
    ]);
    expect(summarizePollJobs(results)).toMatchObject({ accounts: 3, ok: 3, notReached: 0 });
    expect(await store.listPolls('b', slot, slot)).toHaveLength(1);
  });

  it('should leave a job whose store write failed, or that the deadline stopped, for redelivery', async () => {
    // Arrange
    const store = new MemoryStore();
    const failing = Object.assign(new MemoryStore(), {
      putPoll: async () => {
        throw new Error('throttled');
      },
    });
    const job = (id: string): PollJob => ({
      kind: 'poll-account',
      slot: slot.toISOString(),
      account: account(id),
    });
    // Act
    const broken = await pollAccountJobs({ store: failing, source: okSource }, [job('a')], {
      concurrency: 1,
    });
    const late = await pollAccountJobs({ store, source: okSource }, [job('b')], {
      concurrency: 1,
      signal: AbortSignal.abort(),
    });
    // Assert
    expect(broken).toEqual([{ done: false, error: expect.any(Error) }]);
    expect(late).toEqual([{ done: false, error: expect.any(Error) }]);
    expect(await store.listPolls('b', slot, slot)).toEqual([]);
  });

  it('should store a batch’s polls in one call where the store can, and retry only the one it could not store', async () => {
    // Arrange: a store that takes polls together and refuses account b's.
    const store = new MemoryStore();
    const calls: string[][] = [];
    const batching = Object.assign(store, {
      putPolls: async (polls: readonly PollToStore[]) => {
        calls.push(polls.map((entry) => entry.accountId));
        return Promise.all(
          polls.map(async (entry) => {
            if (entry.accountId === 'b') return new Error('item too large');
            await store.putPoll(entry.accountId, entry.slot, entry.poll);
            return undefined;
          }),
        );
      },
    });
    const jobs = ['a', 'b', 'c'].map(
      (id): PollJob => ({ kind: 'poll-account', slot: slot.toISOString(), account: account(id) }),
    );
    // Act
    const results = await pollAccountJobs({ store: batching, source: okSource }, jobs, {
      concurrency: 3,
    });
    // Assert
    expect(calls.map((ids) => [...ids].sort())).toEqual([['a', 'b', 'c']]);
    expect(results.map((result) => result.done)).toEqual([true, false, true]);
    expect(await store.listPolls('c', slot, slot)).toHaveLength(1);
    expect(await store.listPolls('b', slot, slot)).toEqual([]);
  });

  it('should, ticking every minute, send each account once over the cadence at its own minute', async () => {
    // Arrange: 50 accounts, a 6-hour cadence.
    const plain = new MemoryStore();
    for (let index = 0; index < 50; index++) await plain.putAccount(account(`acct-${index}`));
    for (const store of [plain]) {
      const sent: PollJob[] = [];
      // Act
      for (let minute = 0; minute < 360; minute++) {
        await planPollJobs(
          { store, queue: { send: async (jobs) => void sent.push(...jobs) } },
          {
            slot: new Date(slot.getTime() + minute * 60_000),
            widthMinutes: 1,
            cadenceMinutes: 360,
          },
        );
      }
      // Assert: every account once, its slot the tick at its minute.
      expect(sent.map((job) => job.account.id).sort()).toEqual(
        (await plain.listAccounts()).map((a) => a.id).sort(),
      );
      for (const job of sent) {
        const epochMinute = Date.parse(job.slot) / 60_000;
        expect(epochMinute % 360).toBe(pollMinuteOf(job.account.id) % 360);
      }
    }
  });
});
