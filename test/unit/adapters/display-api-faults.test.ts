import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DisplayApiSource } from '../../../adapters/tiktok/display-api-source.ts';
import { SlidingWindowLimiter } from '../../../adapters/tiktok/rate-limiter.ts';
import { SourceRouter } from '../../../adapters/tiktok/source-router.ts';
import type { Account } from '../../../core/model.ts';
import type { PollHints, SourceCredentials } from '../../../core/ports.ts';
import type { World } from '../../../core/simulate/world.ts';
import type { FaultSpec } from '../../../local/fake-tiktok/faults.ts';
import { FakeTikTok } from '../../../local/fake-tiktok/server.ts';
import {
  AT,
  account,
  FAST_RETRY,
  KNOWN_ALL,
  MemoryVault,
  PROFILE,
  VIDEOS,
  WORLD,
} from '../../fakes/tiktok-fixture.ts';

describe('DisplayApiSource against the fake TikTok', () => {
  const acct = account('display_api');
  let tiktok: FakeTikTok;
  let now = AT;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world: WORLD, now: () => now });
  });
  afterEach(() => {
    tiktok.clearFaults();
    now = AT;
  });
  afterAll(async () => {
    await tiktok.close();
  });

  /** A source over a fresh grant; `vault.writes` shows every rotation stored. */
  function setUp(options: { timeoutMs?: number; credentials?: Partial<SourceCredentials> } = {}) {
    const grant = tiktok.issueGrant(acct.id, { accessTtlSeconds: 86_400 });
    const vault = new MemoryVault({
      [acct.id]: {
        accessToken: grant.access_token,
        refreshToken: grant.refresh_token,
        scope: grant.scope,
        ...options.credentials,
      },
    });
    const log = { warn: vi.fn() };
    const source = new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: vault,
      client: tiktok.client,
      timeoutMs: options.timeoutMs ?? 500,
      retry: FAST_RETRY,
      log,
    });
    return { source, vault, log, grant };
  }

  it('should read the profile, every page of videos and the username into an ok poll', async () => {
    const { source } = setUp();
    const outcome = await source.poll(acct, AT);
    expect(outcome.handle).toBe('maya.bakes');
    expect(outcome.poll).toMatchObject({ status: 'ok', profile: PROFILE });
    expect(outcome.poll.status === 'ok' && outcome.poll.videos).toHaveLength(VIDEOS.length);
    // Posting times in the contract's spelling (whole seconds, no fraction), which the store keeps compact.
    expect(
      outcome.poll.status === 'ok' && outcome.poll.videos.map((video) => video.postedAt),
    ).toEqual(VIDEOS.map((video) => video.postedAt));
  });

  it.each<[string, FaultSpec, string]>([
    ['a rate limit that lasts', { kind: 'rate_limit', endpoint: '/v2/user/info/' }, 'rate_limited'],
    [
      'a server error that lasts',
      { kind: 'server_error', endpoint: '/v2/user/info/' },
      'server_error',
    ],
    ['a request that never answers', { kind: 'timeout', endpoint: '/v2/user/info/' }, 'timeout'],
    ['an answer slower than the timeout', { kind: 'slow', delayMs: 2_000 }, 'timeout'],
    [
      'truncated JSON',
      { kind: 'truncated_json', endpoint: '/v2/user/info/' },
      'malformed_response',
    ],
    [
      'JSON of the wrong shape',
      { kind: 'malformed_json', endpoint: '/v2/user/info/' },
      'malformed_response',
    ],
    ['an empty body', { kind: 'empty_page', endpoint: '/v2/user/info/' }, 'malformed_response'],
    ['a bot-check page', { kind: 'challenge_page', endpoint: '/v2/user/info/' }, 'bot_check'],
  ])(
    'should record %s on the profile as a failed poll with its reason',
    async (_name, fault, reason) => {
      const { source } = setUp({ timeoutMs: 300 });
      tiktok.setFault(fault);
      const { poll } = await source.poll(acct, AT);
      expect(poll).toMatchObject({ status: 'failed', reason });
    },
  );

  it.each<[string, FaultSpec]>([
    ['a rate limit', { kind: 'rate_limit', times: 2 }],
    ['a server error', { kind: 'server_error', times: 1 }],
    ['a slow answer', { kind: 'slow', delayMs: 50, times: 3 }],
  ])('should ride out %s with bounded, jittered retries', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
  });

  it.each<[string, FaultSpec]>([
    ['an empty video list', { kind: 'empty_list' }],
    ['a cursor that repeats', { kind: 'cursor_loop' }],
    ['a list missing a page', { kind: 'missing_page', times: 1 }],
    ['a failing page', { kind: 'server_error', endpoint: '/v2/video/list/' }],
    ['a truncated page', { kind: 'truncated_json', endpoint: '/v2/video/list/' }],
  ])('should record %s as a partial poll, never as vanished videos', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT);
    expect(poll).toMatchObject({ status: 'partial', profile: PROFILE });
    expect(poll.status === 'partial' && poll.reason).toBeTruthy();
  });

  it.each<[string, FaultSpec]>([
    ['an empty video list', { kind: 'empty_list' }],
    ['a cursor that repeats', { kind: 'cursor_loop' }],
    ['a list missing a page', { kind: 'missing_page', times: 1 }],
  ])('should re-read the known videos by id after %s', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll.status).toBe('ok');
    expect(poll.status === 'ok' && poll.videos.map((video) => video.id).sort()).toEqual(
      VIDEOS.map((video) => video.id).sort(),
    );
  });

  it('should stay partial when the known videos cannot be re-read either', async () => {
    const { source } = setUp();
    tiktok.setFault({ kind: 'empty_list' });
    tiktok.setFault({ kind: 'server_error', endpoint: '/v2/video/query/' });
    const hints: PollHints = KNOWN_ALL;
    const { poll } = await source.poll(acct, AT, undefined, hints);
    expect(poll).toMatchObject({ status: 'partial' });
  });

  it('should refresh an expired access token once, store the rotated refresh token first, and retry', async () => {
    const { source, vault, grant } = setUp();
    tiktok.setFault({ kind: 'expired_token', times: 1 });
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
    expect(vault.writes[0]?.refreshToken).not.toBe(grant.refresh_token);
    expect(vault.writes[0]?.accessTokenExpiresAt).toBeDefined();
    // The next poll uses the rotated credentials without refreshing again.
    const again = await source.poll(acct, AT);
    expect(again.poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
  });

  it('should refresh proactively when the access token is about to expire at the slot polled', async () => {
    const { source, vault } = setUp({
      credentials: { accessTokenExpiresAt: new Date(AT.getTime() + 60_000).toISOString() },
    });
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
    // The new token's lifetime (24 hours, as the fake grants it) counts from the slot too.
    expect(vault.writes[0]?.accessTokenExpiresAt).toBe(
      new Date(AT.getTime() + 86_400_000).toISOString(),
    );
  });

  it('should judge the access token at the slot polled, not at the time the poll runs', async () => {
    // Valid for an hour after the slot, whatever this machine's clock says.
    const { source, vault } = setUp({
      credentials: { accessTokenExpiresAt: new Date(AT.getTime() + 3_600_000).toISOString() },
    });
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(0);
    const later = new Date(AT.getTime() + 3_300_000);
    now = later;
    expect((await source.poll(acct, later)).poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
  });

  it('should share one refresh between concurrent polls of the same account', async () => {
    const { source, vault } = setUp({
      credentials: { accessTokenExpiresAt: new Date(AT.getTime() - 1).toISOString() },
    });
    const polls = await Promise.all([source.poll(acct, AT), source.poll(acct, AT)]);
    expect(polls.map((outcome) => outcome.poll.status)).toEqual(['ok', 'ok']);
    expect(vault.writes).toHaveLength(1);
  });

  it.each<[string, FaultSpec]>([
    ['a revoked grant (invalid_grant on refresh)', { kind: 'revoked_refresh_token' }],
    ['a withdrawn scope', { kind: 'scope_revoked' }],
  ])(
    'should mark the account for re-authorization after %s and warn operators',
    async (_name, fault) => {
      const { source, log } = setUp();
      tiktok.setFault(fault);
      const outcome = await source.poll(acct, AT);
      expect(outcome).toMatchObject({
        poll: { status: 'failed', reason: 'needs_reauthorization' },
        accountStatus: 'needs_reauthorization',
      });
      expect(log.warn).toHaveBeenCalledWith(
        'TikTok account needs re-authorization',
        expect.objectContaining({ accountId: acct.id, source: 'display_api' }),
      );
    },
  );

  it('should mark a grant without the stats scope for re-authorization without calling TikTok', async () => {
    const { source } = setUp({ credentials: { scope: 'user.info.basic,video.list' } });
    const outcome = await source.poll(acct, AT);
    expect(outcome.accountStatus).toBe('needs_reauthorization');
  });

  it('should keep every endpoint under its per-minute limit across concurrent polls', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    const limiter = new SlidingWindowLimiter({
      limit: 2,
      windowMs: 60_000,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    const grant = tiktok.issueGrant(acct.id);
    const source = new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: new MemoryVault({ [acct.id]: { accessToken: grant.access_token } }),
      timeoutMs: 500,
      limiter,
    });
    const polls = await Promise.all([1, 2, 3].map(() => source.poll(acct, AT)));
    expect(polls.every((outcome) => outcome.poll.status === 'ok')).toBe(true);
    // Three polls, two allowed per minute per endpoint: the third waited for the window to slide.
    expect(sleeps.length).toBeGreaterThan(0);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(60_000);
  });
});

/** A vault that counts its reads: one-account reads and batch reads (which can be made to fail). */
class CountingVault extends MemoryVault {
  singleReads = 0;
  readonly batchReads: string[][] = [];
  failBatch = false;
  /** When set, a batch read answers (with what it read before) only once this settles. */
  gate: Promise<void> | undefined;

  override async getCredentials(accountId: string) {
    this.singleReads += 1;
    return super.getCredentials(accountId);
  }

  override async getManyCredentials(accountIds: readonly string[]) {
    this.batchReads.push([...accountIds]);
    if (this.failBatch) throw new Error('ProvisionedThroughputExceededException');
    const found = new Map<string, SourceCredentials>();
    for (const accountId of accountIds) {
      const credentials = await super.getCredentials(accountId);
      if (credentials) found.set(accountId, credentials);
    }
    await this.gate;
    return found;
  }
}

describe('DisplayApiSource reading the credentials of a prepared batch', () => {
  const accounts: Account[] = ['71', '72', '73', '74'].map((prefix, index) => ({
    ...account('display_api'),
    id: `${prefix}00000000000000001`,
    handle: `creator.${index}`,
  }));
  const world: World = {
    accounts: accounts.map((acct) => ({ id: acct.id, handle: acct.handle, displayName: acct.id })),
    observe: () => ({ profile: PROFILE, videos: VIDEOS }),
  };
  const first = accounts[0] as Account;
  let tiktok: FakeTikTok;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world, now: () => AT });
  });
  afterEach(() => {
    tiktok.clearFaults();
  });
  afterAll(async () => {
    await tiktok.close();
  });

  /** Fresh grants for every account; `tokens` lists the access token of every Display API request. */
  function setUp() {
    const grants = new Map(accounts.map((acct) => [acct.id, tiktok.issueGrant(acct.id)]));
    const vault = new CountingVault(
      Object.fromEntries(
        [...grants].map(([id, grant]) => [
          id,
          {
            accessToken: grant.access_token,
            refreshToken: grant.refresh_token,
            scope: grant.scope,
          },
        ]),
      ),
    );
    const tokens: string[] = [];
    const log = { warn: vi.fn() };
    const options = {
      baseUrl: tiktok.url,
      credentials: vault,
      client: tiktok.client,
      timeoutMs: 500,
      retry: FAST_RETRY,
      log,
      fetch: ((url: string | URL | Request, init?: RequestInit) => {
        const token = new Headers(init?.headers).get('authorization')?.replace('Bearer ', '');
        if (token) tokens.push(token);
        return fetch(url, init);
      }) as typeof fetch,
    };
    const source = new DisplayApiSource(options);
    return { source, vault, grants, tokens, log, options };
  }

  const pollAll = (source: DisplayApiSource) =>
    Promise.all(accounts.map((acct) => source.poll(acct, AT)));

  it('should read a batch of accounts with one batch read and no single reads', async () => {
    const { source, vault } = setUp();
    // Act: prepared through the router, as the poll worker does.
    await new SourceRouter({ display_api: source }).prepare(accounts, AT);
    const outcomes = await pollAll(source);
    // Assert
    expect(outcomes.map((outcome) => outcome.poll.status)).toEqual(accounts.map(() => 'ok'));
    expect(vault.batchReads).toEqual([accounts.map((acct) => acct.id)]);
    expect(vault.singleReads).toBe(0);
    // Each prefetched copy serves one poll: polling again reads the vault.
    await pollAll(source);
    expect(vault.singleReads).toBe(accounts.length);
    expect(vault.batchReads).toHaveLength(1);
  });

  it('should serve overlapping batches, leave out accounts awaiting re-authorization and drop old batches', async () => {
    const { source, vault } = setUp();
    await source.prepare(accounts, AT);
    const blocked = { ...first, status: 'needs_reauthorization' as const };
    await source.prepare([blocked, ...accounts.slice(1, 3)], AT);
    await pollAll(source);
    expect(vault.batchReads.at(-1)).toEqual(accounts.slice(1, 3).map((acct) => acct.id));
    // Both batches are served: every account's first read came from one of them.
    expect(vault.singleReads).toBe(0);
    // Four more batches push the first two out: their leftover copies are no longer handed out.
    for (let batch = 0; batch < 4; batch++) await source.prepare([], AT);
    await pollAll(source);
    expect(vault.singleReads).toBe(accounts.length);
  });

  it('should re-read the vault when a prefetched token was rotated meanwhile, never reuse the stale copy', async () => {
    const { source, vault, grants, tokens, options } = setUp();
    await source.prepare(accounts, AT);
    // Another worker finds the first account's access token expired, rotates it and stores the new grant:
    // the prefetched access token is now refused and its refresh token is dead.
    const otherWorker = new DisplayApiSource({ ...options, fetch });
    tiktok.setFault({ kind: 'expired_token', times: 1 });
    expect((await otherWorker.poll(first, AT)).poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
    const rotated = vault.writes[0] as SourceCredentials;
    // Act
    const outcome = await source.poll(first, AT);
    // Assert: the refusal made this worker read the vault and use the rotated grant, without rotating again.
    // The profile and the first list page go out together, so both carried the stale token; nothing after.
    expect(outcome.poll.status).toBe('ok');
    expect(outcome.accountStatus).toBeUndefined();
    expect(vault.writes).toHaveLength(1);
    const firstRotated = tokens.indexOf(rotated.accessToken);
    const stale = grants.get(first.id)?.access_token;
    expect(tokens.slice(0, firstRotated)).toEqual([stale, stale]);
    expect(tokens.slice(firstRotated).every((token) => token === rotated.accessToken)).toBe(true);
  });

  it('should drop the prefetched copy when the account is refreshed, and poll with the rotated token', async () => {
    const { source, vault, grants, tokens } = setUp();
    await source.prepare(accounts, AT);
    const grant = grants.get(first.id);
    // A concurrent poll of the account refreshes its token before this one starts.
    const rotated = await source.refresh(
      first.id,
      {
        accessToken: grant?.access_token ?? '',
        refreshToken: grant?.refresh_token ?? '',
      },
      AT,
    );
    expect(vault.writes).toEqual([rotated]);
    // Act
    const outcome = await source.poll(first, AT);
    // Assert: the rotation re-read the vault, and so did the poll; only the rotated token went out.
    expect(outcome.poll.status).toBe('ok');
    expect(vault.singleReads).toBe(2);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((token) => token === rotated.accessToken)).toBe(true);
  });

  it('should let the router finish the batch read even when another source fails to prepare', async () => {
    const { source, vault } = setUp();
    vault.gate = new Promise((resolve) => setTimeout(resolve, 20));
    const research = {
      poll: vi.fn(),
      prepare: async () => {
        throw new Error('quota ledger unavailable');
      },
    };
    const router = new SourceRouter({ display_api: source, research_api: research });
    const researched: Account = { ...first, id: 'research-1', source: 'research_api' };
    // Act
    await expect(router.prepare([...accounts, researched], AT)).rejects.toThrow(
      'quota ledger unavailable',
    );
    await pollAll(source);
    // Assert
    expect(vault.batchReads).toEqual([accounts.map((acct) => acct.id)]);
    expect(vault.singleReads).toBe(0);
  });

  it('should not keep what a batch read returns for an account refreshed while it was in flight', async () => {
    const { source, vault, grants, tokens } = setUp();
    let answer = () => {};
    vault.gate = new Promise((resolve) => {
      answer = resolve;
    });
    const preparing = source.prepare(accounts, AT);
    const grant = grants.get(first.id);
    const rotated = await source.refresh(
      first.id,
      {
        accessToken: grant?.access_token ?? '',
        refreshToken: grant?.refresh_token ?? '',
      },
      AT,
    );
    answer();
    await preparing;
    // Act
    const outcomes = await pollAll(source);
    // Assert: the first account's copy (read before the rotation) was dropped; the others were used.
    expect(outcomes.map((outcome) => outcome.poll.status)).toEqual(accounts.map(() => 'ok'));
    expect(vault.singleReads).toBe(2);
    expect(tokens).not.toContain(grant?.access_token);
    expect(tokens).toContain(rotated.accessToken);
  });

  it('should poll every account through single reads when the batch read fails', async () => {
    const { source, vault, log } = setUp();
    vault.failBatch = true;
    // Act: the failed read does not fail the preparation.
    await source.prepare(accounts, AT);
    const outcomes = await pollAll(source);
    // Assert
    expect(outcomes.map((outcome) => outcome.poll.status)).toEqual(accounts.map(() => 'ok'));
    expect(vault.batchReads).toHaveLength(1);
    expect(vault.singleReads).toBe(accounts.length);
    expect(log.warn).toHaveBeenCalledWith(
      'TikTok credentials not prefetched; reading them per account',
      expect.objectContaining({ accounts: accounts.length, source: 'display_api' }),
    );
  });
});
