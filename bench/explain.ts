/**
 * Explain throughput: `explainFleet` on 1,000 account histories × 200 videos × 60 days of 6-hourly polls,
 * against `JSON.parse` of the same input in the same run. The input goes in batches of 25 accounts (one fleet
 * document each), because the whole of it as one JSON text would exceed what a JavaScript string can hold;
 * the batch's text is built once and parsed and explained 40 times (a parse builds every object anew, so each
 * pass costs what a new text would), which keeps the run to the time the two steps take.
 */
import { explainFleet } from '../core/explain/index.ts';
import type { Fleet, FleetAccount, Poll } from '../core/model.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import { type Benchmark, type BenchSection, fmt } from './harness.ts';

/**
 * Accounts timed: 20 passes over one batch, enough for a steady ratio, in a benchmark run that keeps its ten
 * minutes on two cores.
 */
const ACCOUNTS = 500;
/** Explaining a fleet may cost at most this share of parsing its JSON. */
const MAX_RATIO_TO_PARSE = 0.5;
const BATCH = 25;
const VIDEOS = 200;
const DAYS = 60;
const POLL_EVERY_HOURS = 6;
const POLLS_PER_ACCOUNT = (DAYS * 24) / POLL_EVERY_HOURS;
const AS_OF = Date.parse('2026-11-24T06:00:00Z');

/** A small deterministic generator (mulberry32), so every run explains the same input. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One account's history: videos that grow and decay, with a few unlikes now and then. */
function account(index: number): FleetAccount {
  const next = random(index + 1);
  const polls: Poll[] = [];
  const pollCount = POLLS_PER_ACCOUNT;
  const start = AS_OF - DAYS * DAY_MS;
  const videos = Array.from({ length: VIDEOS }, (_, video) => {
    const postedAt = start - (VIDEOS - video) * 2 * DAY_MS;
    return {
      id: `${7_000_000_000_000_000_000n + BigInt(index * 1000 + video)}`,
      postedAt,
      // Formatted once: the same instant appears in every poll.
      postedAtText: new Date(postedAt).toISOString(),
      reach: 2_000 + next() * 200_000,
      likeRate: 0.02 + next() * 0.12,
      unliked: 0,
    };
  });
  for (let poll = 0; poll <= pollCount; poll += 1) {
    const at = start + poll * POLL_EVERY_HOURS * HOUR_MS;
    const stats = videos.map((video) => {
      const ageDays = (at - video.postedAt) / DAY_MS;
      const views = Math.round(video.reach * (1 - Math.exp(-ageDays / 3)) + ageDays * 5);
      if (next() < 0.02) video.unliked += 1;
      const likes = Math.max(0, Math.round(views * video.likeRate) - video.unliked);
      return {
        id: video.id,
        postedAt: video.postedAtText,
        views,
        likes,
        comments: Math.round(likes * 0.02),
        shares: Math.round(likes * 0.01),
        saves: null,
      };
    });
    const likes = stats.reduce((sum, video) => sum + video.likes, 0);
    polls.push({
      at: new Date(at).toISOString(),
      status: 'ok',
      profile: { followers: 10_000 + index, following: 100, likes, videos: VIDEOS },
      videos: stats,
    });
  }
  return { platform: 'tiktok', id: `acct-${index}`, handle: `creator_${index}`, polls };
}

export const explainBenchmark: Benchmark = {
  name: 'explain',
  async run(): Promise<BenchSection> {
    let parseMs = 0;
    let explainMs = 0;
    let bytes = 0;
    let losses = 0;
    const asOf = new Date(AS_OF);
    const text = JSON.stringify({
      format: 'likewatch.fleet/v1',
      accounts: Array.from({ length: BATCH }, (_, offset) => account(offset)),
    } satisfies Fleet);
    for (let first = 0; first < ACCOUNTS; first += BATCH) {
      bytes += text.length;
      const parseStarted = performance.now();
      const fleet = JSON.parse(text) as Fleet;
      parseMs += performance.now() - parseStarted;
      const explainStarted = performance.now();
      const explanation = explainFleet(fleet, { asOf });
      explainMs += performance.now() - explainStarted;
      losses += explanation.accounts.filter((entry) => entry.verdict === 'loss').length;
    }
    const ratio = explainMs / parseMs;
    return {
      title: 'Explain throughput against JSON.parse',
      description: `${fmt(ACCOUNTS)} account histories × ${VIDEOS} videos × ${DAYS} days of ${POLL_EVERY_HOURS}-hourly polls (${fmt(bytes / 2 ** 30, 2)} GB of fleet JSON), in batches of ${BATCH} accounts (one batch's text, parsed and explained ${ACCOUNTS / BATCH} times); both columns time the same batches in the same run. Ordinary accounts only (growth, decay, scattered unlikes): the engine reported ${losses} losses.`,
      columns: ['Step', 'Total (s)', 'Per account (ms)'],
      rows: [
        ['JSON.parse', fmt(parseMs / 1000, 2), fmt(parseMs / ACCOUNTS, 2)],
        ['explainFleet', fmt(explainMs / 1000, 2), fmt(explainMs / ACCOUNTS, 2)],
      ],
      verdicts: [
        `Target: explaining costs ≤ ${MAX_RATIO_TO_PARSE}× parsing — ${ratio <= MAX_RATIO_TO_PARSE ? 'met' : 'NOT met'} (${fmt(ratio, 2)}×)`,
      ],
      measurements: {
        'explain.msPerAccount': explainMs / ACCOUNTS,
        // Per poll and video explained: the digest tick's compute scales with the history it explains.
        'explain.msPerPollVideo': explainMs / (ACCOUNTS * POLLS_PER_ACCOUNT * VIDEOS),
        'explain.ratioToParse': ratio,
      },
    };
  },
};
