/**
 * End to end: simulated accounts polled slot by slot through all three stats sources against the fake TikTok,
 * with a different fault injected in almost every slot, stored in the real DynamoDB store (dynalite) and then
 * explained by the engine. Whatever went wrong, the stored series must never show a like drop.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeCipher, LocalDataKeys } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { DisplayApiSource } from '../../adapters/tiktok/display-api-source.ts';
import { ResearchApiSource } from '../../adapters/tiktok/research-api-source.ts';
import { MemoryQuotaLedger } from '../../adapters/tiktok/research-quota.ts';
import { SourceRouter } from '../../adapters/tiktok/source-router.ts';
import { WebPageSource } from '../../adapters/tiktok/web-page-source.ts';
import { explainFleet } from '../../core/explain/index.ts';
import { type Account, FLEET_FORMAT, type Fleet, type SourceKind } from '../../core/model.ts';
import { type AccountScenario, createWorld } from '../../core/simulate/world.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { FaultSpec } from '../../local/fake-tiktok/faults.ts';
import { FakeTikTok } from '../../local/fake-tiktok/server.ts';
import {
  type EmbeddedService,
  LOCAL_TABLE_NAME,
  startEmbeddedDynamoDb,
} from '../../local/services.ts';
import { pollEveryAccount } from '../fakes/poll-run.ts';

const AS_OF = new Date('2026-11-25T06:00:00Z');
const FIRST_SLOT = new Date(AS_OF.getTime() - 3 * DAY_MS);
const EVERY_HOURS = 2;

/** One fault per slot of the last day and a half; `undefined` slots are clean. */
const FAULTS: (FaultSpec | FaultSpec[] | undefined)[] = [
  { kind: 'rate_limit' },
  { kind: 'server_error' },
  { kind: 'timeout' },
  { kind: 'slow', delayMs: 1_000 },
  { kind: 'truncated_json' },
  { kind: 'malformed_json' },
  undefined,
  { kind: 'challenge_page' },
  { kind: 'empty_page' },
  { kind: 'empty_list' },
  { kind: 'cursor_loop' },
  undefined,
  { kind: 'missing_page' },
  [
    { kind: 'empty_list' },
    { kind: 'server_error', endpoint: '/v2/video/query/' },
    { kind: 'timeout', endpoint: 'web:video' },
  ],
  { kind: 'expired_token', times: 1 },
  { kind: 'rounded_stats' },
  { kind: 'web_status', statusCode: 10204 },
  { kind: 'missing_page', endpoint: '/v2/research/video/query/' },
  // What real TikTok answers showed (docs/sources.md).
  { kind: 'missing_count' },
  [{ kind: 'nul_username' }, { kind: 'rounded_v2' }],
  [{ kind: 'page_size_cursor' }, { kind: 'string_counts' }],
  [
    { kind: 'invalid_cursor', times: 1 },
    { kind: 'no_item_list' },
    { kind: 'bare_error', times: 1 },
  ],
  { kind: 'gateway_timeout', times: 2 },
  { kind: 'server_error', endpoint: '/v2/research/video/query/', times: 3 },
  { kind: 'daily_quota', endpoint: '/v2/research/video/query/' },
  { kind: 'revoked_refresh_token' },
];

function scenario(id: string, handle: string, medianViews: number): AccountScenario {
  return {
    id,
    handle,
    displayName: handle,
    initialVideos: 40,
    postingIntervalHours: 30,
    medianViews,
    likeRate: 0.08,
    followers: 20_000,
  };
}

describe('polling through faults', () => {
  let dynamo: EmbeddedService;
  let tiktok: FakeTikTok;
  let store: DynamoDbStore;
  let now = FIRST_SLOT;
  const accounts: Account[] = [
    ['7100000000000000001', 'alpha.bakes', 'display_api'],
    ['7100000000000000002', 'bravo.dances', 'research_api'],
    ['7100000000000000003', 'charlie.travels', 'web'],
  ].map(([id, handle, source]) => ({
    platform: 'tiktok',
    id: id as string,
    handle: handle as string,
    source: source as SourceKind,
    status: 'active',
    addedAt: FIRST_SLOT.toISOString(),
  }));
  const world = createWorld({
    seed: 7,
    start: new Date(FIRST_SLOT.getTime() - 2 * DAY_MS),
    end: AS_OF,
    accounts: accounts.map((account, index) =>
      scenario(account.id, account.handle, [30_000, 80_000, 15_000][index] as number),
    ),
  });

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    store = new DynamoDbStore(doc, {
      tableName: LOCAL_TABLE_NAME,
      credentialCipher: new EnvelopeCipher(new LocalDataKeys(randomBytes(32))),
      now: () => now,
    });
    tiktok = await FakeTikTok.start({ world, now: () => now });
    for (const account of accounts) await store.putAccount(account);
    const grant = tiktok.issueGrant(accounts[0]!.id);
    await store.putCredentials(accounts[0]!.id, {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token!,
      scope: grant.scope!,
    });
  });
  afterAll(async () => {
    await tiktok?.close();
    await dynamo?.close();
  });

  it('should store a poll for every account in every slot, and never a drop the engine calls a loss', async () => {
    const shared = { timeoutMs: 300, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 } };
    const source = new SourceRouter({
      display_api: new DisplayApiSource({
        ...shared,
        baseUrl: tiktok.url,
        credentials: store,
        client: tiktok.client,
      }),
      research_api: new ResearchApiSource({
        ...shared,
        baseUrl: tiktok.url,
        client: tiktok.client,
        ledger: new MemoryQuotaLedger(),
        pollEveryHours: EVERY_HOURS,
      }),
      web: new WebPageSource({ ...shared, baseUrl: tiktok.url }),
    });

    const slots = (3 * 24) / EVERY_HOURS;
    const faultFrom = slots + 1 - FAULTS.length;
    const statuses: string[] = [];
    for (let index = 0; index <= slots; index++) {
      now = new Date(FIRST_SLOT.getTime() + index * EVERY_HOURS * HOUR_MS);
      tiktok.clearFaults();
      const fault = index >= faultFrom ? FAULTS[index - faultFrom] : undefined;
      for (const spec of [fault ?? []].flat()) tiktok.setFault(spec);
      const { summary } = await pollEveryAccount({ store, source }, now, { concurrency: 3 });
      expect(summary.accounts).toBe(accounts.length);
      statuses.push(`${summary.ok}/${summary.partial}/${summary.failed}`);
    }

    const fleet: Fleet = {
      format: FLEET_FORMAT,
      accounts: await Promise.all(
        accounts.map(async (account) => ({
          platform: 'tiktok' as const,
          id: account.id,
          handle: account.handle,
          polls: await store.listPolls(account.id, FIRST_SLOT, AS_OF),
        })),
      ),
    };
    for (const account of fleet.accounts) expect(account.polls).toHaveLength(slots + 1);
    // The faults did show: not every poll is ok.
    const notOk = fleet.accounts
      .flatMap((account) => account.polls)
      .filter((poll) => poll.status !== 'ok');
    expect(notOk.length).toBeGreaterThan(FAULTS.length);

    // Items left out are named in their polls, never silently dropped.
    const rejected = fleet.accounts
      .flatMap((account) => account.polls)
      .flatMap((poll) => (poll.status === 'partial' ? (poll.rejected ?? []) : []));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((item) => item.video !== undefined && item.field !== '')).toBe(true);

    const explanation = explainFleet(fleet, { asOf: AS_OF });
    const verdicts = explanation.accounts.map((account) => [account.handle, account.verdict]);
    expect(
      verdicts.filter(([, verdict]) => verdict === 'loss'),
      JSON.stringify(statuses),
    ).toEqual([]);
    expect((await store.listAccounts()).find((a) => a.source === 'display_api')?.status).toBe(
      'needs_reauthorization',
    );
  });
});
