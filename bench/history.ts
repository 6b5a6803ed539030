/**
 * `npm run bench -- history`: the server time of one history page, 90 days of a 200-video account polled every
 * 6 hours (the last week poll by poll, the days before from the daily roll-ups), a digest a day with a loss every
 * few nights, and the last week's explained nights stored. The page is served by the pages' own request
 * function against the embedded DynamoDB (the reads included), as the HTTP function serves it.
 */
import { createDigestLinks, decodeFeedbackSubject } from '../adapters/digest-links.ts';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import { TokenSigner } from '../adapters/signed-tokens.ts';
import type { Account, Poll, Subscriber } from '../core/model.ts';
import { createWorld } from '../core/simulate/world.ts';
import { DEFAULT_ABUSE_LIMITS, type SubscriptionDeps } from '../core/subscriptions/deps.ts';
import { handleWebRequest } from '../core/subscriptions/web.ts';
import { DAY_MS, HOUR_MS, localDateAndHour } from '../core/time.ts';
import { pagesStorePorts } from '../lambdas/_shared/composition.ts';
import { LOCAL_TABLE_NAME } from '../local/services.ts';
import { type Benchmark, type BenchSection, benchDynamoDb, fmt, median } from './harness.ts';

const VIDEOS = 200;
const DAYS = 90;
const POLL_EVERY_HOURS = 6;
/** Timed page loads (after one untimed warm-up). */
const LOADS = 7;
/** The target for the page's server time. */
const TARGET_MS = 200;
const NOW = new Date('2026-11-24T10:00:00Z');
const ACCOUNT_ID = 'bench-history';
const BASE_URL = 'https://likewatch.example.com/';

export const historyBenchmark: Benchmark = {
  name: 'history',
  async run(): Promise<BenchSection> {
    const dynamo = await benchDynamoDb();
    const store = new DynamoDbStore(dynamo.doc, {
      tableName: LOCAL_TABLE_NAME,
      pollCadenceHours: POLL_EVERY_HOURS,
    });
    try {
      const subscriber: Subscriber = {
        id: 'sub-bench',
        email: 'bench@example.com',
        timeZone: 'Europe/Berlin',
        deliveryHour: 7,
        quietNights: 'all_clear',
        accountIds: [ACCOUNT_ID],
      };
      await store.putSubscriber(subscriber);
      const polls = simulatedPolls();
      for (const poll of polls) await store.putPoll(ACCOUNT_ID, poll.at, poll);
      await storeDigests(store, subscriber);
      const signer = new TokenSigner('b'.repeat(40));
      const deps = pagesDeps(store, signer);
      const url = new URL(
        createDigestLinks(BASE_URL, signer, () => NOW).history(subscriber.id, ACCOUNT_ID),
      );
      const load = async (format?: string) => {
        const query = new URLSearchParams(url.search);
        query.set('days', String(DAYS));
        if (format) query.set('format', format);
        const started = performance.now();
        const response = await handleWebRequest(deps, {
          method: 'GET',
          path: '/history',
          query,
          headers: {},
          body: '',
          bodyBytes: 0,
          sourceIp: '203.0.113.1',
          cookies: {},
        });
        if (response.status !== 200)
          throw new Error(`the history page answered ${response.status}`);
        return { ms: performance.now() - started, bytes: Buffer.byteLength(response.body) };
      };
      await load();
      const pages = [];
      for (let run = 0; run < LOADS; run++) pages.push(await load());
      const csvs = [];
      for (let run = 0; run < LOADS; run++) csvs.push(await load('csv'));
      const pageMs = median(pages.map((page) => page.ms));
      const csvMs = median(csvs.map((csv) => csv.ms));
      return {
        title: 'History page: server time',
        description: `One account of ${VIDEOS} videos polled every ${POLL_EVERY_HOURS} hours for ${DAYS} days (${polls.length} polls; the page reads the last week poll by poll and the days before from the daily roll-ups), a digest a day with a loss every fourth night, the last week's nights stored: the \`/history?days=${DAYS}\` page and its CSV, served by the pages' request function against the embedded DynamoDB (reads included), median of ${LOADS} after a warm-up.`,
        columns: ['Measure', 'Value'],
        rows: [
          [`History page, ${DAYS} days, server time (ms)`, fmt(pageMs)],
          ['History page size (KB)', fmt((pages[0]?.bytes ?? 0) / 1024, 1)],
          [`CSV of the same ${DAYS} days, server time (ms)`, fmt(csvMs)],
        ],
        verdicts: [
          `Target: the ${DAYS}-day history page of a ${VIDEOS}-video account in ≤ ${TARGET_MS} ms of server time — ${pageMs <= TARGET_MS ? 'met' : 'NOT met'} (${fmt(pageMs)} ms)`,
        ],
        measurements: { 'history.pageMs': pageMs },
      };
    } finally {
      await dynamo.close();
    }
  },
};

function simulatedPolls(): Poll[] {
  const start = NOW.getTime() - DAYS * DAY_MS;
  const world = createWorld({
    seed: 90,
    start: new Date(start - DAY_MS),
    end: NOW,
    accounts: [
      {
        id: ACCOUNT_ID,
        handle: 'bench.history',
        displayName: 'Bench',
        initialVideos: VIDEOS,
        postingIntervalHours: 48,
        medianViews: 40_000,
        likeRate: 0.07,
        followers: 50_000,
      },
    ],
  });
  const polls: Poll[] = [];
  for (let at = start; at <= NOW.getTime(); at += POLL_EVERY_HOURS * HOUR_MS) {
    const instant = new Date(at);
    polls.push({
      at: instant.toISOString().replace('.000Z', 'Z'),
      status: 'ok',
      ...world.observe(ACCOUNT_ID, instant),
    });
  }
  return polls;
}

/** A sent digest for each of the 90 mornings (a loss every fourth), and the last week's explained nights. */
async function storeDigests(store: DynamoDbStore, subscriber: Subscriber): Promise<void> {
  const account: Account = {
    platform: 'tiktok',
    id: ACCOUNT_ID,
    handle: 'bench.history',
    source: 'display_api',
    status: 'active',
    addedAt: '2026-01-01T00:00:00Z',
  };
  for (let day = 0; day < DAYS; day++) {
    const asOf = new Date(NOW.getTime() - 4 * HOUR_MS - day * DAY_MS);
    const localDate = localDateAndHour(asOf, subscriber.timeZone).date;
    const loss = day % 4 === 0;
    await store.markDigestSent(subscriber.id, localDate, `message-${day}`, {
      asOf: asOf.toISOString(),
      accounts: [
        {
          accountId: ACCOUNT_ID,
          handle: '@bench.history',
          verdict: loss ? 'loss' : 'none',
          lost: loss ? 400 : 0,
          ...(loss ? { topCause: 'fake_engagement_purge' as const } : {}),
          videos: [],
        },
      ],
    });
    if (day < 7) {
      await store.putNight({
        asOf,
        window: { from: new Date(asOf.getTime() - DAY_MS).toISOString(), to: asOf.toISOString() },
        accounts: [
          {
            account,
            explanation: {
              id: ACCOUNT_ID,
              handle: account.handle,
              verdict: loss ? 'loss' : 'none',
              likes: { lost: loss ? 400 : 0, restored: 0, gained: 900, baselineGain: 950 },
              causes: loss
                ? [
                    {
                      cause: 'fake_engagement_purge',
                      confidence: 0.9,
                      likes: 400,
                      evidence: [
                        '2 videos lost 400 likes between Nov 20 23:00 and Nov 21 03:00 UTC',
                      ],
                    },
                  ]
                : [],
              videos: [],
            },
          },
        ],
      });
    }
  }
}

/** The pages' ports on the store; nothing the history page does not use is reachable. */
function pagesDeps(store: DynamoDbStore, signer: TokenSigner): SubscriptionDeps {
  const unused = async (): Promise<never> => {
    throw new Error('not used by the history page');
  };
  return {
    ...pagesStorePorts(store),
    tokens: signer,
    mailer: { send: unused },
    tiktok: { authorizeUrl: () => BASE_URL, exchange: unused },
    links: createDigestLinks(BASE_URL, signer, () => NOW),
    decodeFeedbackSubject,
    baseUrl: BASE_URL,
    limits: DEFAULT_ABUSE_LIMITS,
    now: () => NOW,
    newId: () => 'bench',
  };
}
