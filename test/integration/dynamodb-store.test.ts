import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import type { Account, Poll, Subscriber } from '../../core/model.ts';
import {
  type EmbeddedService,
  LOCAL_TABLE_NAME,
  startEmbeddedDynamoDb,
} from '../../local/services.ts';

describe('DynamoDbStore (against dynalite)', () => {
  let dynamo: EmbeddedService;
  let store: DynamoDbStore;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    store = new DynamoDbStore(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      { tableName: LOCAL_TABLE_NAME, claimLeaseMinutes: 15 },
    );
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const account: Account = {
    platform: 'tiktok',
    id: 'acct-1',
    handle: 'maya.bakes',
    source: 'display_api',
    status: 'active',
    addedAt: '2026-11-01T00:00:00Z',
  };

  it('should list the accounts and subscribers that were put, and update an account status', async () => {
    // Arrange
    const subscriber: Subscriber = {
      id: 'sub-1',
      email: 'maya@example.com',
      timeZone: 'Europe/Berlin',
      deliveryHour: 7,
      quietNights: 'skip',
      accountIds: ['acct-1'],
    };
    // Act
    await store.putAccount(account);
    await store.putAccount({ ...account, id: 'acct-2', handle: 'other' });
    await store.putSubscriber(subscriber);
    await store.setAccountStatus('acct-2', 'needs_reauthorization');
    // Assert
    const accounts = await store.listAccounts();
    expect(accounts.map((a) => [a.id, a.status])).toEqual([
      ['acct-1', 'active'],
      ['acct-2', 'needs_reauthorization'],
    ]);
    expect(await store.listSubscribers()).toEqual([subscriber]);
  });

  it('should return polls in a time range, oldest first, exactly as stored, with one item per slot', async () => {
    // Arrange
    const poll = (at: string, likes: number): Poll => ({
      at,
      status: 'ok',
      profile: { followers: 10, following: 2, likes, videos: 1 },
      videos: [
        {
          id: 'v1',
          postedAt: '2026-10-01T00:00:00Z',
          views: 100,
          likes,
          comments: 1,
          shares: 0,
          saves: null,
          title: 'Bread 🍞',
        },
      ],
    });
    const failed: Poll = { at: '2026-11-02T00:00:00Z', status: 'failed', reason: 'rate_limited' };
    // Act: the second write to the 01:00 slot stands for a retried poll run.
    await store.putPoll('acct-1', '2026-11-01T00:00:00.000Z', poll('2026-11-01T00:00:00Z', 5));
    await store.putPoll('acct-1', '2026-11-01T12:00:00.000Z', poll('2026-11-01T12:00:00Z', 6));
    await store.putPoll('acct-1', '2026-11-01T12:00:00.000Z', poll('2026-11-01T12:00:00Z', 7));
    await store.putPoll('acct-1', '2026-11-02T00:00:00.000Z', failed);
    // Assert
    const all = await store.listPolls(
      'acct-1',
      new Date('2026-10-31T00:00:00Z'),
      new Date('2026-11-03T00:00:00Z'),
    );
    expect(all).toEqual([poll('2026-11-01T00:00:00Z', 5), poll('2026-11-01T12:00:00Z', 7), failed]);
    const some = await store.listPolls(
      'acct-1',
      new Date('2026-11-01T06:00:00Z'),
      new Date('2026-11-01T12:00:00Z'),
    );
    expect(some).toEqual([poll('2026-11-01T12:00:00Z', 7)]);
  });

  it('should let exactly one of 20 concurrent claims of the same digest win', async () => {
    // Act
    const claims = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.claimDigest('sub-1', '2026-11-25', new Date('2026-11-25T07:00:00Z')),
      ),
    );
    // Assert
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('should let a stale claim be taken over, but never a sent digest', async () => {
    // Arrange
    const t0 = new Date('2026-11-26T07:00:00Z');
    const later = new Date(t0.getTime() + 16 * 60_000);
    expect(await store.claimDigest('sub-2', '2026-11-26', t0)).toBe(true);
    // Act / Assert: within the lease nobody else may claim; after it, the abandoned claim is taken over.
    expect(await store.claimDigest('sub-2', '2026-11-26', new Date(t0.getTime() + 60_000))).toBe(
      false,
    );
    expect(await store.claimDigest('sub-2', '2026-11-26', later)).toBe(true);
    await store.markDigestSent('sub-2', '2026-11-26', 'msg-1');
    expect(
      await store.claimDigest('sub-2', '2026-11-26', new Date(later.getTime() + 3_600_000)),
    ).toBe(false);
  });

  it('should make a released claim available again', async () => {
    const at = new Date('2026-11-27T07:00:00Z');
    expect(await store.claimDigest('sub-3', '2026-11-27', at)).toBe(true);
    await store.releaseDigest('sub-3', '2026-11-27');
    expect(await store.claimDigest('sub-3', '2026-11-27', at)).toBe(true);
  });

  it('should keep source credentials per account', async () => {
    await store.putCredentials('acct-1', { accessToken: 'act.one', scope: 'video.list' });
    expect(await store.getCredentials('acct-1')).toEqual({
      accessToken: 'act.one',
      scope: 'video.list',
    });
    expect(await store.getCredentials('acct-unknown')).toBeUndefined();
  });
});
