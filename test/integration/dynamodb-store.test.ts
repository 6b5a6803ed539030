/**
 * The store's contract, run against every local DynamoDB: dynalite (the embedded default) and, when Java is
 * present, DynamoDB Local (AWS's emulator). Both must behave the same for every access pattern the store uses.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeCipher, LocalDataKeys } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore, type DynamoDbStoreOptions } from '../../adapters/dynamodb-store.ts';
import { traceVideo } from '../../core/digest/poll-history.ts';
import { InvalidConfigError, StoreError } from '../../core/errors.ts';
import type {
  Account,
  AccountExplanation,
  Poll,
  Subscriber,
  VideoStats,
} from '../../core/model.ts';
import { pollMinuteOf } from '../../core/poll-schedule.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { javaAvailable, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import {
  type EmbeddedService,
  LOCAL_TABLE_NAME,
  startEmbeddedDynamoDb,
} from '../../local/services.ts';

const JAVA = javaAvailable();
if (!JAVA) {
  console.warn(
    'NOTE: no Java runtime found; the DynamoDB Local half of the store contract is skipped.',
  );
}

describe('DynamoDbStore contract (dynalite)', () => {
  storeContract(startEmbeddedDynamoDb);
});

describe.skipIf(!JAVA)('DynamoDbStore contract (DynamoDB Local)', () => {
  storeContract(startDynamoDbLocal);
});

function storeContract(start: () => Promise<EmbeddedService>): void {
  let dynamo: EmbeddedService;
  let doc: DynamoDBDocumentClient;
  let store: DynamoDbStore;
  const cipher = new EnvelopeCipher(new LocalDataKeys(randomBytes(32)));
  const storeWith = (options: Partial<DynamoDbStoreOptions> = {}) =>
    new DynamoDbStore(doc, {
      tableName: LOCAL_TABLE_NAME,
      claimLeaseMinutes: 15,
      credentialCipher: cipher,
      ...options,
    });
  /** Every item of an account partition whose sort key starts with `prefix`. */
  const itemsOf = async (accountId: string, prefix: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: LOCAL_TABLE_NAME,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': prefix },
        }),
      )
    ).Items ?? [];

  /** A store whose requests are recorded by command name. */
  const counted = (options: Partial<DynamoDbStoreOptions> = {}) => {
    const sent: string[] = [];
    const counting = Object.assign(Object.create(doc), {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return doc.send(command as GetCommand);
      },
    }) as DynamoDBDocumentClient;
    return {
      store: new DynamoDbStore(counting, { tableName: LOCAL_TABLE_NAME, ...options }),
      sent,
    };
  };

  beforeAll(async () => {
    dynamo = await start();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    store = storeWith();
  });
  afterAll(async () => {
    doc?.destroy();
    await dynamo?.close();
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

  it('should find the accounts of given poll minutes through the index, as they are now', async () => {
    // Arrange: 40 accounts; one changes status, one is removed.
    const ids = Array.from({ length: 40 }, (_, index) => `acct-minute-${index}`);
    for (const id of ids) await store.putAccount({ ...account, id, handle: `h-${id}` });
    await store.setAccountStatus('acct-minute-1', 'needs_reauthorization');
    await store.deleteAccount('acct-minute-2');
    const minutes = [...new Set(ids.slice(0, 10).map(pollMinuteOf))];
    // Act
    const found = await store.listAccountsInPollMinutes(minutes);
    // Assert: exactly the accounts (of any test) with those minutes, with their current fields.
    const expected = (await store.listAccounts()).filter((candidate) =>
      minutes.includes(pollMinuteOf(candidate.id)),
    );
    expect(found.map((a) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    expect(found.map((a) => a.id)).toContain('acct-minute-0');
    expect(found.map((a) => a.id)).not.toContain('acct-minute-2');
    expect(found.find((a) => a.id === 'acct-minute-1')?.status).toBe('needs_reauthorization');
    expect(await store.listAccountsInPollMinutes([])).toEqual([]);
  });

  it('should return polls in a time range, oldest first, exactly as stored, with one item per slot', async () => {
    // Arrange
    const failed: Poll = { at: '2026-11-02T00:00:00Z', status: 'failed', reason: 'rate_limited' };
    // Act: the second write to the 12:00 slot stands for a retried poll run, which leaves the first ok poll.
    await store.putPoll('acct-1', '2026-11-01T00:00:00.000Z', smallPoll('2026-11-01T00:00:00Z', 5));
    await store.putPoll('acct-1', '2026-11-01T12:00:00.000Z', smallPoll('2026-11-01T12:00:00Z', 6));
    await store.putPoll('acct-1', '2026-11-01T12:00:00.000Z', smallPoll('2026-11-01T12:00:00Z', 7));
    await store.putPoll('acct-1', '2026-11-02T00:00:00.000Z', failed);
    // Assert
    const all = await store.listPolls(
      'acct-1',
      new Date('2026-10-31T00:00:00Z'),
      new Date('2026-11-03T00:00:00Z'),
    );
    expect(all).toEqual([
      smallPoll('2026-11-01T00:00:00Z', 5),
      smallPoll('2026-11-01T12:00:00Z', 6),
      failed,
    ]);
    const some = await store.listPolls(
      'acct-1',
      new Date('2026-11-01T06:00:00Z'),
      new Date('2026-11-01T12:00:00Z'),
    );
    expect(some).toEqual([smallPoll('2026-11-01T12:00:00Z', 6)]);
    expect(await itemsOf('acct-1', 'POLL#')).toHaveLength(3);
  });

  it('should store titles once a day at a cadence, where a reader of the day’s polls finds them', async () => {
    // Arrange
    const atCadence = storeWith({ pollCadenceHours: 6 });
    const slots = ['00:00', '06:00', '12:00', '18:00'].map((time) => `2026-11-03T${time}:00Z`);
    // Act
    for (const [index, slot] of slots.entries()) {
      await atCadence.putPoll('acct-titles', slot, smallPoll(slot, 10 + index));
    }
    const polls = await atCadence.listPolls(
      'acct-titles',
      new Date('2026-11-03T00:00:00Z'),
      new Date('2026-11-03T23:00:00Z'),
    );
    // Assert: the counts of every poll, the title in the first only; the digest's reading still finds it.
    expect(polls.map((poll) => 'videos' in poll && poll.videos[0]?.likes)).toEqual([
      10, 11, 12, 13,
    ]);
    expect(polls.map((poll) => 'videos' in poll && poll.videos[0]?.title)).toEqual([
      'Bread 🍞',
      undefined,
      undefined,
      undefined,
    ]);
    expect(traceVideo(polls, 'v1').title).toBe('Bread 🍞');
    // Without a cadence (imports, one-off runs) every poll keeps its titles.
    await store.putPoll('acct-all-titles', slots[2] as string, smallPoll(slots[2] as string, 3));
    expect(
      await store.listPolls(
        'acct-all-titles',
        new Date(slots[0] as string),
        new Date(slots[3] as string),
      ),
    ).toEqual([smallPoll(slots[2] as string, 3)]);
  });

  it('should store a 5,000-video poll whose titles do not compress across several items and read it back whole', async () => {
    // Arrange
    const poll = bigPoll('2026-11-05T06:00:00Z', 5_000, 1);
    // Act
    await store.putPoll('acct-big', poll.at, poll);
    await store.putPoll('acct-big', poll.at, bigPoll(poll.at, 5_000, 2));
    // Assert: split over more than one item, and the retry, refused, left no chunk of its own.
    const items = await itemsOf('acct-big', 'POLL#');
    expect(items.length).toBeGreaterThan(1);
    expect(new Set(items.map((item) => item.writeId ?? String(item.sk).split('#')[2])).size).toBe(
      1,
    );
    const [read] = await store.listPolls('acct-big', new Date(poll.at), new Date(poll.at));
    expect(read).toEqual(poll);
  });

  it('should end concurrent writes of one slot with exactly one of them, whole', async () => {
    // Arrange
    const at = '2026-11-06T06:00:00Z';
    const versions = [1, 2, 3, 4].map((version) => bigPoll(at, 5_000, version));
    // Act
    await Promise.all(versions.map((poll) => store.putPoll('acct-race', at, poll)));
    // Assert
    const polls = await store.listPolls('acct-race', new Date(at), new Date(at));
    expect(polls).toHaveLength(1);
    expect(versions).toContainEqual(polls[0]);
    const items = await itemsOf('acct-race', 'POLL#');
    const heads = items.filter((item) => item.chunks !== undefined);
    expect(heads).toHaveLength(1);
    expect(items).toHaveLength(Number(heads[0]?.chunks));
  });

  it('should write a day’s later polls as references to its first, in one write unit each, read back exactly', async () => {
    // Arrange: an account of 50 videos with TikTok-like ids, polled every 6 hours for a day.
    const atCadence = storeWith({ pollCadenceHours: 6 });
    const slots = ['02:00', '08:00', '14:00', '20:00'].map((time) => `2026-11-04T${time}:00Z`);
    const fifty = (likes: number, slot: string): Poll => ({
      ...(smallPoll(slot, likes) as Extract<Poll, { status: 'ok' }>),
      videos: Array.from({ length: 50 }, (_, index) => {
        const seconds = Date.parse('2026-10-30T10:00:00Z') / 1000 - index * 90_000;
        const low = createHash('sha256').update(String(index)).digest().readUInt32BE(0);
        return {
          id: ((BigInt(seconds) << 32n) | BigInt(low)).toString(),
          postedAt: new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'),
          views: 40_000 + index * 977 + likes,
          likes: 2_000 + index * 31 + likes,
          comments: 20 + index,
          shares: 5 + (index % 7),
        };
      }),
    });
    const polls = slots.map((slot, index) => fifty(index * 3, slot));
    // Act
    for (const [index, slot] of slots.entries()) {
      const result = await atCadence.putPolls([
        { accountId: 'acct-refs', slot, poll: polls[index] as Poll },
      ]);
      expect(result).toEqual([undefined]);
    }
    const items = await itemsOf('acct-refs', 'POLL#');
    const sizes = items.map(itemBytes);
    // Assert: the first poll is whole; the later ones leave out 50 ids and posting times, fit one write unit
    // and expire with the first.
    expect(sizes.slice(1).map((bytes) => Math.ceil(bytes / 1024))).toEqual([1, 1, 1]);
    for (const bytes of sizes.slice(1)) expect(bytes).toBeLessThan((sizes[0] as number) - 50 * 6);
    expect(new Set(items.map((item) => item.expiresAt)).size).toBe(1);
    // Read back exactly, whether the range holds the first poll or not.
    const day = await atCadence.listPolls(
      'acct-refs',
      new Date('2026-11-04T00:00:00Z'),
      new Date('2026-11-04T23:59:00Z'),
    );
    expect(day).toEqual(polls);
    const afternoon = await atCadence.listPolls(
      'acct-refs',
      new Date('2026-11-04T13:00:00Z'),
      new Date('2026-11-04T23:59:00Z'),
    );
    expect(afternoon).toEqual(polls.slice(2));
    // A retried delivery of the first slot does not replace what the later polls refer to.
    await atCadence.putPolls([
      { accountId: 'acct-refs', slot: slots[0] as string, poll: fifty(99, slots[0] as string) },
    ]);
    expect(
      await atCadence.listPolls(
        'acct-refs',
        new Date(slots[0] as string),
        new Date(slots[3] as string),
      ),
    ).toEqual(polls);
  });

  it('should let a later ok or partial poll of a slot replace a failed one, and never the reverse', async () => {
    // Arrange: each account's slot gets a sequence of deliveries, one at a time and in a batch.
    const at = '2026-11-07T06:00:00Z';
    const failed: Poll = { at, status: 'failed', reason: 'timeout', detail: 'no answer in 10 s' };
    const partial: Poll = {
      ...smallPoll(at, 4),
      status: 'partial',
      reason: 'missing_pages',
    } as Poll;
    const ok = smallPoll(at, 5);
    const sequences: Array<[string, Poll[], Poll]> = [
      ['heal-failed-ok', [failed, ok], ok],
      ['heal-failed-partial', [failed, partial], partial],
      ['heal-partial-ok', [partial, ok], ok],
      ['keep-ok-failed', [ok, failed], ok],
      ['keep-ok-partial', [ok, partial], ok],
      ['keep-partial-failed', [partial, failed], partial],
      ['keep-ok-partial-failed', [ok, partial, failed], ok],
    ];
    // Act: one poll at a time, then the same sequences as batches of a worker.
    for (const [id, deliveries] of sequences) {
      for (const poll of deliveries) await store.putPoll(id, at, poll);
      for (const poll of deliveries) {
        expect(await store.putPolls([{ accountId: `${id}-batch`, slot: at, poll }])).toEqual([
          undefined,
        ]);
      }
    }
    // Assert
    for (const [id, , kept] of sequences) {
      for (const accountId of [id, `${id}-batch`]) {
        expect([accountId, await store.listPolls(accountId, new Date(at), new Date(at))]).toEqual([
          accountId,
          [kept],
        ]);
      }
    }
  });

  it('should keep a chunked ok poll whole under a late partial one, and leave no chunk of the refused write', async () => {
    // Arrange
    const at = '2026-11-08T06:00:00Z';
    const ok = bigPoll(at, 5_000, 1);
    const partial = {
      ...bigPoll(at, 5_000, 2),
      status: 'partial',
      reason: 'missing_pages',
    } as Poll;
    await store.putPoll('acct-big-keep', at, ok);
    // Act
    await store.putPoll('acct-big-keep', at, partial);
    // Assert
    expect(await store.listPolls('acct-big-keep', new Date(at), new Date(at))).toEqual([ok]);
    const items = await itemsOf('acct-big-keep', 'POLL#');
    const heads = items.filter((item) => item.chunks !== undefined);
    expect(items).toHaveLength(Number(heads[0]?.chunks));
  });

  it('should end twenty concurrent deliveries of a slot, some of them failed, with an ok poll', async () => {
    // Arrange: the failures finish last, as a timed-out request does.
    const at = '2026-11-09T06:00:00Z';
    const failed: Poll = { at, status: 'failed', reason: 'timeout', detail: 'no answer' };
    const deliveries = Array.from({ length: 20 }, (_, index) =>
      index % 4 === 0 ? smallPoll(at, 9) : failed,
    );
    // Act
    await Promise.all(
      deliveries.map((poll) => store.putPolls([{ accountId: 'acct-20', slot: at, poll }])),
    );
    // Assert
    expect(await store.listPolls('acct-20', new Date(at), new Date(at))).toEqual([
      smallPoll(at, 9),
    ]);
  });

  it('should replace expired raw polls by one poll a day from the daily roll-ups, keeping the day’s like range', async () => {
    // Arrange: ten days of 6-hourly polls, written as they happen, kept 3 days.
    const start = Date.parse('2026-09-01T00:00:00Z');
    let now = start;
    const writer = storeWith({ pollRetentionDays: 3, now: () => new Date(now) });
    for (let slot = 0; slot < 40; slot += 1) {
      now = start + slot * 6 * HOUR_MS;
      const likes = slot === 9 ? 1 : 100 + slot; // a dip at 06:00 on day 3, gone by the next poll
      await writer.putPoll('acct-old', new Date(now).toISOString(), smallPoll(iso(now), likes));
    }
    // Act: read it back a day after the last poll: the polls of days 0–7 have expired.
    const reader = storeWith({ pollRetentionDays: 3, now: () => new Date(now + DAY_MS) });
    const polls = await reader.listPolls('acct-old', new Date(start), new Date(now));
    // Assert: one poll a day (the day's last) while expired, every raw poll after.
    const days = (from: number, count: number) =>
      Array.from({ length: count }, (_, day) => iso(start + (from + day) * DAY_MS + 18 * HOUR_MS));
    const rawFrom = start + 8 * DAY_MS;
    expect(polls.map((poll) => poll.at)).toEqual([
      ...days(0, 8),
      ...Array.from({ length: 8 }, (_, slot) => iso(rawFrom + slot * 6 * HOUR_MS)),
    ]);
    const [dayWithDip] = await reader.listDailyRollups('acct-old', '2026-09-03', '2026-09-03');
    expect(dayWithDip).toMatchObject({
      day: '2026-09-03',
      polls: 4,
      failed: 0,
      profileLikes: { min: 1, max: 111 },
      videoLikes: [{ id: 'v1', min: 1, max: 111 }],
    });
  });

  it('should read history within the retention period in one query, without looking for roll-ups', async () => {
    // Arrange: a new account's first polls.
    const now = () => new Date('2026-10-05T12:00:00Z');
    await storeWith({ now }).putPoll(
      'acct-new',
      '2026-10-05T06:00:00Z',
      smallPoll('2026-10-05T06:00:00Z', 3),
    );
    const { store: reader, sent } = counted({ now });
    // Act: the days raw polls are kept (a night's explanation reads the last week of them).
    const polls = await reader.listPolls('acct-new', new Date('2026-09-22T12:00:00Z'), now());
    // Assert
    expect(polls.map((poll) => poll.at)).toEqual(['2026-10-05T06:00:00Z']);
    expect(sent).toEqual(['QueryCommand']);
  });

  it('should read a long history at a daily grain before the day asked, every poll after', async () => {
    // Arrange: ten days of 6-hourly polls, all still within the retention period.
    const start = Date.parse('2026-08-01T00:00:00Z');
    const writer = storeWith({ now: () => new Date(start + 10 * DAY_MS) });
    for (let slot = 0; slot < 40; slot += 1) {
      const at = start + slot * 6 * HOUR_MS;
      await writer.putPoll('acct-thin', new Date(at).toISOString(), smallPoll(iso(at), 100 + slot));
    }
    // Act: thinned before the middle of day 7.
    const polls = await writer.listPolls(
      'acct-thin',
      new Date(start),
      new Date(start + 10 * DAY_MS),
      new Date(start + 7 * DAY_MS + 10 * HOUR_MS),
    );
    // Assert: days 0–6 by their last poll, without titles; day 7 on, every poll as stored.
    const lastOfDay = (day: number) => start + day * DAY_MS + 18 * HOUR_MS;
    expect(polls.map((poll) => poll.at)).toEqual([
      ...Array.from({ length: 7 }, (_, day) => iso(lastOfDay(day))),
      ...Array.from({ length: 12 }, (_, slot) => iso(start + 7 * DAY_MS + slot * 6 * HOUR_MS)),
    ]);
    const first = smallPoll(iso(lastOfDay(0)), 103) as Extract<Poll, { status: 'ok' }>;
    const { title: _title, ...counts } = first.videos[0] as VideoStats;
    expect(polls[0]).toEqual({ ...first, videos: [counts] });
    expect(polls.at(-1)).toEqual(smallPoll(iso(start + 9 * DAY_MS + 18 * HOUR_MS), 139));
  });

  it('should roll a finished month into one record, read back as its days, and let its days expire', async () => {
    // Arrange: 6-hourly polls from 25 October to 2 November, written as they happen.
    const start = Date.parse('2026-10-25T00:00:00Z');
    let now = start;
    const writer = storeWith({ now: () => new Date(now) });
    for (let slot = 0; slot < 36; slot += 1) {
      now = start + slot * 6 * HOUR_MS;
      await writer.putPoll(
        'acct-month',
        new Date(now).toISOString(),
        smallPoll(iso(now), 200 + slot),
      );
    }
    // Act
    const rollups = await writer.listDailyRollups('acct-month', '2026-10-25', '2026-11-02');
    // Assert: 25–31 October and 1 November (the 2nd is not over), each with its four polls and like range.
    expect(rollups.map((rollup) => [rollup.day, rollup.polls])).toEqual(
      ['25', '26', '27', '28', '29', '30', '31']
        .map((day) => [`2026-10-${day}`, 4])
        .concat([['2026-11-01', 4]]),
    );
    expect(rollups[0]?.profileLikes).toEqual({ min: 200, max: 203 });
    expect(rollups[6]?.profileLikes).toEqual({ min: 224, max: 227 });
    const items = await itemsOf('acct-month', 'DAY#');
    const month = items.find((item) => item.sk === 'DAY#2026-10');
    expect(month).toMatchObject({ month: '2026-10', days: 7 });
    expect(month?.expiresAt).toBeUndefined();
    // The days of October expire two weeks into November; November's, two weeks into December.
    const expiry = (sk: string) => items.find((item) => item.sk === sk)?.expiresAt;
    expect(expiry('DAY#2026-10-31')).toBe(Date.parse('2026-11-15T00:00:00Z') / 1000);
    expect(expiry('DAY#2026-11-01')).toBe(Date.parse('2026-12-15T00:00:00Z') / 1000);
    // Read through the month record alone, as after the days expired: the same days.
    const fromMonth = await storeWith({ now: () => new Date(now) }).listPolls(
      'acct-month',
      new Date('2026-10-25T00:00:00Z'),
      new Date('2026-10-31T23:59:59Z'),
      new Date('2026-11-02T00:00:00Z'),
    );
    expect(fromMonth.map((poll) => poll.at)).toEqual(
      ['25', '26', '27', '28', '29', '30', '31'].map((day) => `2026-10-${day}T18:00:00Z`),
    );
  });

  it('should keep a day of a finished month rolled up again beside the month record, and read it instead', async () => {
    // Arrange: a day in October, then November's first poll, which rolls October into one record.
    const writer = storeWith({ now: () => new Date('2026-11-01T06:00:00Z') });
    await writer.putPoll(
      'acct-late-month',
      '2026-10-31T06:00:00Z',
      smallPoll('2026-10-31T06:00:00Z', 10),
    );
    await writer.putPoll(
      'acct-late-month',
      '2026-11-01T06:00:00Z',
      smallPoll('2026-11-01T06:00:00Z', 12),
    );
    // Act: the 18:00 poll of the 31st arrives late.
    await writer.putPoll(
      'acct-late-month',
      '2026-10-31T18:00:00Z',
      smallPoll('2026-10-31T18:00:00Z', 11),
    );
    // Assert: the day read back has both polls; its record beside the month's does not expire.
    const [day] = await writer.listDailyRollups('acct-late-month', '2026-10-31', '2026-10-31');
    expect(day).toMatchObject({ polls: 2, profileLikes: { min: 10, max: 11 } });
    const items = await itemsOf('acct-late-month', 'DAY#');
    expect(items.map((item) => item.sk)).toEqual(['DAY#2026-10', 'DAY#2026-10-31']);
    expect(items[1]?.expiresAt).toBeUndefined();
  });

  it('should roll a day up again when a late poll arrives for it', async () => {
    // Arrange
    const writer = storeWith({ now: () => new Date('2026-10-02T12:00:00Z') });
    await writer.putPoll(
      'acct-late',
      '2026-10-01T06:00:00Z',
      smallPoll('2026-10-01T06:00:00Z', 10),
    );
    await writer.putPoll(
      'acct-late',
      '2026-10-02T06:00:00Z',
      smallPoll('2026-10-02T06:00:00Z', 12),
    );
    // Act: the 18:00 poll of the 1st, retried after midnight.
    await writer.putPoll(
      'acct-late',
      '2026-10-01T18:00:00Z',
      smallPoll('2026-10-01T18:00:00Z', 11),
    );
    // Assert
    const [rollup] = await writer.listDailyRollups('acct-late', '2026-10-01', '2026-10-01');
    expect(rollup?.polls).toBe(2);
    // The roll-up keeps the counts of the day's last poll; titles and URLs stay with the raw polls.
    const late = smallPoll('2026-10-01T18:00:00Z', 11);
    const { title: _title, ...counts } = ('videos' in late && late.videos[0]) as VideoStats;
    expect(rollup?.last).toEqual({ ...late, videos: [counts] });
  });

  it('should store a worker batch of polls, roll each account’s yesterday up in batch writes, and fail only a bad poll', async () => {
    // Arrange: yesterday's polls of two accounts, then a store that counts its requests.
    const now = () => new Date('2026-10-11T06:00:00Z');
    await storeWith({ now }).putPoll(
      'batch-a',
      '2026-10-10T12:00:00Z',
      smallPoll('2026-10-10T12:00:00Z', 20),
    );
    await storeWith({ now }).putPoll(
      'batch-b',
      '2026-10-10T12:00:00Z',
      smallPoll('2026-10-10T12:00:00Z', 30),
    );
    const { store: batch, sent } = counted({ now });
    const at = '2026-10-11T06:00:00Z';
    // Act: the first polls of the next day, among them a 5,000-video one and one under an unreadable slot.
    const errors = await batch.putPolls([
      { accountId: 'batch-a', slot: at, poll: smallPoll(at, 21) },
      { accountId: 'batch-b', slot: at, poll: smallPoll(at, 31) },
      { accountId: 'batch-big', slot: at, poll: bigPoll(at, 5_000, 1) },
      { accountId: 'batch-c', slot: 'not an instant', poll: smallPoll(at, 1) },
    ]);
    // Assert
    expect(errors.map((error) => error?.name)).toEqual([
      undefined,
      undefined,
      undefined,
      'InvalidInputError',
    ]);
    // Read back on the same day: the raw polls are kept a retention period from then.
    const reader = storeWith({ now });
    for (const [id, likes] of [
      ['batch-a', 20],
      ['batch-b', 30],
    ] as const) {
      const polls = await reader.listPolls(id, new Date('2026-10-10T00:00:00Z'), new Date(at));
      expect(polls.map((poll) => poll.at)).toEqual(['2026-10-10T12:00:00Z', at]);
      const [rollup] = await store.listDailyRollups(id, '2026-10-10', '2026-10-10');
      expect(rollup?.profileLikes).toEqual({ min: likes, max: likes });
    }
    expect(await reader.listPolls('batch-big', new Date(at), new Date(at))).toEqual([
      bigPoll(at, 5_000, 1),
    ]);
    expect(await itemsOf('batch-c', 'POLL#')).toEqual([]);
    // One batch read of the roll-up marks; a conditional put per poll (never over an ok one); one batch write
    // each for the roll-ups and then the marks moved; a query of yesterday per account rolled up.
    expect(sent.filter((name) => name === 'BatchGetCommand')).toHaveLength(1);
    expect(sent.filter((name) => name === 'BatchWriteCommand')).toHaveLength(2);
    expect(sent.filter((name) => ['GetCommand', 'UpdateCommand'].includes(name))).toEqual([]);
  });

  it('should look for nothing to roll up before the day an account was added', async () => {
    // Arrange
    const now = () => new Date('2026-10-15T06:00:00Z');
    const { store: writer, sent } = counted({ now });
    // Act: the first poll of an account added today, and of one added a week ago.
    await writer.putPolls([
      {
        accountId: 'new-today',
        slot: '2026-10-15T06:00:00Z',
        poll: smallPoll('2026-10-15T06:00:00Z', 1),
        watchedSince: '2026-10-15T05:00:00Z',
      },
    ]);
    const afterNew = sent.length;
    await writer.putPolls([
      {
        accountId: 'new-last-week',
        slot: '2026-10-15T06:00:00Z',
        poll: smallPoll('2026-10-15T06:00:00Z', 1),
        watchedSince: '2026-10-08T00:00:00Z',
      },
    ]);
    // Assert: the account added today reads no raw polls back; the other, the week it has been watched.
    expect(sent.slice(0, afterNew).filter((name) => name === 'QueryCommand')).toEqual([]);
    expect(sent.slice(afterNew).filter((name) => name === 'QueryCommand')).toHaveLength(1);
  });

  it('should roll an account’s days up once when a batch holds two of its polls', async () => {
    // Arrange: yesterday's poll; a batch with a late poll of yesterday and today's first poll.
    const writer = storeWith({ now: () => new Date('2026-10-21T06:00:00Z') });
    await writer.putPoll(
      'batch-twice',
      '2026-10-20T06:00:00Z',
      smallPoll('2026-10-20T06:00:00Z', 5),
    );
    // Act
    const errors = await writer.putPolls([
      {
        accountId: 'batch-twice',
        slot: '2026-10-20T18:00:00Z',
        poll: smallPoll('2026-10-20T18:00:00Z', 7),
      },
      {
        accountId: 'batch-twice',
        slot: '2026-10-21T06:00:00Z',
        poll: smallPoll('2026-10-21T06:00:00Z', 8),
      },
    ]);
    // Assert: both stored, yesterday rolled up with both its polls.
    expect(errors).toEqual([undefined, undefined]);
    const [rollup] = await writer.listDailyRollups('batch-twice', '2026-10-20', '2026-10-21');
    expect(rollup).toMatchObject({ day: '2026-10-20', polls: 2, profileLikes: { min: 5, max: 7 } });
  });

  it('should list which digests are marked sent, not those only claimed or never started', async () => {
    // Arrange
    const at = new Date('2026-11-25T07:00:00Z');
    await store.claimDigest('sub-sent', '2026-11-25', at);
    await store.markDigestSent('sub-sent', '2026-11-25', 'msg-1');
    await store.claimDigest('sub-claimed', '2026-11-25', at);
    // Act
    const sent = await store.listSentDigests([
      { subscriberId: 'sub-sent', localDate: '2026-11-25' },
      { subscriberId: 'sub-sent', localDate: '2026-11-24' },
      { subscriberId: 'sub-claimed', localDate: '2026-11-25' },
      { subscriberId: 'sub-none', localDate: '2026-11-25' },
    ]);
    // Assert
    expect(sent).toEqual(new Set(['sub-sent/2026-11-25']));
  });

  it('should read several digests’ reports and suppressed addresses at once', async () => {
    // Arrange
    const at = new Date('2026-11-25T07:00:00Z');
    const report = { asOf: '2026-11-25T07:00:00.000Z', accounts: [] };
    await store.claimDigest('sub-r1', '2026-11-25', at);
    await store.markDigestSent('sub-r1', '2026-11-25', 'msg-1', report);
    await store.claimDigest('sub-r2', '2026-11-25', at);
    await store.markDigestSent('sub-r2', '2026-11-25', 'msg-2');
    await store.suppress('Bounced@Example.com', 'bounce', at);
    // Act
    const reports = await store.getDigestReports([
      { subscriberId: 'sub-r1', localDate: '2026-11-25' },
      { subscriberId: 'sub-r2', localDate: '2026-11-25' },
      { subscriberId: 'sub-r3', localDate: '2026-11-25' },
    ]);
    const suppressed = await store.listSuppressed(['bounced@example.com', 'fine@example.com']);
    // Assert
    expect(reports).toEqual(new Map([['sub-r1/2026-11-25', report]]));
    expect(await store.getDigestReport('sub-r1', '2026-11-25')).toEqual(report);
    expect(suppressed).toEqual(new Set(['bounced@example.com']));
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

  it('should keep source credentials per account, sealed at rest', async () => {
    // Act
    await store.putCredentials('acct-1', { accessToken: 'act.one', scope: 'video.list' });
    // Assert
    expect(await store.getCredentials('acct-1')).toEqual({
      accessToken: 'act.one',
      scope: 'video.list',
    });
    expect(await store.getCredentials('acct-unknown')).toBeUndefined();
    const stored = await doc.send(
      new GetCommand({
        TableName: LOCAL_TABLE_NAME,
        Key: { pk: 'ACCOUNT#acct-1', sk: 'CREDENTIALS' },
      }),
    );
    expect(JSON.stringify(stored.Item)).not.toContain('act.one');
    expect(stored.Item?.scheme).toBe('local/shared-key');
  });

  it('should not open credentials without the key that sealed them', async () => {
    await store.putCredentials('acct-2', { accessToken: 'act.two' });
    const otherKey = storeWith({
      credentialCipher: new EnvelopeCipher(new LocalDataKeys(randomBytes(32))),
    });
    await expect(otherKey.getCredentials('acct-2')).rejects.toThrow();
    await expect(
      storeWith({ credentialCipher: undefined }).getCredentials('acct-2'),
    ).rejects.toThrow(InvalidConfigError);
  });

  describe('getManyCredentials', () => {
    const ids = Array.from({ length: 130 }, (_, index) => `acct-many-${index}`);
    const missing = ['acct-none-1', 'acct-none-2', 'acct-none-3'];
    /** The document client, with BatchGetItem requests recorded and optionally answered by `batchGet`. */
    const intercepted = (
      requests: BatchGetCommandInput[],
      batchGet: (command: BatchGetCommand) => Promise<BatchGetCommandOutput> = (command) =>
        doc.send(command),
    ) =>
      Object.assign(Object.create(doc), {
        send: (command: unknown) => {
          if (!(command instanceof BatchGetCommand)) return doc.send(command as GetCommand);
          requests.push(command.input);
          return batchGet(command);
        },
      }) as DynamoDBDocumentClient;

    beforeAll(async () => {
      await Promise.all(
        ids.map((id, index) =>
          store.putCredentials(id, {
            accessToken: `act.${index}`,
            refreshToken: `rft.${index}`,
            scope: 'user.info.basic,video.list',
          }),
        ),
      );
    });

    it('should read them 100 keys a request, strongly consistent, as getCredentials reads each', async () => {
      // Arrange
      const requests: BatchGetCommandInput[] = [];
      const counted = new DynamoDbStore(intercepted(requests), {
        tableName: LOCAL_TABLE_NAME,
        credentialCipher: cipher,
      });
      // Act: 133 distinct accounts (one asked for twice), 3 of them without credentials.
      const found = await counted.getManyCredentials([...ids, ...missing, ids[0] as string]);
      // Assert
      expect(requests.map((input) => input.RequestItems?.[LOCAL_TABLE_NAME]?.Keys?.length)).toEqual(
        [100, 33],
      );
      expect(
        requests.every((input) => input.RequestItems?.[LOCAL_TABLE_NAME]?.ConsistentRead),
      ).toBe(true);
      expect([...found.keys()].sort()).toEqual([...ids].sort());
      for (const id of [...ids, ...missing]) {
        expect(found.get(id)).toEqual(await store.getCredentials(id));
      }
      expect(await counted.getManyCredentials([])).toEqual(new Map());
      expect(requests).toHaveLength(2);
    });

    it('should retry the keys DynamoDB leaves unprocessed', async () => {
      // Arrange: the first two requests answer only half their keys and hand back the rest.
      const requests: BatchGetCommandInput[] = [];
      let throttled = 2;
      const throttling = new DynamoDbStore(
        intercepted(requests, async (command) => {
          if (throttled-- <= 0) return doc.send(command);
          const asked = command.input.RequestItems?.[LOCAL_TABLE_NAME];
          const keys = asked?.Keys ?? [];
          const half = Math.ceil(keys.length / 2);
          const answered = await doc.send(
            new BatchGetCommand({
              RequestItems: { [LOCAL_TABLE_NAME]: { ...asked, Keys: keys.slice(0, half) } },
            }),
          );
          return {
            ...answered,
            UnprocessedKeys: { [LOCAL_TABLE_NAME]: { ...asked, Keys: keys.slice(half) } },
          };
        }),
        { tableName: LOCAL_TABLE_NAME, credentialCipher: cipher },
      );
      // Act
      const found = await throttling.getManyCredentials(ids.slice(0, 40));
      // Assert: 40 keys, then the 20 left, then the 10 left of those, then the last 10.
      expect(requests.map((input) => input.RequestItems?.[LOCAL_TABLE_NAME]?.Keys?.length)).toEqual(
        [40, 20, 10],
      );
      expect(found.size).toBe(40);
      expect(found.get('acct-many-39')).toEqual(await store.getCredentials('acct-many-39'));
    });

    it('should fail like getCredentials: a DynamoDB error as StoreError, a wrong or missing key', async () => {
      const failing = new DynamoDbStore(
        intercepted([], async () => {
          throw new Error('ProvisionedThroughputExceededException');
        }),
        { tableName: LOCAL_TABLE_NAME, credentialCipher: cipher },
      );
      await expect(failing.getManyCredentials(ids.slice(0, 3))).rejects.toThrow(StoreError);
      const otherKey = storeWith({
        credentialCipher: new EnvelopeCipher(new LocalDataKeys(randomBytes(32))),
      });
      await expect(otherKey.getManyCredentials(ids.slice(0, 3))).rejects.toThrow();
      await expect(
        storeWith({ credentialCipher: undefined }).getManyCredentials(ids.slice(0, 3)),
      ).rejects.toThrow(InvalidConfigError);
    });
  });

  it('should keep the handle history and name the account by its latest handle', async () => {
    // Arrange
    await store.putAccount({ ...account, id: 'acct-renamed', handle: 'old.name' });
    // Act
    await store.recordHandle('acct-renamed', 'new.name', new Date('2026-11-10T06:00:00Z'));
    await store.recordHandle('acct-renamed', 'old.name', new Date('2026-11-05T06:00:00Z'));
    await store.recordHandle('acct-renamed', 'new.name', new Date('2026-11-11T06:00:00Z'));
    // A sighting older than the first one known, arriving late, moves the first sighting back.
    await store.recordHandle('acct-renamed', 'new.name', new Date('2026-11-08T06:00:00Z'));
    // Assert
    const renamed = (await store.listAccounts()).find((a) => a.id === 'acct-renamed');
    expect(renamed?.handle).toBe('new.name');
    expect(await store.listHandles('acct-renamed')).toEqual([
      {
        handle: 'old.name',
        firstSeenAt: '2026-11-01T00:00:00.000Z',
        lastSeenAt: '2026-11-05T06:00:00.000Z',
      },
      {
        handle: 'new.name',
        firstSeenAt: '2026-11-08T06:00:00.000Z',
        lastSeenAt: '2026-11-11T06:00:00.000Z',
      },
    ]);
  });

  it('should store a night as its accounts, complete once its window is, each account kept as first stored', async () => {
    // Arrange
    const asOf = new Date('2026-11-24T07:00:00Z');
    const window = { from: '2026-11-23T07:00:00Z', to: '2026-11-24T07:00:00Z' };
    const explained = (id: string, verdict: AccountExplanation['verdict'], lost: number) => ({
      account: { ...account, id, handle: `handle.${id}` },
      explanation: {
        id,
        handle: `handle.${id}`,
        verdict,
        likes: { lost, restored: 0, gained: 40, baselineGain: 45 },
        causes: [],
        videos: [],
      },
    });
    const first = [explained('acct-1', 'none', 0), explained('acct-2', 'none', 3)];
    // Another part of the same night explained acct-2 too, with other accounts to compare it with.
    const second = [explained('acct-2', 'unknown', 9), explained('acct-3', 'none', 1)];
    // Act
    const before = await store.getNightWindow(asOf);
    await store.putNight({ asOf, window, accounts: first });
    await store.putNight({ asOf, window, accounts: second });
    // Assert
    expect(before).toBeUndefined();
    expect(await store.getNightWindow(asOf)).toEqual(window);
    const stored = await store.getNightAccounts(asOf, ['acct-3', 'acct-2', 'acct-1', 'acct-9']);
    expect(stored).toEqual([second[1], first[1], first[0]]);
    expect(await store.getNightWindow(new Date('2026-11-24T08:00:00Z'))).toBeUndefined();
  });

  it('should keep each sign-up request under its nonce until it expires, and record its confirmation', async () => {
    // Arrange
    const request = {
      nonce: 'nonce-1',
      email: 'Keep@Example.com',
      subscriberId: 'sub-new',
      timeZone: 'Europe/Berlin',
      deliveryHour: 7,
      accountIds: ['acct-1'],
      requestedAt: '2026-11-24T10:00:00.000Z',
    };
    const expiresAt = new Date('2026-11-27T10:00:00Z');
    // Act
    await store.putSignUp(request, expiresAt);
    await store.putSignUp({ ...request, nonce: 'nonce-2', deliveryHour: 3 }, expiresAt);
    await store.markSignUpConfirmed('nonce-1', new Date('2026-11-24T11:00:00Z'));
    // Assert: two records, neither rewritten by the other, each expiring.
    expect(await store.getSignUp('nonce-1')).toEqual({
      ...request,
      confirmedAt: '2026-11-24T11:00:00.000Z',
    });
    expect(await store.getSignUp('nonce-2')).toEqual({
      ...request,
      nonce: 'nonce-2',
      deliveryHour: 3,
    });
    expect(await store.getSignUp('nonce-3')).toBeUndefined();
    const raw = await doc.send(
      new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: 'SIGNUP#nonce-2', sk: 'REQUEST' } }),
    );
    expect(raw.Item?.expiresAt).toBe(Math.ceil(expiresAt.getTime() / 1000));
  });

  it('should give a new address exactly one subscriber id when claims race', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.claimSubscriberId(
          index % 2 ? 'Race@Example.com' : 'race@example.com',
          `sub-${index}`,
        ),
      ),
    );
    expect(new Set(claims).size).toBe(1);
    expect(await store.findSubscriberId('race@example.com')).toBe(claims[0]);
    expect(await store.claimSubscriberId('race@example.com', 'sub-later')).toBe(claims[0]);
  });

  it('should keep one feedback answer per subscriber, account, night and cause', async () => {
    // Arrange
    const answer = {
      subscriberId: 'sub-1',
      accountId: 'acct-1',
      night: '2026-11-24',
      cause: 'fake_engagement_purge',
      correct: true,
      answeredAt: '2026-11-24T08:00:00Z',
    } as const;
    // Act
    await store.putFeedback(answer);
    await store.putFeedback({ ...answer, correct: false, answeredAt: '2026-11-24T09:00:00Z' });
    await store.putFeedback({ ...answer, night: '2026-11-25', cause: 'organic_unlikes' });
    // Assert
    expect(await store.listFeedback('acct-1', '2026-11-24', '2026-11-24')).toEqual([
      { ...answer, correct: false, answeredAt: '2026-11-24T09:00:00Z' },
    ]);
    expect(await store.listFeedback('acct-1', '2026-11-01', '2026-11-30')).toHaveLength(2);
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function smallPoll(at: string, likes: number): Poll {
  return {
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
  };
}

/** 64 bytes that look random (and do not compress), the same for the same seed. */
function noise(seed: string): string {
  const hash = (salt: string) => createHash('sha256').update(`${salt}${seed}`).digest();
  return Buffer.concat([hash('a'), hash('b')]).toString('base64');
}

/** A poll of `count` videos with incompressible titles; `version` changes every count. */
function bigPoll(at: string, count: number, version: number): Poll {
  const videos = Array.from(
    { length: count },
    (_, index): VideoStats => ({
      id: String(7_000_000_000_000_000_000n + BigInt(index * 7919)),
      postedAt: '2026-01-01T00:00:00Z',
      views: 1_000 * version + index,
      likes: 100 * version + index,
      comments: index % 17,
      shares: index % 5,
      ...(index % 3 === 0 ? {} : { saves: index % 3 === 1 ? null : index }),
      title: noise(`${version}/${index}`),
      url: `https://www.tiktok.com/@big/video/${index}`,
    }),
  );
  return {
    at,
    status: 'ok',
    profile: { followers: 1, following: 0, likes: version, videos: count },
    videos,
  };
}

/** The bytes DynamoDB counts for an item's write: attribute names and values (numbers as their digits). */
function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value instanceof Uint8Array) bytes += value.length;
    else if (typeof value === 'number')
      bytes += Math.ceil(String(value).replace(/^0+/, '').length / 2) + 1;
    else bytes += Buffer.byteLength(String(value));
  }
  return bytes;
}
