import { describe, expect, it } from 'vitest';
import { MailerError } from '../../../core/errors.ts';
import { beginNight, explainFleet } from '../../../core/explain/index.ts';
import {
  type Account,
  type AccountExplanation,
  type DigestJob,
  DigestPartJob,
  type Explanation,
  type Fleet,
  type Subscriber,
} from '../../../core/model.ts';
import type { OutgoingEmail } from '../../../core/ports.ts';
import {
  digestPartOf,
  planDigestJobs,
  sendDigestJobs,
  summarizeDigestJobs,
} from '../../../core/send-digests.ts';
import { simulateFleet } from '../../../core/simulate/fleet.ts';
import { type DigestRunDeps, runDigestTick, scriptedEngine } from '../../fakes/digest-run.ts';
import { MemoryNights, MemoryStore } from '../../fakes/memory-store.ts';

const account: Account = {
  platform: 'tiktok',
  id: 'acct-1',
  handle: 'maya.bakes',
  source: 'display_api',
  status: 'active',
  addedAt: '2026-11-01T00:00:00Z',
};

function subscriber(overrides: Partial<Subscriber>): Subscriber {
  return {
    id: 'sub-1',
    email: 'maya@example.com',
    timeZone: 'Europe/Berlin',
    deliveryHour: 8,
    quietNights: 'all_clear',
    accountIds: ['acct-1'],
    ...overrides,
  };
}

const loss: AccountExplanation = {
  id: 'acct-1',
  handle: 'maya.bakes',
  verdict: 'loss',
  likes: { lost: 1240, restored: 0, gained: 310, baselineGain: 420 },
  causes: [
    {
      cause: 'fake_engagement_purge',
      confidence: 0.82,
      likes: 1240,
      evidence: ['3 videos with a like-to-view ratio 6x your norm lost 1,240 likes'],
    },
  ],
  videos: [],
};
const quiet: AccountExplanation = {
  ...loss,
  verdict: 'none',
  likes: { lost: 0, restored: 0, gained: 400, baselineGain: 420 },
  causes: [],
};

function setup(explained: AccountExplanation, subscribers: Subscriber[]) {
  const store = new MemoryStore();
  const sent: OutgoingEmail[] = [];
  const explainedNights: Date[] = [];
  const deps: DigestRunDeps & { store: MemoryStore } = {
    store,
    nights: new MemoryNights(),
    mailer: {
      send: async (email) => {
        sent.push(email);
        return `msg-${sent.length}`;
      },
    },
    explain: scriptedEngine((fleet: Fleet, asOf: Date): Explanation => {
      explainedNights.push(asOf);
      return {
        format: 'likewatch.explanation/v1',
        window: {
          from: new Date(asOf.getTime() - 86_400_000).toISOString(),
          to: asOf.toISOString(),
        },
        accounts: fleet.accounts.map(() => explained),
      };
    }),
    links: {
      preferences: (id) => `https://likewatch.test/preferences?s=${id}`,
      unsubscribe: (id) => `https://likewatch.test/unsubscribe?s=${id}`,
      reconnect: (id) => `https://likewatch.test/connect?a=${id}`,
      history: (subscriberId, accountId) =>
        `https://likewatch.test/history?s=${subscriberId}&a=${accountId}`,
      feedback: (subscriberId, accountId, night, cause) => ({
        yes: `https://likewatch.test/feedback?s=${subscriberId}&a=${accountId}&n=${night}&c=${cause}&answer=yes`,
        no: `https://likewatch.test/feedback?s=${subscriberId}&a=${accountId}&n=${night}&c=${cause}&answer=no`,
      }),
    },
    now: () => new Date('2026-11-25T07:00:00Z'),
  };
  return {
    deps,
    store,
    sent,
    explainedNights,
    ready: Promise.all([
      store.putAccount(account),
      ...subscribers.map((s) => store.putSubscriber(s)),
    ]),
  };
}

/** An engine that finds every account quiet, recording the account ids of each night it explains. */
function quietEngine(explained: string[][]) {
  return scriptedEngine((fleet: Fleet, asOf: Date): Explanation => {
    explained.push(fleet.accounts.map((entry) => entry.id));
    return {
      format: 'likewatch.explanation/v1',
      window: { from: new Date(asOf.getTime() - 86_400_000).toISOString(), to: asOf.toISOString() },
      accounts: fleet.accounts.map((entry) => ({ ...quiet, id: entry.id, handle: entry.handle })),
    };
  });
}

// 07:00 UTC is 08:00 in Berlin in November.
const tick = new Date('2026-11-25T07:00:00Z');
const tick7 = tick;

describe('a digest tick and its workers', () => {
  it('should send one digest with the one-click unsubscribe headers to a subscriber whose hour has come', async () => {
    // Arrange
    const { deps, sent, ready, store } = setup(loss, [subscriber({})]);
    await ready;
    // Act
    const summary = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    // Assert
    expect(summary).toMatchObject({ due: 1, sent: 1, losses: 1, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('maya@example.com');
    expect(sent[0]?.subject).toContain('@maya.bakes');
    expect(sent[0]?.headers).toEqual({
      'List-Unsubscribe': '<https://likewatch.test/unsubscribe?s=sub-1>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(store.digests.get('sub-1/2026-11-25')).toEqual({ state: 'sent', messageId: 'msg-1' });
  });

  it('should not send again when the tick is retried', async () => {
    const { deps, sent, ready } = setup(loss, [subscriber({})]);
    await ready;
    await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    const again = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(again).toMatchObject({ due: 1, sent: 0, alreadySent: 1 });
    expect(sent).toHaveLength(1);
  });

  it('should leave out subscribers whose hour has not come, and catch up on one whose hour just passed', async () => {
    // Arrange: 09:00 Berlin is not due yet at 08:00; 06:00 Berlin was two hours ago, within the catch-up.
    const { deps, sent, ready, explainedNights } = setup(loss, [
      subscriber({ id: 'later', deliveryHour: 9 }),
      subscriber({ id: 'late', deliveryHour: 6, email: 'late@example.com' }),
      subscriber({ id: 'too-late', deliveryHour: 2, email: 'old@example.com' }),
    ]);
    await ready;
    // Act
    const summary = await runDigestTick(deps, {
      scheduledTime: tick,
      historyDays: 28,
      catchUpHours: 3,
    });
    // Assert: the late subscriber's night ends at their own delivery time, 05:00 UTC.
    expect(summary.due).toBe(1);
    expect(sent.map((email) => email.to)).toEqual(['late@example.com']);
    expect(explainedNights).toEqual([new Date('2026-11-25T05:00:00Z')]);
  });

  it('should skip a quiet night for a subscriber who asked for no all-clear, and send the all-clear otherwise', async () => {
    const { deps, sent, ready } = setup(quiet, [
      subscriber({ id: 'skip', quietNights: 'skip' }),
      subscriber({ id: 'clear', email: 'clear@example.com' }),
    ]);
    await ready;
    const summary = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(summary).toMatchObject({ due: 2, sent: 1, skipped: 1, losses: 0 });
    expect(sent.map((email) => email.to)).toEqual(['clear@example.com']);
  });

  it('should give the claim back after a retryable send failure so a later run sends it', async () => {
    // Arrange
    const { deps, sent, ready, store } = setup(loss, [subscriber({})]);
    await ready;
    const send = deps.mailer.send;
    deps.mailer.send = async () => {
      throw new MailerError('throttled', true);
    };
    // Act
    const first = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    deps.mailer.send = send;
    const second = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    // Assert
    expect(first).toMatchObject({ sent: 0, failed: 1 });
    expect(second).toMatchObject({ sent: 1, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(store.digests.get('sub-1/2026-11-25')?.state).toBe('sent');
  });

  it('should not retry forever a message SES refused for good', async () => {
    const { deps, ready, store } = setup(loss, [subscriber({})]);
    await ready;
    deps.mailer.send = async () => {
      throw new MailerError('rejected', false);
    };
    const first = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    const second = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(first.failed).toBe(1);
    expect(second).toMatchObject({ failed: 0, alreadySent: 1 });
    expect(store.digests.get('sub-1/2026-11-25')).toEqual({ state: 'sent', messageId: 'rejected' });
  });
});

describe('a digest tick and its workers, who is never mailed', () => {
  it('should not send to a subscriber who unsubscribed or paused', async () => {
    const { deps, sent, ready } = setup(loss, [
      subscriber({ id: 'gone', status: 'unsubscribed' }),
      subscriber({ id: 'paused', status: 'paused', email: 'paused@example.com' }),
      subscriber({ id: 'active', status: 'active', email: 'active@example.com' }),
    ]);
    await ready;
    const summary = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(summary).toMatchObject({ due: 1, sent: 1 });
    expect(sent.map((email) => email.to)).toEqual(['active@example.com']);
  });

  it('should skip a suppressed address without claiming its digest', async () => {
    const { deps, sent, ready, store } = setup(loss, [subscriber({})]);
    await ready;
    deps.suppressions = {
      isSuppressed: async (email) => email === 'maya@example.com',
      listSuppressed: async (emails) =>
        new Set(emails.filter((email) => email === 'maya@example.com')),
    };
    const summary = await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(summary).toMatchObject({ due: 1, sent: 0, suppressed: 1 });
    expect(sent).toHaveLength(0);
    expect(store.digests.size).toBe(0);
  });
});

describe('a digest tick and its workers, memory of what was reported', () => {
  it('should store what each digest reported and follow up on it the next morning', async () => {
    // Arrange: a loss on the 25th, an ordinary night on the 26th.
    const { deps, sent, ready, store } = setup(loss, [subscriber({})]);
    await ready;
    await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    const explainLoss = deps.explain;
    deps.explain = (asOf) => {
      const night = explainLoss(asOf);
      return { add: night.add, finish: () => ({ ...night.finish(), accounts: [quiet] }) };
    };
    // Act
    await runDigestTick(deps, {
      scheduledTime: new Date(tick.getTime() + 86_400_000),
      historyDays: 28,
    });
    // Assert
    expect(store.digestReports.get('sub-1/2026-11-25')?.accounts[0]).toMatchObject({
      accountId: 'acct-1',
      verdict: 'loss',
      lost: 1240,
      topCause: 'fake_engagement_purge',
    });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toContain('Since your last digest:');
    expect(sent[1]?.text).toContain('1,240 likes @maya.bakes lost yesterday');
  });

  it('should give every cause feedback links for this subscriber, account, night and cause', async () => {
    const { deps, sent, ready } = setup(loss, [subscriber({})]);
    await ready;
    await runDigestTick(deps, { scheduledTime: tick, historyDays: 28 });
    expect(sent[0]?.html).toContain(
      'https://likewatch.test/feedback?s=sub-1&amp;a=acct-1&amp;n=2026-11-25T07:00:00Z&amp;c=fake_engagement_purge&amp;answer=yes',
    );
  });
});

describe('planDigestJobs and sendDigestJobs (the fan-out)', () => {
  it('should explain the night once, store it, and let the workers send from the stored night', async () => {
    // Arrange
    const { deps, sent, explainedNights, ready, store } = setup(loss, [
      subscriber({}),
      subscriber({ id: 'sub-2', email: 'sam@example.com' }),
    ]);
    await ready;
    const nights = new MemoryNights();
    const queued: DigestJob[] = [];
    const tickDeps = {
      store,
      nights,
      explain: deps.explain,
      queue: { send: async (jobs: readonly DigestJob[]) => void queued.push(...jobs) },
    };
    // Act
    const tick = await planDigestJobs(tickDeps, { scheduledTime: tick7, historyDays: 28 });
    const again = await planDigestJobs(tickDeps, { scheduledTime: tick7, historyDays: 28 });
    const results = await sendDigestJobs({ ...deps, nights }, queued);
    // Assert
    expect(tick).toEqual({
      due: 2,
      nights: 1,
      explained: 1,
      accountsExplained: 1,
      enqueued: 2,
      losses: 1,
      slowdowns: 0,
      parts: 0,
    });
    expect(again).toMatchObject({ due: 2, explained: 0, enqueued: 2 });
    expect(explainedNights).toHaveLength(1);
    expect(summarizeDigestJobs(results)).toMatchObject({ jobs: 4, sent: 2, alreadySent: 2 });
    expect(sent.map((email) => email.to).sort()).toEqual(['maya@example.com', 'sam@example.com']);
    expect(sent[0]?.subject).toContain('@maya.bakes');
  });

  it('should explain only the accounts the night’s subscribers follow above the whole-fleet size, top up for those due later, and skip digests already sent', async () => {
    // Arrange: three accounts, one followed by nobody, in a fleet counted as large; Sam signs up after the
    // first tick of his hour.
    const { deps, store } = setup(quiet, [subscriber({})]);
    await Promise.all([
      store.putAccount(account),
      store.putAccount({ ...account, id: 'acct-2', handle: 'sam.cooks' }),
      store.putAccount({ ...account, id: 'acct-3', handle: 'nobody.follows' }),
      store.putSubscriber(subscriber({})),
    ]);
    const explainedIds: string[][] = [];
    const explain = quietEngine(explainedIds);
    const nights = new MemoryNights();
    const queued: DigestJob[] = [];
    const tickDeps = {
      store,
      nights,
      explain,
      queue: { send: async (jobs: readonly DigestJob[]) => void queued.push(...jobs) },
      wholeFleetUpTo: 2,
    };
    // Act
    const first = await planDigestJobs(tickDeps, { scheduledTime: tick7, historyDays: 28 });
    await sendDigestJobs({ ...deps, nights }, queued.splice(0));
    await store.putSubscriber(
      subscriber({ id: 'sub-2', email: 'sam@example.com', accountIds: ['acct-2'] }),
    );
    const later = new Date(tick7.getTime() + 3_600_000);
    const topUp = await planDigestJobs(tickDeps, { scheduledTime: later, historyDays: 28 });
    // Assert: one night, explained for Maya's account, then topped up with Sam's; Maya is not queued again.
    expect(explainedIds).toEqual([['acct-1'], ['acct-2']]);
    expect(first).toMatchObject({ due: 1, nights: 1, explained: 1, enqueued: 1 });
    expect(topUp).toMatchObject({ due: 1, nights: 1, explained: 1, enqueued: 1 });
    expect(queued.map((job) => [job.subscriber.id, job.asOf])).toEqual([
      ['sub-2', tick7.toISOString()],
    ]);
    const stored = await nights.getNightAccounts(tick7, ['acct-1', 'acct-2', 'acct-3']);
    expect(stored.map((part) => part.account.id).sort()).toEqual(['acct-1', 'acct-2']);
  });

  it('should read a batch’s suppressions and yesterday’s reports once each, and honour the suppression', async () => {
    // Arrange: Maya's address is suppressed, Sam's is not.
    const { deps, sent, store } = setup(loss, []);
    await store.putAccount(account);
    const sam = subscriber({ id: 'sub-2', email: 'sam@example.com' });
    const checked: string[][] = [];
    deps.suppressions = {
      isSuppressed: async () => {
        throw new Error('read one address at a time');
      },
      listSuppressed: async (emails) => {
        checked.push([...emails]);
        return new Set(emails.filter((email) => email === 'maya@example.com'));
      },
    };
    const nights = new MemoryNights();
    await nights.putNight({
      asOf: tick7,
      window: {
        from: new Date(tick7.getTime() - 86_400_000).toISOString(),
        to: tick7.toISOString(),
      },
      accounts: [{ account, explanation: loss }],
    });
    const job = (who: Subscriber): DigestJob => ({
      kind: 'digest-subscriber',
      asOf: tick7.toISOString(),
      localDate: '2026-11-25',
      subscriber: who,
    });
    // Act
    const results = await sendDigestJobs({ ...deps, nights }, [job(subscriber({})), job(sam)]);
    // Assert
    expect(summarizeDigestJobs(results)).toMatchObject({ suppressed: 1, sent: 1 });
    expect(checked).toEqual([['maya@example.com', 'sam@example.com']]);
    expect(store.reportBatchReads).toBe(1);
    expect(sent.map((email) => email.to)).toEqual(['sam@example.com']);
  });

  it('should leave a job for redelivery when its night was not stored', async () => {
    const { deps, ready } = setup(loss, [subscriber({})]);
    await ready;
    const job: DigestJob = {
      kind: 'digest-subscriber',
      asOf: tick7.toISOString(),
      localDate: '2026-11-25',
      subscriber: subscriber({}),
    };

    const results = await sendDigestJobs({ ...deps, nights: new MemoryNights() }, [job]);

    expect(results).toEqual([{ done: false, error: expect.any(Error) }]);
  });
});

describe('the digest tick, explaining a small fleet whole', () => {
  /**
   * A simulated fleet of 24 accounts (with fleet-wide events) in the store, and one subscriber due at the end
   * of its labelled night who follows the first account explained otherwise alone than within the fleet (other
   * accounts hit in the same interval are evidence): the account the whole-fleet rule is for.
   */
  async function fleetWithOneFollower() {
    const asOf = new Date('2026-11-24T06:00:00Z');
    const { fleet } = simulateFleet({ seed: 2, accounts: 24, asOf });
    const withFleet = explainFleet(structuredClone(fleet), { asOf }).accounts;
    const index = fleet.accounts.findIndex((entry, at) => {
      const alone = explainFleet({ ...fleet, accounts: [structuredClone(entry)] }, { asOf });
      return JSON.stringify(alone.accounts[0]) !== JSON.stringify(withFleet[at]);
    });
    const store = new MemoryStore();
    for (const entry of fleet.accounts) {
      await store.putAccount({
        platform: 'tiktok',
        id: entry.id,
        handle: entry.handle,
        source: 'display_api',
        status: 'active',
        addedAt: '2026-10-01T00:00:00Z',
      });
      for (const poll of entry.polls) await store.putPoll(entry.id, poll.at, poll);
    }
    const followed = fleet.accounts[index]?.id as string;
    await store.putSubscriber(
      subscriber({ timeZone: 'UTC', deliveryHour: 6, accountIds: [followed] }),
    );
    const expected = withFleet.find((entry) => entry.id === followed);
    return { store, asOf, followed, ids: fleet.accounts.map((entry) => entry.id), expected };
  }

  it('should explain every account of a small fleet, so a verdict weighs the whole fleet and not who else is due', async () => {
    // Arrange
    const { store, asOf, followed, ids, expected } = await fleetWithOneFollower();
    const tick = (wholeFleetUpTo?: number) => {
      const nights = new MemoryNights();
      const planned = planDigestJobs(
        {
          store,
          nights,
          explain: beginNight,
          queue: { send: async () => undefined },
          ...(wholeFleetUpTo === undefined ? {} : { wholeFleetUpTo }),
        },
        { scheduledTime: asOf, historyDays: 28 },
      );
      return { nights, planned };
    };
    // Act
    const whole = tick();
    const followedOnly = tick(0);
    // Assert: the small fleet was explained whole, and the followed account as the whole fleet explains it.
    expect(expected).toBeDefined();
    expect(await whole.planned).toMatchObject({ due: 1, accountsExplained: ids.length });
    expect(await whole.nights.getNightAccounts(asOf, ids)).toHaveLength(ids.length);
    const explanationOf = async (nights: MemoryNights) =>
      (await nights.getNightAccounts(asOf, [followed]))[0]?.explanation;
    expect(await explanationOf(whole.nights)).toEqual(expected);
    // Explained alone (a large fleet's rule when nobody else is due), the same account reads otherwise.
    expect(await followedOnly.planned).toMatchObject({ due: 1, accountsExplained: 1 });
    expect(await explanationOf(followedOnly.nights)).not.toEqual(expected);
  });
});

describe('the digest tick, reading a large night', () => {
  /** A tick over `count` accounts followed by one subscriber, whose history reads answer in reverse order. */
  function largeNight(count: number, failing?: string) {
    const { store } = setup(quiet, []);
    const ids = Array.from({ length: count }, (_, index) => `acct-${index}`);
    let inFlight = 0;
    let mostInFlight = 0;
    const listPolls = store.listPolls.bind(store);
    store.listPolls = async (accountId, from, to, thinBefore) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Later accounts answer sooner, so the order the engine sees is the tick's doing.
      await new Promise((resolve) => setTimeout(resolve, count - ids.indexOf(accountId)));
      inFlight -= 1;
      if (accountId === failing) throw new Error('the store stopped answering');
      return listPolls(accountId, from, to, thinBefore);
    };
    const explained: string[][] = [];
    const explain = quietEngine(explained);
    const ready = Promise.all([
      ...ids.map((id) => store.putAccount({ ...account, id, handle: `h${id}` })),
      store.putSubscriber(subscriber({ accountIds: ids })),
    ]);
    const tickDeps = {
      store,
      nights: new MemoryNights(),
      explain,
      queue: { send: async () => undefined },
      // The subscriber follows every account; the order handed to the engine is the one they follow in.
      wholeFleetUpTo: 0,
    };
    return { ready, tickDeps, added: () => explained.flat(), mostInFlight: () => mostInFlight };
  }

  it('should read a bounded number of histories at once and hand them to the engine in order', async () => {
    const night = largeNight(100);
    await night.ready;
    const summary = await planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 });
    expect(summary).toMatchObject({ due: 1, explained: 1, enqueued: 1 });
    expect(night.added()).toEqual(Array.from({ length: 100 }, (_, index) => `acct-${index}`));
    expect(night.mostInFlight()).toBe(32);
  });

  it('should fail the tick, storing no night, when a history cannot be read', async () => {
    const night = largeNight(50, 'acct-40');
    await night.ready;
    await expect(
      planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 }),
    ).rejects.toThrow('the store stopped answering');
    expect(await night.tickDeps.nights.getNightWindow(tick7)).toBeUndefined();
  });
});

describe('the digest tick, splitting a night too large for one invocation', () => {
  /** Twelve subscribers due at 08:00 Berlin, each following an account of their own. */
  function splitNight(accountsPerInvocation: number) {
    const { deps, store, sent } = setup(quiet, []);
    const ids = Array.from({ length: 12 }, (_, index) => `acct-${index}`);
    const explainedAccounts: string[][] = [];
    const explain = quietEngine(explainedAccounts);
    const nights = new MemoryNights();
    const digestJobs: DigestJob[] = [];
    const partJobs: DigestPartJob[] = [];
    const tickDeps = {
      store,
      nights,
      explain,
      queue: { send: async (jobs: readonly DigestJob[]) => void digestJobs.push(...jobs) },
      split: {
        accountsPerInvocation,
        queue: { send: async (jobs: readonly DigestPartJob[]) => void partJobs.push(...jobs) },
      },
    };
    const ready = Promise.all(
      ids.map(async (id, index) => {
        await store.putAccount({ ...account, id, handle: `h${id}` });
        await store.putSubscriber(
          subscriber({ id: `sub-${index}`, email: `s${index}@example.com`, accountIds: [id] }),
        );
      }),
    );
    const runParts = (jobs: readonly DigestPartJob[]) =>
      Promise.all(
        jobs.map((job) =>
          planDigestJobs(tickDeps, {
            scheduledTime: new Date(job.scheduledTime),
            historyDays: 28,
            part: job,
          }),
        ),
      );
    return {
      ready,
      tickDeps,
      partJobs,
      digestJobs,
      explainedAccounts,
      runParts,
      send: () => sendDigestJobs({ ...deps, nights }, digestJobs),
      sent,
      ids,
    };
  }

  it('should send the night out as parts, and the parts together should mail every subscriber once', async () => {
    // Arrange
    const night = splitNight(4);
    await night.ready;
    // Act
    const tick = await planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 });
    const parts = await night.runParts(night.partJobs);
    const results = await night.send();
    // Assert: the tick explained nothing itself and split the 12 accounts into 3 parts.
    expect(tick).toMatchObject({ due: 0, explained: 0, enqueued: 0, parts: 3 });
    expect(night.partJobs.map((job) => [job.part, job.parts, job.asOf])).toEqual([
      [0, 3, tick7.toISOString()],
      [1, 3, tick7.toISOString()],
      [2, 3, tick7.toISOString()],
    ]);
    // Each part explained only its own subscribers' accounts; together, each account once.
    expect(parts.reduce((sum, part) => sum + part.due, 0)).toBe(12);
    expect(parts.reduce((sum, part) => sum + part.accountsExplained, 0)).toBe(12);
    expect(night.explainedAccounts.flat().sort()).toEqual([...night.ids].sort());
    expect(night.explainedAccounts.every((accounts) => accounts.length < 12)).toBe(true);
    for (const [index, part] of parts.entries()) {
      const job = night.partJobs[index] as DigestPartJob;
      const ids = night.digestJobs
        .filter((digest) => digestPartOf(digest.subscriber.id, job.parts) === job.part)
        .map((digest) => digest.subscriber.id);
      expect(part).toMatchObject({ due: ids.length, enqueued: ids.length, parts: 0 });
    }
    expect(summarizeDigestJobs(results)).toMatchObject({ jobs: 12, sent: 12 });
    expect(new Set(night.sent.map((email) => email.to)).size).toBe(12);
  });

  it('should explain a night within the bound itself, with the split at hand', async () => {
    const night = splitNight(12);
    await night.ready;
    const tick = await planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 });
    expect(tick).toMatchObject({ due: 12, explained: 1, enqueued: 12, parts: 0 });
    expect(night.partJobs).toEqual([]);
    expect(night.explainedAccounts).toHaveLength(1);
  });

  it('should explain nothing twice and mail nobody twice when a part is delivered again', async () => {
    // Arrange
    const night = splitNight(4);
    await night.ready;
    await planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 });
    await night.runParts(night.partJobs);
    const explainedBefore = night.explainedAccounts.flat().length;
    // Act: every part again (a redelivery), then the workers for all the jobs the parts sent.
    const again = await night.runParts(night.partJobs);
    const results = await night.send();
    // Assert
    expect(again.map((part) => [part.explained, part.accountsExplained])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(night.explainedAccounts.flat()).toHaveLength(explainedBefore);
    expect(summarizeDigestJobs(results)).toMatchObject({ jobs: 24, sent: 12, alreadySent: 12 });
    expect(night.sent).toHaveLength(12);
  });

  it('should look up only its own subscribers’ sent markers in a part of a catch-up tick', async () => {
    // Arrange: the hour after the delivery hour, when the tick checks who was already sent.
    const night = splitNight(4);
    await night.ready;
    const catchUp = new Date(tick7.getTime() + 3_600_000);
    await planDigestJobs(night.tickDeps, { scheduledTime: catchUp, historyDays: 28 });
    const lookedUp: string[][] = [];
    const listSentDigests = night.tickDeps.store.listSentDigests.bind(night.tickDeps.store);
    night.tickDeps.store.listSentDigests = async (keys) => {
      lookedUp.push(keys.map((key) => key.subscriberId));
      return listSentDigests(keys);
    };
    // Act: one part after the other, so each lookup is known to be its part's.
    const parts = [];
    for (const job of night.partJobs) parts.push(...(await night.runParts([job])));
    // Assert: each part asked about its own subscribers, and together about each subscriber once.
    expect(lookedUp.map((ids) => ids.length)).toEqual(parts.map((part) => part.due));
    for (const [index, ids] of lookedUp.entries()) {
      const job = night.partJobs[index] as DigestPartJob;
      for (const id of ids) expect(digestPartOf(id, job.parts)).toBe(job.part);
    }
    expect(lookedUp.flat()).toHaveLength(12);
  });

  /** A signal that fires once `reads` histories have been asked for, as a deadline would mid-night. */
  function deadlineAfter(store: MemoryStore, reads: number): AbortSignal {
    const deadline = new AbortController();
    const listPolls = store.listPolls.bind(store);
    let count = 0;
    store.listPolls = async (...args) => {
      count += 1;
      if (count === reads) deadline.abort();
      return listPolls(...args);
    };
    return deadline.signal;
  }

  it('should hand a night it ran out of time on to two halves, which mail everyone once', async () => {
    // Arrange: a night within the bound, so the tick explains it itself, until its deadline.
    const night = splitNight(12);
    await night.ready;
    const signal = deadlineAfter(night.tickDeps.store, 5);
    // Act
    const tick = await planDigestJobs(night.tickDeps, {
      scheduledTime: tick7,
      historyDays: 28,
      signal,
    });
    night.tickDeps.store.listPolls = MemoryStore.prototype.listPolls.bind(night.tickDeps.store);
    const halves = await night.runParts(night.partJobs);
    const results = await night.send();
    // Assert: nothing stored or queued by the tick for the night; the halves did it all.
    expect(tick).toMatchObject({ due: 0, explained: 0, enqueued: 0, parts: 2 });
    expect(night.partJobs.map((job) => [job.part, job.parts])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(halves.reduce((sum, part) => sum + part.due, 0)).toBe(12);
    expect(summarizeDigestJobs(results)).toMatchObject({ jobs: 12, sent: 12 });
    expect(new Set(night.sent.map((email) => email.to)).size).toBe(12);
  });

  it('should split a part it ran out of time on into the two parts that share its subscribers', async () => {
    // Arrange: part 1 of 3 of a split night runs out of time.
    const night = splitNight(4);
    await night.ready;
    await planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28 });
    const [, second] = night.partJobs.splice(0) as DigestPartJob[];
    const signal = deadlineAfter(night.tickDeps.store, 1);
    // Act
    const ranOut = await planDigestJobs(night.tickDeps, {
      scheduledTime: tick7,
      historyDays: 28,
      part: second as DigestPartJob,
      signal,
    });
    night.tickDeps.store.listPolls = MemoryStore.prototype.listPolls.bind(night.tickDeps.store);
    const quarters = await night.runParts(night.partJobs);
    // Assert: parts 1 and 4 of 6 hold exactly the subscribers of part 1 of 3.
    expect(ranOut).toMatchObject({ due: 0, enqueued: 0, parts: 2 });
    expect(night.partJobs.map((job) => [job.part, job.parts])).toEqual([
      [1, 6],
      [4, 6],
    ]);
    const ofSecond = night.ids
      .map((_, index) => `sub-${index}`)
      .filter((id) => digestPartOf(id, 3) === 1)
      .sort();
    expect(night.digestJobs.map((job) => job.subscriber.id).sort()).toEqual(ofSecond);
    expect(quarters.reduce((sum, part) => sum + part.due, 0)).toBe(ofSecond.length);
  });

  it('should fail a part of one subscriber that runs out of time, rather than split it for ever', async () => {
    const night = splitNight(4);
    await night.ready;
    const id = 'sub-0';
    const part = { asOf: tick7.toISOString(), part: digestPartOf(id, 64), parts: 64 };
    const alone = night.ids.filter((_, index) => digestPartOf(`sub-${index}`, 64) === part.part);
    expect(alone).toHaveLength(1);
    const signal = deadlineAfter(night.tickDeps.store, 1);
    await expect(
      planDigestJobs(night.tickDeps, { scheduledTime: tick7, historyDays: 28, part, signal }),
    ).rejects.toThrow('no time left');
    expect(night.partJobs).toEqual([]);
    expect(night.digestJobs).toEqual([]);
  });

  it('should split by a hash of the subscriber id that spreads subscribers evenly and never changes', () => {
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 10_000; index++) {
      const part = digestPartOf(`subscriber-${index}`, 4);
      counts[part] = (counts[part] as number) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(2_300);
    expect(digestPartOf('sub-1', 7)).toBe(digestPartOf('sub-1', 7));
    expect(digestPartOf('', 3)).toBeLessThan(3);
  });

  it('should refuse a part job whose part is not below its parts', () => {
    const job = {
      kind: 'digest-part',
      scheduledTime: tick7.toISOString(),
      asOf: tick7.toISOString(),
    };
    expect(DigestPartJob.safeParse({ ...job, part: 2, parts: 3 }).success).toBe(true);
    expect(DigestPartJob.safeParse({ ...job, part: 3, parts: 3 }).success).toBe(false);
    expect(DigestPartJob.safeParse({ ...job, part: 0, parts: 1 }).success).toBe(true);
    expect(DigestPartJob.safeParse({ ...job, part: 1, parts: 1 }).success).toBe(false);
    expect(DigestPartJob.safeParse({ ...job, part: 0, parts: 0 }).success).toBe(false);
  });
});
