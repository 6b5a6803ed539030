/**
 * `npm run bench -- storage`: what storing and reading poll history costs in DynamoDB capacity units, for
 * the store's compact layout against two references measured in the same run on the embedded DynamoDB:
 *
 * - naive: one item per video per poll (plus one for the profile), the layout a first design would pick;
 * - previous: the whole poll as gzip'ed JSON in one item (this store's layout before the compact encoding).
 *
 * Capacity units are what DynamoDB bills on demand; they come from `ReturnConsumedCapacity: 'TOTAL'` on every
 * request (dynalite computes them from item sizes as DynamoDB does: 1 write unit per KB written, half a read
 * unit per 4 KB read eventually consistently).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand as RawQueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodePoll } from '../adapters/dynamodb/poll-codec.ts';
import { withTitlesOncePerDay } from '../adapters/dynamodb/poll-titles.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import type { Poll } from '../core/model.ts';
import { createWorld } from '../core/simulate/world.ts';
import { RAW_HISTORY_DAYS } from '../core/thinned-history.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import { LOCAL_TABLE_NAME } from '../local/services.ts';
import {
  type Benchmark,
  type BenchSection,
  benchDynamoDb,
  consumedUnits,
  fmt,
  median,
  readsCapacity,
} from './harness.ts';

const VIDEO_COUNTS = [50, 200, 1_000, 5_000];
/** Polls written per size for the write figures: three days at the 6-hourly cadence, so roll-ups happen. */
const WRITE_POLLS = 12;
/** Polls written in the naive layout per size (its cost per poll does not vary from poll to poll). */
const NAIVE_WRITE_POLLS = 2;
const HISTORY_DAYS = 60;
const HISTORY_VIDEOS = 200;
/**
 * Videos of the account whose thinned history is timed for the digest tick: the cost target's 50. A poll's
 * decoding has a part that does not grow with its videos, so the time per video is measured at that size.
 */
const TICK_HISTORY_VIDEOS = 50;
const POLL_EVERY_HOURS = 6;
const POLL_EVERY_MS = POLL_EVERY_HOURS * HOUR_MS;
const READ_RUNS = 5;
const WRITE_TARGET = 20;
const START = Date.parse('2026-09-01T00:00:00Z');

/** Capacity and requests, as DynamoDB reports them, split into reads and writes. */
class CapacityMeter {
  readUnits = 0;
  writeUnits = 0;
  requests = new Map<string, number>();

  /** Makes every request of `client` report its consumed capacity into this meter. */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const command = context.commandName ?? 'unknown';
        this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
        const units = consumedUnits(result.output);
        if (readsCapacity(command)) this.readUnits += units;
        else this.writeUnits += units;
        return result;
      },
      { step: 'initialize', name: 'capacityMeter' },
    );
  }

  /** Capacity and requests consumed by `work`. */
  async measure(work: () => Promise<unknown>) {
    const before = { read: this.readUnits, write: this.writeUnits, requests: this.count() };
    await work();
    return {
      readUnits: this.readUnits - before.read,
      writeUnits: this.writeUnits - before.write,
      requests: this.count() - before.requests,
    };
  }

  private count(): number {
    return [...this.requests.values()].reduce((sum, value) => sum + value, 0);
  }
}

/** DynamoDB's per-item storage overhead (indexing), billed on top of the item's attributes. */
const ITEM_OVERHEAD_BYTES = 100;

/** An attribute value's size as DynamoDB counts it for the types this store writes. */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.B !== undefined) return value.B.length;
  // A number takes about one byte per two significant digits, plus one.
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Stored bytes of every item of an account partition, by the first segment of the sort key (or by what
 * `groupOf` makes of the sort key).
 */
async function storedBytesBySortKeyPrefix(
  client: DynamoDBClient,
  accountId: string,
  groupOf: (sortKey: string) => string = (sortKey) => sortKey.split('#')[0] as string,
): Promise<Map<string, { items: number; bytes: number }>> {
  const sizes = new Map<string, { items: number; bytes: number }>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new RawQueryCommand({
        TableName: LOCAL_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `ACCOUNT#${accountId}` } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const prefix = groupOf(item.sk?.S ?? '');
      const bytes = Object.entries(item).reduce(
        (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value),
        ITEM_OVERHEAD_BYTES,
      );
      const entry = sizes.get(prefix) ?? { items: 0, bytes: 0 };
      sizes.set(prefix, { items: entry.items + 1, bytes: entry.bytes + bytes });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return sizes;
}

/** 6-hourly polls of one simulated account with `videos` videos, from START. */
function simulatedPolls(videos: number, count: number): Poll[] {
  const accountId = `bench-${videos}`;
  const world = createWorld({
    seed: videos,
    start: new Date(START - DAY_MS),
    end: new Date(START + count * POLL_EVERY_MS),
    accounts: [
      {
        id: accountId,
        handle: `bench.${videos}`,
        displayName: 'Bench',
        initialVideos: videos,
        postingIntervalHours: 48,
        medianViews: 40_000,
        likeRate: 0.07,
        followers: 50_000,
      },
    ],
  });
  return Array.from({ length: count }, (_, index) => {
    const at = new Date(START + index * POLL_EVERY_MS);
    return {
      at: at.toISOString().replace('.000Z', 'Z'),
      status: 'ok',
      ...world.observe(accountId, at),
    };
  });
}

/** The naive layout: the profile and every video of a poll as their own items. */
async function writeNaive(doc: DynamoDBDocumentClient, accountId: string, poll: Poll) {
  if (poll.status === 'failed') return;
  const pk = `ACCOUNT#${accountId}`;
  const items = [
    { pk, sk: `POLL#${poll.at}#PROFILE`, at: poll.at, status: poll.status, ...poll.profile },
    ...poll.videos.map((video) => ({ pk, sk: `POLL#${poll.at}#VIDEO#${video.id}`, ...video })),
  ];
  for (let offset = 0; offset < items.length; offset += 25) {
    let requests = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await doc.send(
        new BatchWriteCommand({ RequestItems: { [LOCAL_TABLE_NAME]: requests } }),
      );
      requests = (result.UnprocessedItems?.[LOCAL_TABLE_NAME] ?? []) as typeof requests;
    }
  }
}

/** The previous layout: the whole poll, gzip'ed JSON, in one item. */
async function writePrevious(doc: DynamoDBDocumentClient, accountId: string, poll: Poll) {
  await doc.send(
    new PutCommand({
      TableName: LOCAL_TABLE_NAME,
      Item: {
        pk: `ACCOUNT#${accountId}`,
        sk: `POLL#${poll.at}`,
        at: poll.at,
        status: poll.status,
        payload: gzipSync(JSON.stringify(poll)),
      },
    }),
  );
}

/** Every item of one account partition in a sort-key range, page by page. */
async function queryRange(
  doc: DynamoDBDocumentClient,
  accountId: string,
  from: string,
  to: string,
) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: LOCAL_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':from': from, ':to': to },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Reads back the naive layout into polls (profile item first, then its videos). */
function naivePolls(items: Record<string, unknown>[]): unknown[] {
  const polls: Array<{ at: unknown; videos: unknown[] }> = [];
  for (const item of items) {
    if (String(item.sk).endsWith('#PROFILE')) polls.push({ at: item.at, videos: [] });
    else polls.at(-1)?.videos.push(item);
  }
  return polls;
}

/**
 * Times `read` READ_RUNS times (after one warm-up) and meters one run. `busyMs` is this thread's share of
 * the time (the SDK and decoding; the store answers from a thread of its own): what a function reading many
 * histories at once, as the digest tick does, spends per history.
 */
async function measureRead(meter: CapacityMeter, read: () => Promise<number>) {
  await read();
  const times: number[] = [];
  const busy: number[] = [];
  let polls = 0;
  for (let run = 0; run < READ_RUNS; run += 1) {
    const started = performance.now();
    const elu = performance.eventLoopUtilization();
    polls = await read();
    busy.push(performance.eventLoopUtilization(elu).active);
    times.push(performance.now() - started);
  }
  const capacity = await meter.measure(read);
  return { ...capacity, ms: median(times), busyMs: median(busy), polls };
}

export const storageBenchmark: Benchmark = {
  name: 'storage',
  async run(): Promise<BenchSection> {
    const dynamo = await benchDynamoDb();
    const { client, doc } = dynamo;
    const meter = new CapacityMeter();
    meter.attach(client);
    // At the cadence the polls are taken, as the poll worker stores them (titles once a day).
    const store = new DynamoDbStore(doc, {
      tableName: LOCAL_TABLE_NAME,
      pollCadenceHours: POLL_EVERY_HOURS,
    });
    const rows: Array<Array<string | number>> = [];
    const verdicts: string[] = [];
    const measurements: Record<string, number> = {};
    try {
      for (const videos of VIDEO_COUNTS) {
        const polls = simulatedPolls(videos, WRITE_POLLS);
        const naive = await meter.measure(async () => {
          for (const poll of polls.slice(0, NAIVE_WRITE_POLLS))
            await writeNaive(doc, `naive-${videos}`, poll);
        });
        const previous = await meter.measure(async () => {
          for (const poll of polls) await writePrevious(doc, `previous-${videos}`, poll);
        });
        const compact = await meter.measure(async () => {
          for (const poll of polls) await store.putPoll(`compact-${videos}`, poll.at, poll);
        });
        const naivePerPoll = naive.writeUnits / NAIVE_WRITE_POLLS;
        const compactPerPoll = compact.writeUnits / WRITE_POLLS;
        const bodies = polls.map((poll) =>
          encodePoll(withTitlesOncePerDay(poll, Date.parse(poll.at), POLL_EVERY_HOURS)),
        );
        const bodyKb = bodies.reduce((sum, body) => sum + body.length, 0) / polls.length / 1024;
        measurements[`storage.writeUnitsPerPoll.${videos}`] = compactPerPoll;
        measurements[`storage.readUnitsPerPollWrite.${videos}`] = compact.readUnits / WRITE_POLLS;
        // Stored bytes as DynamoDB bills storage: attributes (chunks included) plus the per-item overhead.
        const stored = await storedBytesBySortKeyPrefix(client, `compact-${videos}`);
        const pollItems = stored.get('POLL') ?? { items: 0, bytes: 0 };
        const rollupItems = stored.get('DAY') ?? { items: 0, bytes: 0 };
        const days = new Set(polls.map((poll) => poll.at.slice(0, 10))).size;
        measurements[`storage.bytesPerPoll.${videos}`] = pollItems.bytes / WRITE_POLLS;
        // Every day but the last is rolled up (the last is still open until the next day's first poll).
        measurements[`storage.bytesPerRollup.${videos}`] = rollupItems.bytes / (days - 1);
        rows.push([
          `Write units per account-poll, ${fmt(videos)} videos (stored body ${fmt(bodyKb, 1)} KB; item ${fmt(pollItems.bytes / WRITE_POLLS / 1024, 1)} KB, daily roll-up ${fmt(rollupItems.bytes / (days - 1) / 1024, 1)} KB)`,
          fmt(naivePerPoll, 1),
          fmt(previous.writeUnits / WRITE_POLLS, 1),
          `${fmt(compactPerPoll, 1)} (+${fmt(compact.readUnits / WRITE_POLLS, 1)} read)`,
          `${fmt(naivePerPoll / compactPerPoll, 1)}×`,
        ]);
        if (videos === HISTORY_VIDEOS) {
          const ratio = naivePerPoll / compactPerPoll;
          verdicts.push(
            `Target: ≥ ${WRITE_TARGET}× fewer write units than one item per video at ${HISTORY_VIDEOS} videos — ${ratio >= WRITE_TARGET ? 'met' : 'NOT met'} (${fmt(ratio, 1)}×, roll-ups included)`,
          );
        }
      }

      const historyPolls = simulatedPolls(HISTORY_VIDEOS, (HISTORY_DAYS * DAY_MS) / POLL_EVERY_MS);
      for (const poll of historyPolls) {
        await writeNaive(doc, 'history-naive', poll);
        await writePrevious(doc, 'history-previous', poll);
        await store.putPoll('history-compact', poll.at, poll);
      }
      for (const poll of simulatedPolls(TICK_HISTORY_VIDEOS, historyPolls.length)) {
        await store.putPoll('history-tick', poll.at, poll);
      }
      const from = historyPolls[0]?.at as string;
      const to = historyPolls.at(-1)?.at as string;
      const naiveRead = await measureRead(
        meter,
        async () =>
          naivePolls(await queryRange(doc, 'history-naive', `POLL#${from}`, `POLL#${to}$`)).length,
      );
      const previousRead = await measureRead(
        meter,
        async () =>
          (await queryRange(doc, 'history-previous', `POLL#${from}`, `POLL#${to}$`)).map((item) =>
            JSON.parse(gunzipSync(item.payload as Uint8Array).toString('utf8')),
          ).length,
      );
      const compactRead = await measureRead(
        meter,
        async () => (await store.listPolls('history-compact', new Date(from), new Date(to))).length,
      );
      measurements['storage.readUnitsPerHistoryDay'] = compactRead.readUnits / HISTORY_DAYS;
      // The days before the last week are read one poll a day, from the roll-ups: their units per day.
      const rollupRead = await measureRead(
        meter,
        async () =>
          (await store.listDailyRollups('history-compact', from.slice(0, 10), to.slice(0, 10)))
            .length,
      );
      measurements['storage.readUnitsPerRollupDay'] = rollupRead.readUnits / rollupRead.polls;
      // A finished month's roll-ups in one record (`DAY#YYYY-MM`, chunks included) against its days one by
      // one (`DAY#YYYY-MM-DD`): the share of the long history's storage a day keeps once its month is over.
      const rollupItems = await storedBytesBySortKeyPrefix(client, 'history-compact', (sortKey) =>
        /^DAY#\d{4}-\d{2}(#|$)/.test(sortKey)
          ? 'month'
          : sortKey.startsWith('DAY#')
            ? 'day'
            : 'other',
      );
      const monthItems = rollupItems.get('month');
      const dayItems = rollupItems.get('day');
      const compactedDays = (
        await store.listDailyRollups('history-compact', from.slice(0, 10), to.slice(0, 10))
      ).filter((rollup) => rollup.day.slice(0, 7) < to.slice(0, 7)).length;
      if (!monthItems || !dayItems || compactedDays === 0) {
        throw new Error('the 60-day history has no finished month rolled into one record');
      }
      measurements['storage.rollupMonthShare'] =
        monthItems.bytes / compactedDays / (dayItems.bytes / dayItems.items);
      // Reading and decoding history, per poll and video: what the digest tick's thread spends before
      // explaining (it reads many histories at once, so the store's answer time overlaps).
      measurements['storage.historyMsPerPollVideo'] =
        compactRead.busyMs / (compactRead.polls * HISTORY_VIDEOS);
      // What the digest tick reads: the last week poll by poll, the days before one poll a day from the
      // roll-ups (a finished month from its one record), for an account of the cost target's size.
      const thinnedRead = await measureRead(
        meter,
        async () =>
          (
            await store.listPolls(
              'history-tick',
              new Date(from),
              new Date(to),
              new Date(Date.parse(to) - RAW_HISTORY_DAYS * DAY_MS),
            )
          ).length,
      );
      measurements['storage.thinnedHistoryMsPerPollVideo'] =
        thinnedRead.busyMs / (thinnedRead.polls * TICK_HISTORY_VIDEOS);
      const history = `${HISTORY_DAYS} days of 6-hourly polls (${compactRead.polls} polls × ${HISTORY_VIDEOS} videos)`;
      rows.push(
        [
          `Read units to load ${history}`,
          fmt(naiveRead.readUnits, 1),
          fmt(previousRead.readUnits, 1),
          fmt(compactRead.readUnits, 1),
          `${fmt(naiveRead.readUnits / compactRead.readUnits, 1)}×`,
        ],
        [
          `Requests to load ${history}`,
          naiveRead.requests,
          previousRead.requests,
          compactRead.requests,
          `${fmt(naiveRead.requests / compactRead.requests, 1)}×`,
        ],
        [
          `Time to load ${history}, median of ${READ_RUNS} (ms)`,
          fmt(naiveRead.ms),
          fmt(previousRead.ms),
          fmt(compactRead.ms),
          `${fmt(naiveRead.ms / compactRead.ms, 1)}×`,
        ],
        [
          `This thread's busy time while loading ${history} (the SDK and decoding; the store runs on its own thread), median (ms)`,
          fmt(naiveRead.busyMs),
          fmt(previousRead.busyMs),
          fmt(compactRead.busyMs),
          `${fmt(naiveRead.busyMs / compactRead.busyMs, 1)}×`,
        ],
        [
          `The same for what the digest tick reads of ${HISTORY_DAYS} days at ${TICK_HISTORY_VIDEOS} videos (${RAW_HISTORY_DAYS} days poll by poll, then a poll a day from the roll-ups: ${thinnedRead.polls} polls), median (ms)`,
          '–',
          '–',
          fmt(thinnedRead.busyMs),
          '–',
        ],
        [
          `Bytes stored per day of the long history, ${HISTORY_VIDEOS} videos: a daily roll-up; the same day in its finished month's record`,
          '–',
          fmt(dayItems.bytes / dayItems.items),
          fmt(monthItems.bytes / compactedDays),
          `${fmt(dayItems.bytes / dayItems.items / (monthItems.bytes / compactedDays), 1)}×`,
        ],
      );
      verdicts.push(
        `Target: ${HISTORY_DAYS} days of history in a handful of queries — ${compactRead.requests <= 5 ? 'met' : 'NOT met'} (${compactRead.requests} queries, ${fmt(compactRead.readUnits, 1)} read units, ${fmt(compactRead.ms)} ms)`,
      );
      if (naiveRead.polls !== compactRead.polls || previousRead.polls !== compactRead.polls) {
        verdicts.push(
          `Check: the layouts read back different poll counts (naive ${naiveRead.polls}, previous ${previousRead.polls}, compact ${compactRead.polls})`,
        );
      }
    } finally {
      await dynamo.close();
    }
    return {
      title: 'Storage: DynamoDB capacity per poll and per history read',
      description: [
        'Capacity units as reported by `ReturnConsumedCapacity: TOTAL` on the embedded DynamoDB (dynalite sizes',
        'items as DynamoDB does), for simulated accounts polled every 6 hours. *Naive*: one item per video per',
        'poll plus a profile item, written with BatchWriteItem. *Previous*: the whole poll as gzip’ed JSON in one',
        'item. *Compact*: this store (columns + Brotli, chunked above 350 KB; titles in the day’s first poll and',
        'for videos of the last 24 hours, as the poll worker stores them), including its share of the daily',
        `roll-ups (written once a day) and the reads that keep them current; each size writes ${WRITE_POLLS} polls`,
        '(three days). Ratio: naive ÷ compact.',
      ].join(' '),
      columns: ['Measure', 'Naive', 'Previous', 'Compact', 'Ratio'],
      rows,
      verdicts,
      measurements,
    };
  },
};
