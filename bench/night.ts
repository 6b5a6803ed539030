/**
 * `npm run bench -- night`: a whole local night for a fleet of 10,000 accounts through the real handlers.
 *
 * Accounts (video counts log-normal around 50, seeded) are registered with Display API grants from the fake
 * TikTok, and half as many subscribers, each following one to three of them, due at the morning's local hour. The
 * fleet has been running: each account has a poll from the round before the night, and its grant's access
 * token runs out at some point of the night, as tokens do once a day. The night is then timed phase by phase:
 * a day of poll rounds at the deployed cadence (the poll tick → embedded SQS → poll workers → fake TikTok →
 * store; the first poll of the UTC day rolls the day before up), then the digest tick (which explains the
 * night once for the fleet) → embedded SQS → digest workers → local SES.
 *
 * References, measured in the same run on the same embedded services: the store's raw write ceiling (poll-sized
 * items written as PutItem and as the workers' BatchWriteItem, the faster of the two) and plain one-line
 * SendEmail (the local SES's), and the fake TikTok's (the first page of a video list, over the pollers'
 * transport). The run checks that nothing was lost: every account has a stored poll (or a
 * dead-lettered job) for every slot, and every due subscriber received exactly one email.
 *
 * Everything runs in this process, so the times are this machine's in-process compute for the whole
 * pipeline (functions and embedded services together): a proxy for Lambda compute, excluding the wait on the
 * real TikTok and SES pacing, which the cost model takes as inputs.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createDocumentClient } from '../adapters/aws-clients.ts';
import { createCredentialCipher } from '../adapters/credential-cipher.ts';
import { encodePoll } from '../adapters/dynamodb/poll-codec.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import { VIDEO_FIELDS, VIDEO_PAGE_SIZE } from '../adapters/tiktok/display-api-schemas.ts';
import { nodeTransport } from '../adapters/tiktok/node-transport.ts';
import type { Poll, PollJob, Subscriber } from '../core/model.ts';
import { forEachLimited } from '../core/poll-accounts.ts';
import { hashSeed, Random } from '../core/simulate/random.ts';
import { type AccountScenario, type Observation, worldAccounts } from '../core/simulate/world.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../core/time.ts';
import {
  DEFAULT_DIGEST_WORKER_CONCURRENCY,
  DEFAULT_POLL_EVERY_HOURS,
  DEFAULT_POLL_WORKER_CONCURRENCY,
  DIGEST_PART_CONCURRENCY,
  LOCAL_QUEUE_NAMES,
  POLL_BATCH_SIZE,
} from '../deployment/fan-out.ts';
import { registerAccounts } from '../local/demo.ts';
import { FakeTikTokThread } from '../local/fake-tiktok/thread.ts';
import { type LocalPollSummary, loadLocalFunctions } from '../local/invoke.ts';
import { clearDeliveredEmails, countDeliveredRecipients } from '../local/local-ses.ts';
import { startLocalServices } from '../local/services.ts';
import {
  type Benchmark,
  type BenchSection,
  consumedUnits,
  fmt,
  plainEmailsPerSecond,
  ratePerSecond,
  readsCapacity,
} from './harness.ts';

/**
 * Fleet size; `LIKEWATCH_BENCH_NIGHT_ACCOUNTS` runs a smaller night while working on the code, and
 * `LIKEWATCH_BENCH_NIGHT_KINDS=1` prints each phase's DynamoDB requests by kind.
 */
const ACCOUNTS = Number(process.env.LIKEWATCH_BENCH_NIGHT_ACCOUNTS ?? 10_000);
/**
 * A subscriber for every other account: enough digests to measure each step's rate, in a run that fits the
 * benchmark's ten minutes on two cores.
 */
const SUBSCRIBERS = ACCOUNTS / 2;
const MEDIAN_VIDEOS = 50;
const SEED = 2026;
/** The poll cadence the stack deploys unless told otherwise. */
const CADENCE_HOURS = DEFAULT_POLL_EVERY_HOURS;
/** The morning of the digest; a day of poll rounds at the cadence ends an hour before it. */
const MORNING = new Date('2026-11-24T07:00:00Z');
const ROUNDS = Math.floor(24 / CADENCE_HOURS);
const SLOTS = Array.from(
  { length: ROUNDS },
  (_, index) =>
    new Date(MORNING.getTime() - HOUR_MS - (ROUNDS - 1 - index) * CADENCE_HOURS * HOUR_MS),
);
/** The round before the night: stored during setup, so the night's rounds run as on any other day. */
const EARLIER_SLOT = new Date((SLOTS[0] as Date).getTime() - CADENCE_HOURS * HOUR_MS);
/** Subscribers' time zones: delivery hours differ, yet all fall due at the same tick, as in one UTC hour. */
const TIME_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
/** Registration is setup, not the night; it is written this many at a time. */
const SETUP_CONCURRENCY = 16;
/** Accounts whose observations are asked of the fake TikTok's thread in one message. */
const OBSERVED_AT_ONCE = 1000;
/** Passes of the batched store ceiling; the best counts. */
const CEILING_PASSES = 3;

/** Seeded scenarios: log-normal catalogues around {@link MEDIAN_VIDEOS}, a few accounts hit overnight. */
function scenarios(): AccountScenario[] {
  const random = new Random(hashSeed('night-bench', SEED));
  return Array.from({ length: ACCOUNTS }, (_, index) => {
    const id = `night-${String(index).padStart(5, '0')}`;
    const scenario: AccountScenario = {
      id,
      handle: `night.${index}`,
      displayName: `Night ${index}`,
      initialVideos: Math.max(1, Math.round(random.logNormal(MEDIAN_VIDEOS, 0.7))),
      postingIntervalHours: random.logUniform(24, 168),
      medianViews: random.logUniform(2_000, 200_000),
      likeRate: random.between(0.03, 0.12),
      followers: Math.round(random.logUniform(1_000, 1_000_000)),
    };
    // A small share of the fleet loses likes overnight, so the digests have something to explain.
    const roll = random.next();
    const at = new Date(MORNING.getTime() - 5 * HOUR_MS);
    if (roll < 0.02) {
      return {
        ...scenario,
        events: [{ cause: 'inactive_account_cleanup', at, fraction: random.between(0.002, 0.01) }],
      };
    }
    if (roll < 0.03) {
      return {
        ...scenario,
        events: [{ cause: 'fake_engagement_purge', at, videoCount: 3, removedShare: 0.8 }],
      };
    }
    return scenario;
  });
}

function videoCount(poll: Poll): number {
  return 'videos' in poll ? poll.videos.length : 0;
}

/** Subscriber `index` follows account `2 × index` (their own) and up to two others. */
function subscribers(accountIds: readonly string[]): Subscriber[] {
  const random = new Random(hashSeed('night-bench-subscribers', SEED));
  return Array.from({ length: SUBSCRIBERS }, (_, index) => {
    const followed = new Set([accountIds[(2 * index) % accountIds.length] as string]);
    const extra = random.int(0, 2);
    for (let n = 0; n < extra; n++) {
      followed.add(accountIds[random.int(0, accountIds.length - 1)] as string);
    }
    const timeZone = TIME_ZONES[index % TIME_ZONES.length] as string;
    return {
      id: `night-sub-${index}`,
      email: `reader${index}@night.example.com`,
      timeZone,
      // Due at the morning's tick, whatever the time zone.
      deliveryHour: localDateAndHour(MORNING, timeZone).hour,
      quietNights: 'all_clear',
      accountIds: [...followed],
    };
  });
}

/**
 * Counts the bytes of the functions' JSON log lines (what CloudWatch would ingest) and keeps them off the
 * terminal; anything else written passes through.
 */
class LogMeter {
  bytes = 0;
  private restore: Array<() => void> = [];

  start(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        if (text.startsWith('{')) {
          this.bytes += Buffer.byteLength(text);
          const callback = rest.find((arg) => typeof arg === 'function') as
            | (() => void)
            | undefined;
          callback?.();
          return true;
        }
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      this.restore.push(() => {
        stream.write = original as typeof stream.write;
      });
    }
  }

  /** Bytes counted since `start`, and stops counting. */
  stop(): number {
    for (const restore of this.restore.splice(0)) restore();
    return this.bytes;
  }
}

/** The data-plane DynamoDB commands, which can report their consumed capacity (control-plane ones cannot). */
const DATA_PLANE_COMMAND = /^(Get|BatchGet|Query|Scan|Put|Update|Delete|BatchWrite)(Item)?Command$/;

/** What one kind of DynamoDB request of the night added up to. */
interface RequestTally {
  requests: number;
  units: number;
}

/**
 * Adds up the DynamoDB requests and capacity every client in this process consumes (the functions build their
 * own clients, so the tap sits on the SDK's shared client class): each data-plane request asks for its consumed
 * capacity (`ReturnConsumedCapacity: TOTAL`), which dynalite computes from item sizes as DynamoDB does. Requests
 * are told apart by command and by the kind of item they touch (the sort key up to its first `#`: `POLL`,
 * `DAY`, `ROLLUPS`, `CREDENTIALS`, `NIGHT`, `DIGEST`, …), e.g. `BatchGetCommand CREDENTIALS`.
 */
class CapacityTap {
  readUnits = 0;
  writeUnits = 0;
  readonly byKind = new Map<string, RequestTally>();
  private restore: (() => void) | undefined;

  start(): void {
    const { Client } = createRequire(import.meta.url)('@smithy/core/client') as {
      Client: { prototype: { send: (...args: unknown[]) => Promise<unknown> } };
    };
    const send = Client.prototype.send;
    const tap = this;
    Client.prototype.send = function (this: { config?: { serviceId?: string } }, ...args) {
      const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      const name = command.constructor.name;
      if (
        this.config?.serviceId !== 'DynamoDB' ||
        !DATA_PLANE_COMMAND.test(name) ||
        args.length > 1
      ) {
        return send.apply(this, args);
      }
      command.input.ReturnConsumedCapacity = 'TOTAL';
      const kind = `${name} ${itemKind(command.input)}`;
      return send.apply(this, args).then((output) => {
        const units = consumedUnits(output);
        if (readsCapacity(name)) tap.readUnits += units;
        else tap.writeUnits += units;
        const tally = tap.byKind.get(kind) ?? { requests: 0, units: 0 };
        tally.requests += 1;
        tally.units += units;
        tap.byKind.set(kind, tally);
        return output;
      });
    };
    this.restore = () => {
      Client.prototype.send = send;
    };
  }

  stop(): void {
    this.restore?.();
  }

  /** Requests and units of the kinds `matching` picks. */
  total(matching: (kind: string) => boolean): RequestTally {
    let requests = 0;
    let units = 0;
    for (const [kind, tally] of this.byKind) {
      if (!matching(kind)) continue;
      requests += tally.requests;
      units += tally.units;
    }
    return { requests, units };
  }
}

/** The kind of item a request touches: the sort key (or key condition value) of its first item or key. */
function itemKind(input: Record<string, unknown>): string {
  const sortKey = (value: unknown): string | undefined => {
    const sk = (value as { sk?: unknown } | undefined)?.sk;
    return typeof sk === 'string' ? sk : undefined;
  };
  const requestItems = input.RequestItems as Record<string, unknown> | undefined;
  const batch = requestItems ? Object.values(requestItems)[0] : undefined;
  const first =
    sortKey(input.Key) ??
    sortKey(input.Item) ??
    sortKey((batch as { Keys?: unknown[] } | undefined)?.Keys?.[0]) ??
    sortKey(
      (Array.isArray(batch) ? batch[0] : undefined)?.PutRequest?.Item as Record<string, unknown>,
    );
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const condition = values?.[':from'] ?? values?.[':prefix'];
  const key = first ?? (typeof condition === 'string' ? condition : '');
  return key.split('#')[0] || '?';
}

/** Samples the resident set size; the peak covers the whole process (functions and embedded services). */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** What one timed phase did: its result, wall and main-thread time, log bytes and DynamoDB requests. */
interface Phase<T> {
  result: T;
  startedAt: number;
  startElu: EventLoopUtilization;
  ms: number;
  /** Of `ms`, how long this thread (functions, SDK, embedded SQS, SES and fake TikTok) was busy. */
  busyMs: number;
  logBytes: number;
  capacity: CapacityTap;
}

/** Times `work`, counting the bytes the functions logged and the DynamoDB requests made meanwhile. */
async function phase<T>(work: () => Promise<T>): Promise<Phase<T>> {
  const meter = new LogMeter();
  const capacity = new CapacityTap();
  meter.start();
  capacity.start();
  const startElu = performance.eventLoopUtilization();
  const startedAt = performance.now();
  try {
    const result = await work();
    return {
      result,
      startedAt,
      startElu,
      ms: performance.now() - startedAt,
      busyMs: performance.eventLoopUtilization(startElu).active,
      logBytes: meter.bytes,
      capacity,
    };
  } finally {
    capacity.stop();
    meter.stop();
  }
}

export const nightBenchmark: Benchmark = {
  name: 'night',
  async run(): Promise<BenchSection> {
    // Node 20 is supported by the SDK versions in use; its notice about future versions is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const rss = rssSampler();
    const setupStarted = performance.now();
    const spec = {
      seed: SEED,
      start: new Date(EARLIER_SLOT.getTime() - HOUR_MS),
      end: MORNING,
      accounts: scenarios(),
    };
    // The world is simulated on the fake TikTok's thread, which serves at once and builds it meanwhile.
    const tiktok = await FakeTikTokThread.start(spec, SLOTS[0] as Date);
    const infos = worldAccounts(spec);
    let simulatedNow = SLOTS[0] as Date;
    const setNow = (instant: Date) => {
      simulatedNow = instant;
      tiktok.setNow(instant);
    };
    const services = await startLocalServices({ tiktok });
    // The level deployed: the log bytes measured are those CloudWatch would ingest.
    services.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    // The cadence of the rounds, as the stack tells the poll worker (it stores titles once a day at it).
    services.env.POLL_EVERY_HOURS = String(CADENCE_HOURS);
    // Pacing to an SES quota would time the quota, not the code; docs/scaling.md has the quota arithmetic.
    services.env.SES_MAX_SEND_RATE = '1000000';
    try {
      await clearDeliveredEmails(services.sesEndpoint);
      const functions = await loadLocalFunctions(services);
      const { loadEnv, PollWorkerEnvChecked, DigestEnvChecked } = await import(
        '../lambdas/_shared/env.ts'
      );
      // What the night has in flight: each worker's accounts (or digests) at once, times the workers at once.
      const pollInFlight = loadEnv(PollWorkerEnvChecked, process.env).POLL_CONCURRENCY;
      const pollConcurrency = pollInFlight * DEFAULT_POLL_WORKER_CONCURRENCY;
      const digestConcurrency =
        loadEnv(DigestEnvChecked, process.env).DIGEST_CONCURRENCY *
        DEFAULT_DIGEST_WORKER_CONCURRENCY;
      const { onRunSummary } = await import('../lambdas/_shared/middleware.ts');
      const store = new DynamoDbStore(createDocumentClient(), {
        tableName: services.env.TABLE_NAME as string,
        credentialCipher: createCredentialCipher(services.env),
        now: () => simulatedNow,
      });
      // Each creator connected at some time of the day before, so each access token (24 hours) runs out
      // during the night, after the first round, and is refreshed once, as on any day of polling.
      const consentTimes = new Random(hashSeed('night-bench-tokens', SEED));
      const nightMs = (SLOTS.length - 1) * CADENCE_HOURS * HOUR_MS;
      const firstRoundMs = (SLOTS[0] as Date).getTime();
      // Subscribers first: they need nothing from TikTok, so they are written while its world is built.
      const readers = subscribers(infos.map((info) => info.id));
      await forEachLimited(readers, SETUP_CONCURRENCY, (reader) => store.putSubscriber(reader));
      const accounts = await registerAccounts(
        store,
        tiktok,
        infos,
        EARLIER_SLOT,
        'display_api',
        SETUP_CONCURRENCY,
        () => ({ issuedAtMs: firstRoundMs - DAY_MS + Math.ceil(consentTimes.between(1, nightMs)) }),
      );
      // The round before the night, stored as the workers store a batch (not timed).
      setNow(EARLIER_SLOT);
      const observed: Observation[] = [];
      for (let start = 0; start < accounts.length; start += OBSERVED_AT_ONCE) {
        const ids = accounts.slice(start, start + OBSERVED_AT_ONCE).map((account) => account.id);
        observed.push(...(await tiktok.observe(ids, EARLIER_SLOT)));
      }
      const earlier = accounts.map((account, index) => ({
        accountId: account.id,
        watchedSince: account.addedAt,
        slot: EARLIER_SLOT.toISOString(),
        poll: {
          at: EARLIER_SLOT.toISOString(),
          status: 'ok' as const,
          ...(observed[index] as Observation),
        },
      }));
      const batches = Array.from(
        { length: Math.ceil(earlier.length / POLL_BATCH_SIZE) },
        (_, index) => earlier.slice(index * POLL_BATCH_SIZE, (index + 1) * POLL_BATCH_SIZE),
      );
      await forEachLimited(batches, SETUP_CONCURRENCY, async (batch) => {
        const failed = (await store.putPolls(batch)).filter((error) => error !== undefined);
        if (failed.length > 0) throw failed[0];
      });
      const setupMs = performance.now() - setupStarted;

      // The night: poll rounds, then the morning's digests.
      const tiktokBefore = await tiktok.requestsServed();
      // Where each tick ends, so its share of a phase can be told from the workers'.
      const tickEnds = new Map<string, { at: number; elu: EventLoopUtilization }>();
      // The digest tick and the parts of a night it split: how many accounts they explained between them.
      let accountsExplained = 0;
      const stopListening = onRunSummary((message, fields) => {
        if (!message.endsWith('tick finished')) return;
        if (typeof fields.accountsExplained === 'number')
          accountsExplained += fields.accountsExplained;
        const key = `${message} ${String(fields.scheduledTime ?? '')}`;
        tickEnds.set(key, { at: performance.now(), elu: performance.eventLoopUtilization() });
      });
      const tickShare = (round: Phase<unknown>, message: string, scheduledTime: string) => {
        const end = tickEnds.get(`${message} ${scheduledTime}`);
        if (!end) throw new Error(`no "${message}" was logged for ${scheduledTime}`);
        return {
          ms: end.at - round.startedAt,
          busyMs: performance.eventLoopUtilization(end.elu, round.startElu).active,
        };
      };
      const rounds: Array<Phase<LocalPollSummary>> = [];
      // The other threads' share of the rounds: what an account-poll costs the whole machine.
      const tiktokBusyBefore = tiktok.busy();
      const storeBusyBefore = services.dynamodbBusy?.();
      const cpuBefore = process.cpuUsage();
      for (const slot of SLOTS) {
        setNow(slot);
        rounds.push(
          await phase(() => functions.poll({ kind: 'poll', scheduledTime: slot.toISOString() })),
        );
      }
      const pollCpu = process.cpuUsage(cpuBefore);
      const tiktokBusyMs = tiktok.busy(tiktokBusyBefore).active;
      const storeBusyMs = services.dynamodbBusy?.(storeBusyBefore).active ?? 0;
      const pollTickMs = rounds.reduce(
        (sum, round, index) =>
          sum + tickShare(round, 'poll tick finished', (SLOTS[index] as Date).toISOString()).ms,
        0,
      );
      if (process.env.LIKEWATCH_BENCH_NIGHT_KINDS) {
        for (const [index, round] of rounds.entries())
          console.log(index + 1, [...round.capacity.byKind]);
      }
      const tiktokRequests = [...(await tiktok.requestsServed())].map(
        ([path, count]) => [path, count - (tiktokBefore.get(path) ?? 0)] as const,
      );
      setNow(MORNING);
      const digest = await phase(() =>
        functions.sendDigests({ kind: 'digest', scheduledTime: MORNING.toISOString() }),
      ).finally(stopListening);
      const digestTick = tickShare(digest, 'digest tick finished', MORNING.toISOString());
      const tickMs = digestTick.ms;
      if (process.env.LIKEWATCH_BENCH_NIGHT_KINDS) {
        console.log('digest', [...digest.capacity.byKind]);
      }

      // Nothing lost: a poll (or a dead-lettered job) for every account and slot, one email per subscriber.
      const deadLettered = new Set(
        services.sqs.queue(LOCAL_QUEUE_NAMES.poll).deadLetters.map((message) => {
          const job = JSON.parse(message.body) as PollJob;
          return `${job.account.id}@${Date.parse(job.slot)}`;
        }),
      );
      let missingPolls = 0;
      let failedPolls = 0;
      await forEachLimited(accounts, SETUP_CONCURRENCY, async (account) => {
        const polls = await store.listPolls(account.id, SLOTS[0] as Date, SLOTS.at(-1) as Date);
        for (const slot of SLOTS) {
          const poll = polls.find((candidate) => Date.parse(candidate.at) === slot.getTime());
          if (poll?.status === 'failed') failedPolls += 1;
          if (!poll && !deadLettered.has(`${account.id}@${slot.getTime()}`)) missingPolls += 1;
        }
      });
      const received = countDeliveredRecipients();
      const exactlyOnce = readers.filter((reader) => received.get(reader.email) === 1).length;
      const strangers = [...received.keys()].filter(
        (address) => !address.endsWith('@night.example.com'),
      ).length;

      // The raw ceilings, on the same services: poll-sized items (the fleet's median account) as PutItem at
      // the night's polls in flight, and as the workers write them, a batch per worker at once.
      const median = [...earlier].sort((a, b) => videoCount(a.poll) - videoCount(b.poll))[
        Math.floor(earlier.length / 2)
      ] as (typeof earlier)[number];
      const body = encodePoll(median.poll);
      const ceilingItems = ACCOUNTS / 2;
      const item = (index: number) => ({
        pk: { S: `CEILING#${index}` },
        sk: { S: `POLL#${EARLIER_SLOT.toISOString()}` },
        body: { B: body },
      });
      const dynamo = createDocumentClient();
      const putsPerSecond = await ratePerSecond(ceilingItems, pollConcurrency, (index) =>
        dynamo.send(new PutItemCommand({ TableName: services.env.TABLE_NAME, Item: item(index) })),
      );
      // The batched rate is the ceiling; a second or two of it swings with the store thread's garbage
      // collection, so it is the best of a few passes (each writing items of its own).
      let batchesPerSecond = 0;
      for (let pass = 1; pass <= CEILING_PASSES; pass++) {
        const firstItem = pass * ceilingItems;
        const rate = await ratePerSecond(
          ceilingItems / POLL_BATCH_SIZE,
          DEFAULT_POLL_WORKER_CONCURRENCY,
          (batch) =>
            dynamo.send(
              new BatchWriteItemCommand({
                RequestItems: {
                  [services.env.TABLE_NAME as string]: Array.from(
                    { length: POLL_BATCH_SIZE },
                    (_, index) => ({
                      PutRequest: { Item: item(firstItem + batch * POLL_BATCH_SIZE + index) },
                    }),
                  ),
                },
              }),
            ),
        );
        batchesPerSecond = Math.max(batchesPerSecond, rate);
      }
      const batchedPerSecond = batchesPerSecond * POLL_BATCH_SIZE;
      const storeCeiling = Math.max(putsPerSecond, batchedPerSecond);
      dynamo.destroy();
      const ses = new SESv2Client({});
      const sendsPerSecond = await plainEmailsPerSecond(ses, SUBSCRIBERS / 2, digestConcurrency);
      ses.destroy();
      // And the fake TikTok's: the median account's first page of `/v2/video/list/` (the request a poll
      // makes most), over the pollers' transport at the night's polls in flight, read but not validated.
      const grant = await tiktok.issueGrant(median.accountId);
      const listUrl = new URL('/v2/video/list/', tiktok.url);
      listUrl.searchParams.set('fields', VIDEO_FIELDS);
      const tiktokCeiling = await ratePerSecond(ACCOUNTS / 2, pollConcurrency, async () => {
        const response = await nodeTransport(listUrl, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${grant.access_token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ max_count: VIDEO_PAGE_SIZE }),
        });
        await response.text();
        if (response.status !== 200) throw new Error(`the fake TikTok answered ${response.status}`);
      });
      const peakRssMb = rss.stop() / 2 ** 20;

      // Figures.
      const accountPolls = rounds.reduce((sum, round) => sum + round.result.accounts, 0);
      const pollMs = rounds.reduce((sum, round) => sum + round.ms, 0);
      const pollBusyMs = rounds.reduce((sum, round) => sum + round.busyMs, 0);
      const pollLogBytes = rounds.reduce((sum, round) => sum + round.logBytes, 0);
      const accountsPerSecond = accountPolls / (pollMs / 1000);
      const nightWallMs = pollMs + digest.ms;
      const pollShare = accountsPerSecond / storeCeiling;
      // The CPU an account-poll costs the process (every thread: functions, fake TikTok, store, and the
      // runtime's own), and so the most polls a second this machine's cores could do, however the work
      // were spread over them: the bound on the share above.
      const cpuMsPerPoll = (pollCpu.user + pollCpu.system) / 1000 / accountPolls;
      const cores = availableParallelism();
      const pollsPerSecondBound = (cores * 1000) / cpuMsPerPoll;
      const boundShare = pollsPerSecondBound / storeCeiling;
      const workersMs = digest.ms - tickMs;
      const sent = digest.result.sent;
      const digestsPerSecond = sent / (workersMs / 1000);
      const sesShare = digestsPerSecond / sendsPerSecond;
      const digestMsPerSubscriber = digest.ms / Math.max(1, digest.result.due);
      // The poll tick's work per job; the digest tick's per account it explains (reading its history,
      // explaining, storing its part of the night; the parts of a split night included, each account as
      // often as a part explained it), and the workers' per digest.
      const explained = new Set(readers.flatMap((reader) => reader.accountIds)).size;
      const pollTickMsPerJob = pollTickMs / accountPolls;
      const digestTickMsPerAccount = digestTick.busyMs / Math.max(1, accountsExplained);
      const digestWorkerMsPerDigest = (digest.busyMs - digestTick.busyMs) / Math.max(1, sent);
      const failedTotal = rounds.reduce((sum, round) => sum + round.result.failed, 0);
      /** Per account-poll: what the rounds' DynamoDB requests of the kinds `matching` added up to. */
      const perPoll = (matching: (kind: string) => boolean) => {
        const totals = rounds.map((round) => round.capacity.total(matching));
        return {
          requests: totals.reduce((sum, total) => sum + total.requests, 0) / accountPolls,
          units: totals.reduce((sum, total) => sum + total.units, 0) / accountPolls,
        };
      };
      const isRead = (kind: string) => readsCapacity(kind);
      const pollReads = perPoll(isRead);
      const pollWrites = perPoll((kind) => !isRead(kind));
      const credentialReads = perPoll((kind) => kind === 'BatchGetCommand CREDENTIALS');
      const pollItemWrites = perPoll((kind) => !isRead(kind) && kind.endsWith(' POLL'));
      const tiktokPerPoll = tiktokRequests
        .map(([path, count]) => `${path} ${fmt(count / accountPolls, 2)}`)
        .join(', ');
      const tiktokTotal = tiktokRequests.reduce((sum, [, count]) => sum + count, 0);
      const tiktokPerSecond = tiktokTotal / (pollMs / 1000);
      const tiktokShare = tiktokPerSecond / tiktokCeiling;
      const due = Math.max(1, digest.result.due);
      // The history reads (queries of polls and roll-ups) are priced by the cost model from the storage
      // benchmark at the fleet's history; these are the digest's other units.
      const digestOtherReads =
        digest.capacity.total((kind) => isRead(kind) && !kind.startsWith('Query')).units / due;
      // The tick stores a part of the night per account (and the night's head); the rest is per digest. An
      // account two parts explained is stored by the first: the second's put is refused on its condition, which
      // reports no capacity here (DynamoDB bills it as a write).
      const isNightWrite = (kind: string) => !isRead(kind) && kind.endsWith(' NIGHT');
      const nightWrites = digest.capacity.total(isNightWrite).units / Math.max(1, explained);
      const digestWrites =
        digest.capacity.total((kind) => !isRead(kind) && !isNightWrite(kind)).units / due;
      const nothingLost =
        missingPolls === 0 &&
        digest.result.due === SUBSCRIBERS &&
        exactlyOnce === SUBSCRIBERS &&
        strangers === 0;

      const rows: Array<Array<string | number>> = [
        [
          'Setup (not timed as the night): world, services, registration, the round before the night',
          `${fmt(setupMs / 1000, 1)} s`,
        ],
        ...rounds.map((round, index) => [
          `Poll round ${index + 1} (${(SLOTS[index] as Date).toISOString()}): ${fmt(round.result.accounts)} accounts, ${fmt(round.result.ok)} ok, ${fmt(round.result.partial)} partial, ${fmt(round.result.failed)} failed, ${round.result.queue.invocations} worker invocations`,
          `${fmt(round.ms / 1000, 1)} s`,
        ]),
        [
          `The whole night (${SLOTS.length} poll rounds, the digest tick and workers): wall time / accounts a second`,
          `${fmt(nightWallMs / 1000, 1)} s / ${fmt(ACCOUNTS / (nightWallMs / 1000), 0)}`,
        ],
        [`Account-polls per second (${SLOTS.length} rounds)`, fmt(accountsPerSecond, 0)],
        [
          `Store ceiling: poll-sized items (${fmt(body.length / 1024, 1)} KB) written per second, as PutItem ${pollConcurrency} at a time / as BatchWriteItem of ${POLL_BATCH_SIZE}, ${DEFAULT_POLL_WORKER_CONCURRENCY} at a time (best of ${CEILING_PASSES} passes)`,
          `${fmt(putsPerSecond, 0)} / ${fmt(batchedPerSecond, 0)}`,
        ],
        ['Polling as a share of the store ceiling (the faster way)', `${fmt(100 * pollShare, 0)}%`],
        [
          `TikTok ceiling: first pages of /v2/video/list/ (${VIDEO_PAGE_SIZE} videos) the fake TikTok answers per second, ${pollConcurrency} at a time / TikTok requests per second while polling`,
          `${fmt(tiktokCeiling, 0)} / ${fmt(tiktokPerSecond, 0)}`,
        ],
        [
          'TikTok requests while polling as a share of the TikTok ceiling',
          `${fmt(100 * tiktokShare, 0)}%`,
        ],
        [
          `Digest tick: find ${fmt(digest.result.due)} due subscribers, explain the night for the ${fmt(explained)} accounts they follow (${digest.result.partQueue.invocations > 0 ? `in ${digest.result.partQueue.invocations} parts, ${DIGEST_PART_CONCURRENCY} at once: ${fmt(accountsExplained)} account-nights explained, an account followed from two parts in each` : 'in one invocation'}), queue jobs`,
          `${fmt(tickMs / 1000, 1)} s`,
        ],
        [
          `Digest workers: ${fmt(sent)} sent, ${fmt(digest.result.skipped)} skipped, ${fmt(digest.result.failed)} failed, ${digest.result.queue.invocations} invocations`,
          `${fmt(workersMs / 1000, 1)} s (${fmt(digestsPerSecond, 0)} per second)`,
        ],
        [
          'SES ceiling: plain one-line SendEmail per second',
          `${fmt(sendsPerSecond, 0)} (${digestConcurrency} at a time)`,
        ],
        ['Digest sending as a share of the SES ceiling', `${fmt(100 * sesShare, 0)}%`],
        [
          'Poll phase per account-poll, ms: wall / this thread busy (the functions with their SDK calls, and the embedded SQS)',
          `${fmt(pollMs / accountPolls, 2)} / ${fmt(pollBusyMs / accountPolls, 2)}`,
        ],
        [
          'Poll phase per account-poll, ms: busy by thread (this one / the fake TikTok / the store); CPU of the whole process',
          `${fmt(pollBusyMs / accountPolls, 2)} / ${fmt(tiktokBusyMs / accountPolls, 2)} / ${fmt(storeBusyMs / accountPolls, 2)}; ${fmt(cpuMsPerPoll, 2)}`,
        ],
        [
          `The most account-polls per second at that CPU with all ${cores} cores busy / as a share of the store ceiling`,
          `${fmt(pollsPerSecondBound, 0)} / ${fmt(100 * boundShare, 0)}%`,
        ],
        ['Digest phase per subscriber (tick + workers), ms', fmt(digestMsPerSubscriber, 2)],
        [
          `Ticks, ms of this thread: poll tick per job sent / digest tick per account-night explained (${fmt(accountsExplained)}); digest workers per digest`,
          `${fmt(pollTickMsPerJob, 3)} / ${fmt(digestTickMsPerAccount, 2)}; ${fmt(digestWorkerMsPerDigest, 2)}`,
        ],
        [
          'TikTok requests per account-poll',
          `${fmt(tiktokTotal / accountPolls, 2)} (${tiktokPerPoll})`,
        ],
        [
          'DynamoDB requests per account-poll: reads, writes (of which poll items)',
          `${fmt(pollReads.requests, 2)}, ${fmt(pollWrites.requests, 2)} (${fmt(pollItemWrites.requests, 2)})`,
        ],
        [
          'DynamoDB capacity per account-poll: read units (of which the credentials batch read), write units',
          `${fmt(pollReads.units, 2)} (${fmt(credentialReads.units, 2)}), ${fmt(pollWrites.units, 2)}`,
        ],
        [
          "DynamoDB capacity: per digest, read units besides history queries and write units; per account of the night, its stored part's write units",
          `${fmt(digestOtherReads, 2)}, ${fmt(digestWrites, 2)}; ${fmt(nightWrites, 2)}`,
        ],
        ['Log bytes per account-poll (INFO)', fmt(pollLogBytes / accountPolls, 0)],
        ['Log bytes per digest (INFO)', fmt(digest.logBytes / Math.max(1, sent), 0)],
        ['Peak RSS of the process, MB', fmt(peakRssMb, 0)],
        [
          'Nothing lost: account-slots without a stored poll or dead letter',
          `${missingPolls} of ${fmt(accounts.length * SLOTS.length)} (${fmt(failedPolls)} stored as failed, ${deadLettered.size} dead-lettered)`,
        ],
        [
          'Nothing lost: due subscribers with exactly one email',
          `${fmt(exactlyOnce)} of ${fmt(digest.result.due)} due (${fmt(SUBSCRIBERS)} registered; ${strangers} unexpected recipients)`,
        ],
      ];
      return {
        title: `A whole local night: ${fmt(ACCOUNTS)} accounts, ${fmt(SUBSCRIBERS)} subscribers`,
        description: [
          `${fmt(ACCOUNTS)} simulated accounts (video counts log-normal around ${MEDIAN_VIDEOS}, seed ${SEED}) registered`,
          `with Display API grants from the fake TikTok, and ${fmt(SUBSCRIBERS)} subscribers (one for every other account)`,
          `following one to three accounts each, all due at ${MORNING.toISOString()}. The fleet has been running: each account has a poll`,
          `from the round before, and each access token would run out once during the night (on the simulated clock, by`,
          'which the poll worker judges tokens at each slot), so the worker refreshes each once, before it expires.',
          'Then a day of poll rounds',
          `every ${CADENCE_HOURS} hours (the deployed cadence; the first of the UTC day rolls the day before up),`,
          'then the digest tick and workers, all through the real handlers, the embedded SQS and the local SES in',
          'one process, dynalite and the fake TikTok each on a thread of its own; functions log at INFO, the level',
          "deployed, and SES pacing is off. Wall times are this machine's for the whole pipeline; the thread's busy",
          'time is what the functions, their SDK calls and the embedded SQS took of it: a proxy for Lambda compute',
          'that leaves out the wait on the real TikTok and SES. Ceilings are measured in the same run on the same',
          'services. Every DynamoDB request of the night asks for its consumed capacity, which the capacity rows add',
          'up.',
        ].join(' '),
        columns: ['Measure', 'Value'],
        rows,
        verdicts: [
          `Reported, not a target: the night's polling ran at ${fmt(100 * pollShare, 0)}% of the embedded store's raw write ceiling (the fake TikTok, the store and the functions share this machine's ${cores} cores, so the share measures the machine more than the design). An account-poll is ${fmt(tiktokTotal / accountPolls, 1)} TikTok requests and ${fmt(pollReads.requests + pollWrites.requests, 1)} DynamoDB requests through the SDK (the ceiling writes an item with a tenth of one); its TikTok requests alone run at ${fmt(100 * tiktokShare, 0)}% of what the fake TikTok answers to a plain client. At the ${fmt(cpuMsPerPoll, 1)} ms of CPU an account-poll costs (functions, fake TikTok and store together), all ${cores} cores could poll at most ${fmt(pollsPerSecondBound, 0)} a second: ${fmt(100 * boundShare, 0)}% of the ceiling`,
          `Check: nothing lost — ${nothingLost ? 'passed' : 'FAILED'} (${missingPolls} account-slots missing, ${fmt(failedTotal)} polls failed and stored as such, ${fmt(exactlyOnce)} of ${fmt(SUBSCRIBERS)} subscribers with exactly one email)`,
        ],
        measurements: {
          'night.accounts': ACCOUNTS,
          'night.pollMsPerAccount': pollMs / accountPolls,
          'night.pollBusyMsPerAccount': pollBusyMs / accountPolls,
          'night.digestMsPerSubscriber': digestMsPerSubscriber,
          'night.pollTickMsPerJob': pollTickMsPerJob,
          'night.digestTickMsPerAccount': digestTickMsPerAccount,
          'night.writeUnitsPerAccountNight': nightWrites,
          'night.digestWorkerMsPerDigest': digestWorkerMsPerDigest,
          'night.logBytesPerAccountPoll': pollLogBytes / accountPolls,
          'night.readUnitsPerAccountPoll': pollReads.units,
          'night.writeUnitsPerAccountPoll': pollWrites.units,
          'night.credentialReadUnitsPerAccountPoll': credentialReads.units,
          'night.readUnitsPerDigest': digestOtherReads,
          'night.writeUnitsPerDigest': digestWrites,
          'night.logBytesPerDigest': digest.logBytes / Math.max(1, sent),
          'night.accountsPerSecond': accountsPerSecond,
          'night.wallSeconds': nightWallMs / 1000,
          'night.peakRssMb': peakRssMb,
          'night.storeCeilingItemsPerSecond': storeCeiling,
          'night.pollShareOfStoreCeiling': pollShare,
          'night.tiktokThreadBusyMsPerAccountPoll': tiktokBusyMs / accountPolls,
          'night.storeThreadBusyMsPerAccountPoll': storeBusyMs / accountPolls,
          'night.pollCpuMsPerAccountPoll': cpuMsPerPoll,
          'night.pollShareBoundAllCores': boundShare,
          'night.tiktokCeilingRequestsPerSecond': tiktokCeiling,
          'night.tiktokShareOfCeiling': tiktokShare,
          'night.sesCeilingSendsPerSecond': sendsPerSecond,
          'night.digestShareOfSesCeiling': sesShare,
        },
      };
    } finally {
      rss.stop();
      await services.close();
    }
  },
};
