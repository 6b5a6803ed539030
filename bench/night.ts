/**
 * `npm run bench -- night`: a whole local night for a fleet of 10,000 accounts through the real handlers.
 *
 * Accounts (video counts log-normal around 50, seeded) are registered with Display API grants from the fake
 * TikTok, and as many subscribers, each following one to three of them, due at the morning's local hour. The
 * night is then timed phase by phase: two poll rounds 24 hours apart (the poll tick → embedded SQS → poll
 * workers → fake TikTok → store), so the night has polls on both sides, then the digest tick (which explains
 * the night once for the fleet) → embedded SQS → digest workers → local SES.
 *
 * References, measured in the same run on the same embedded services at the workers' concurrency: plain
 * PutItem of poll-sized items (the store's raw write ceiling) and plain one-line SendEmail (the local SES's).
 * The run checks that nothing was lost: every account has a stored poll (or a dead-lettered job) for every
 * slot, and every due subscriber received exactly one email.
 *
 * Everything runs in this process, so the times are this machine's in-process compute for the whole
 * pipeline (functions and embedded services together): a proxy for Lambda compute, excluding the wait on the
 * real TikTok and SES pacing, which the cost model takes as inputs.
 */
import { createRequire } from 'node:module';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createDocumentClient } from '../adapters/aws-clients.ts';
import { createCredentialCipher } from '../adapters/credential-cipher.ts';
import { encodePoll } from '../adapters/dynamodb/poll-codec.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import type { Account, PollJob, Subscriber } from '../core/model.ts';
import { forEachLimited } from '../core/poll-accounts.ts';
import { hashSeed, Random } from '../core/simulate/random.ts';
import { type AccountScenario, createWorld } from '../core/simulate/world.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../core/time.ts';
import {
  DEFAULT_DIGEST_WORKER_CONCURRENCY,
  DEFAULT_POLL_WORKER_CONCURRENCY,
  LOCAL_QUEUE_NAMES,
} from '../lib/fan-out.ts';
import { registerAccounts } from '../local/demo.ts';
import { type LocalPollSummary, loadLocalFunctions } from '../local/invoke.ts';
import { clearDeliveredEmails, countDeliveredRecipients } from '../local/local-ses.ts';
import { startLocalServices } from '../local/services.ts';
import { type Benchmark, type BenchSection, consumedUnits, fmt, readsCapacity } from './harness.ts';

/** Fleet size; `LIKEWATCH_BENCH_NIGHT_ACCOUNTS` runs a smaller night while working on the code. */
const ACCOUNTS = Number(process.env.LIKEWATCH_BENCH_NIGHT_ACCOUNTS ?? 10_000);
const SUBSCRIBERS = ACCOUNTS;
const MEDIAN_VIDEOS = 50;
const SEED = 2026;
/** The morning of the digest; the poll rounds run at the schedule's 06:00 slot the day before and that day. */
const MORNING = new Date('2026-11-24T07:00:00Z');
const SLOTS = [
  new Date(MORNING.getTime() - DAY_MS - HOUR_MS),
  new Date(MORNING.getTime() - HOUR_MS),
];
/** Subscribers' time zones: delivery hours differ, yet all fall due at the same tick, as in one UTC hour. */
const TIME_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
/** Registration is setup, not the night; it is written this many at a time. */
const SETUP_CONCURRENCY = 16;
const TARGET_SHARE_OF_STORE_CEILING = 0.5;

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

/** Subscriber `index` follows account `index` (so every account is followed) and up to two others. */
function subscribers(accounts: readonly Account[]): Subscriber[] {
  const random = new Random(hashSeed('night-bench-subscribers', SEED));
  return Array.from({ length: SUBSCRIBERS }, (_, index) => {
    const followed = new Set([(accounts[index % accounts.length] as Account).id]);
    const extra = random.int(0, 2);
    for (let n = 0; n < extra; n++) {
      followed.add((accounts[random.int(0, accounts.length - 1)] as Account).id);
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

/**
 * Adds up the DynamoDB capacity every client in this process consumes (the functions build their own clients,
 * so the tap sits on the SDK's shared client class): each data-plane request asks for its consumed capacity
 * (`ReturnConsumedCapacity: TOTAL`), which dynalite computes from item sizes as DynamoDB does.
 */
class CapacityTap {
  readUnits = 0;
  writeUnits = 0;
  /** Units by command, e.g. `BatchGetCommand`. */
  readonly byCommand = new Map<string, number>();
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
      return send.apply(this, args).then((output) => {
        const units = consumedUnits(output);
        if (readsCapacity(name)) tap.readUnits += units;
        else tap.writeUnits += units;
        tap.byCommand.set(name, (tap.byCommand.get(name) ?? 0) + units);
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

/** Times `work`; returns its result, wall milliseconds and the bytes the functions logged meanwhile. */
async function phase<T>(work: () => Promise<T>): Promise<{
  result: T;
  ms: number;
  logBytes: number;
  readUnits: number;
  writeUnits: number;
  unitsByCommand: Map<string, number>;
}> {
  const meter = new LogMeter();
  const capacity = new CapacityTap();
  meter.start();
  capacity.start();
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      ms: performance.now() - started,
      logBytes: meter.bytes,
      readUnits: capacity.readUnits,
      writeUnits: capacity.writeUnits,
      unitsByCommand: capacity.byCommand,
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
    const world = createWorld({
      seed: SEED,
      start: new Date((SLOTS[0] as Date).getTime() - HOUR_MS),
      end: MORNING,
      accounts: scenarios(),
    });
    const worldMs = performance.now() - setupStarted;
    let simulatedNow = SLOTS[0] as Date;
    const services = await startLocalServices({ world, now: () => simulatedNow });
    // The level deployed: the log bytes measured are those CloudWatch would ingest.
    services.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    // Pacing to an SES quota would time the quota, not the code; docs/scaling.md has the quota arithmetic.
    services.env.SES_MAX_SEND_RATE = '1000000';
    try {
      await clearDeliveredEmails(services.sesEndpoint);
      const functions = await loadLocalFunctions(services);
      const { loadEnv, PollEnvChecked, DigestEnvChecked } = await import(
        '../lambdas/_shared/env.ts'
      );
      // What the night has in flight: each worker's accounts (or digests) at once, times the workers at once.
      const pollConcurrency =
        loadEnv(PollEnvChecked, process.env).POLL_CONCURRENCY * DEFAULT_POLL_WORKER_CONCURRENCY;
      const digestConcurrency =
        loadEnv(DigestEnvChecked, process.env).DIGEST_CONCURRENCY *
        DEFAULT_DIGEST_WORKER_CONCURRENCY;
      const { onRunSummary } = await import('../lambdas/_shared/middleware.ts');
      const store = new DynamoDbStore(createDocumentClient(), {
        tableName: services.env.TABLE_NAME as string,
        credentialCipher: createCredentialCipher(services.env),
      });
      const accounts = await registerAccounts(
        store,
        services,
        world.accounts,
        new Date((SLOTS[0] as Date).getTime() - DAY_MS),
        'display_api',
        SETUP_CONCURRENCY,
      );
      const readers = subscribers(accounts);
      await forEachLimited(readers, SETUP_CONCURRENCY, (reader) => store.putSubscriber(reader));
      const setupMs = performance.now() - setupStarted;

      // The night: poll rounds, then the morning's digests.
      const rounds: Array<Awaited<ReturnType<typeof phase<LocalPollSummary>>>> = [];
      for (const slot of SLOTS) {
        simulatedNow = slot;
        rounds.push(
          await phase(() => functions.poll({ kind: 'poll', scheduledTime: slot.toISOString() })),
        );
      }
      simulatedNow = MORNING;
      let tickEndedAt = 0;
      const stopListening = onRunSummary((message) => {
        if (message === 'digest tick finished') tickEndedAt = performance.now();
      });
      const digestStarted = performance.now();
      const digest = await phase(() =>
        functions.sendDigests({ kind: 'digest', scheduledTime: MORNING.toISOString() }),
      ).finally(stopListening);
      const tickMs = tickEndedAt - digestStarted;

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

      // The raw ceilings, on the same services at the workers' concurrency.
      const sample = world.observe(accounts[0]?.id as string, SLOTS[1] as Date);
      const body = await encodePoll({
        at: (SLOTS[1] as Date).toISOString(),
        status: 'ok',
        ...sample,
      });
      // Half the fleet's worth of items is plenty to measure a rate.
      const ceilingPuts = ACCOUNTS / 2;
      const dynamo = createDocumentClient();
      const putsStarted = performance.now();
      await forEachLimited(
        Array.from({ length: ceilingPuts }, (_, index) => index),
        pollConcurrency,
        async (index) => {
          await dynamo.send(
            new PutItemCommand({
              TableName: services.env.TABLE_NAME,
              Item: {
                pk: { S: `CEILING#${index}` },
                sk: { S: `POLL#${(SLOTS[1] as Date).toISOString()}` },
                body: { B: body },
              },
            }),
          );
        },
      );
      const putsPerSecond = ceilingPuts / ((performance.now() - putsStarted) / 1000);
      dynamo.destroy();
      const ses = new SESv2Client({});
      const ceilingSends = SUBSCRIBERS / 2;
      const sendsStarted = performance.now();
      await forEachLimited(
        Array.from({ length: ceilingSends }, (_, index) => index),
        digestConcurrency,
        async (index) => {
          await ses.send(
            new SendEmailCommand({
              FromEmailAddress: 'digest@likewatch.local',
              Destination: { ToAddresses: [`ceiling${index}@example.com`] },
              Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
            }),
          );
        },
      );
      const sendsPerSecond = ceilingSends / ((performance.now() - sendsStarted) / 1000);
      ses.destroy();
      const peakRssMb = rss.stop() / 2 ** 20;

      // Figures.
      const accountPolls = rounds.reduce((sum, round) => sum + round.result.accounts, 0);
      const pollMs = rounds.reduce((sum, round) => sum + round.ms, 0);
      const pollLogBytes = rounds.reduce((sum, round) => sum + round.logBytes, 0);
      const accountsPerSecond = accountPolls / (pollMs / 1000);
      const pollShare = accountsPerSecond / putsPerSecond;
      const workersMs = digest.ms - tickMs;
      const sent = digest.result.sent;
      const digestsPerSecond = sent / (workersMs / 1000);
      const sesShare = digestsPerSecond / sendsPerSecond;
      const digestMsPerSubscriber = digest.ms / Math.max(1, digest.result.due);
      const failedTotal = rounds.reduce((sum, round) => sum + round.result.failed, 0);
      const pollUnits = (pick: (round: (typeof rounds)[number]) => number) =>
        rounds.reduce((sum, round) => sum + pick(round), 0) / accountPolls;
      const pollReadUnits = pollUnits((round) => round.readUnits);
      const pollWriteUnits = pollUnits((round) => round.writeUnits);
      // In the poll phase only the worker's batch read of credentials uses BatchGetItem.
      const credentialReadUnits = pollUnits(
        (round) => round.unitsByCommand.get('BatchGetCommand') ?? 0,
      );
      const digestReadUnits = digest.readUnits / Math.max(1, digest.result.due);
      const digestWriteUnits = digest.writeUnits / Math.max(1, digest.result.due);
      const nothingLost =
        missingPolls === 0 &&
        digest.result.due === SUBSCRIBERS &&
        exactlyOnce === SUBSCRIBERS &&
        strangers === 0;

      const rows: Array<Array<string | number>> = [
        [
          'Setup (not timed as the night): world, services, registration',
          `${fmt(setupMs / 1000, 1)} s (world ${fmt(worldMs / 1000, 1)} s)`,
        ],
        ...rounds.map((round, index) => [
          `Poll round ${index + 1} (${(SLOTS[index] as Date).toISOString()}): ${fmt(round.result.accounts)} accounts, ${fmt(round.result.ok)} ok, ${fmt(round.result.partial)} partial, ${fmt(round.result.failed)} failed, ${round.result.queue.invocations} worker invocations`,
          `${fmt(round.ms / 1000, 1)} s`,
        ]),
        ['Account-polls per second (both rounds)', fmt(accountsPerSecond, 0)],
        [
          'Store ceiling: plain PutItem of a poll-sized item per second',
          `${fmt(putsPerSecond, 0)} (${fmt(body.length / 1024, 1)} KB items, ${pollConcurrency} at a time)`,
        ],
        ['Polling as a share of the store ceiling', `${fmt(100 * pollShare, 0)}%`],
        [
          `Digest tick: find ${fmt(digest.result.due)} due subscribers, explain the night for the fleet, queue jobs`,
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
        ['Poll phase per account-poll (in-process), ms', fmt(pollMs / accountPolls, 2)],
        ['Digest phase per subscriber (tick + workers), ms', fmt(digestMsPerSubscriber, 2)],
        [
          'DynamoDB capacity per account-poll (both rounds): read units (of which the credentials batch read), write units',
          `${fmt(pollReadUnits, 2)} (${fmt(credentialReadUnits, 2)}), ${fmt(pollWriteUnits, 2)}`,
        ],
        [
          'DynamoDB capacity per digest (tick and workers): read units, write units',
          `${fmt(digestReadUnits, 2)}, ${fmt(digestWriteUnits, 2)}`,
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
          `with Display API grants from the fake TikTok, and ${fmt(SUBSCRIBERS)} subscribers following one to three`,
          `accounts each, all due at ${MORNING.toISOString()}. Two poll rounds 24 hours apart, then the digest`,
          'tick and workers, all through the real handlers, the embedded SQS, dynalite (on its own thread), the',
          'local SES and the fake TikTok in one process; functions log at INFO, the level deployed, and SES pacing',
          "is off. Times are this machine's compute for the whole pipeline, functions and embedded services",
          'together: a proxy for Lambda compute that leaves out the wait on the real TikTok and SES. Ceilings are',
          "measured in the same run on the same services at the night's concurrency (accounts or digests in flight",
          "per worker × workers at once). The engine's slowdown baseline needs weeks of history, which two rounds",
          'do not give; drops are explained from the two polls around the night. Every DynamoDB request of the',
          'night asks for its consumed capacity, which the capacity rows add up.',
        ].join(' '),
        columns: ['Measure', 'Value'],
        rows,
        verdicts: [
          `Target: the night's polling at ≥ ${fmt(100 * TARGET_SHARE_OF_STORE_CEILING)}% of the embedded store's raw write ceiling — ${pollShare >= TARGET_SHARE_OF_STORE_CEILING ? 'met' : 'NOT met'} (${fmt(100 * pollShare, 0)}%). One account-poll is far more than one PutItem: a profile and ${Math.ceil(MEDIAN_VIDEOS / 20)}+ video-list requests to the fake TikTok and their validation, a tenth of the batch's credentials read, the roll-up progress read and (first poll of a day) yesterday's polls read back, the poll and roll-up writes with their Brotli compression, all through the SDK and HTTP, with the embedded services, in this one process`,
          `Check: nothing lost — ${nothingLost ? 'passed' : 'FAILED'} (${missingPolls} account-slots missing, ${fmt(failedTotal)} polls failed and stored as such, ${fmt(exactlyOnce)} of ${fmt(SUBSCRIBERS)} subscribers with exactly one email)`,
        ],
        measurements: {
          'night.accounts': ACCOUNTS,
          'night.pollMsPerAccount': pollMs / accountPolls,
          'night.digestMsPerSubscriber': digestMsPerSubscriber,
          'night.logBytesPerAccountPoll': pollLogBytes / accountPolls,
          'night.readUnitsPerAccountPoll': pollReadUnits,
          'night.writeUnitsPerAccountPoll': pollWriteUnits,
          'night.credentialReadUnitsPerAccountPoll': credentialReadUnits,
          'night.readUnitsPerDigest': digestReadUnits,
          'night.writeUnitsPerDigest': digestWriteUnits,
          'night.logBytesPerDigest': digest.logBytes / Math.max(1, sent),
          'night.accountsPerSecond': accountsPerSecond,
          'night.peakRssMb': peakRssMb,
          'night.storeCeilingPutsPerSecond': putsPerSecond,
          'night.pollShareOfStoreCeiling': pollShare,
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
