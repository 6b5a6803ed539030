import { describe, expect, it } from 'vitest';
import {
  digestInvocationSeconds,
  estimateMonthlyCost,
  interpolate,
  pollInvocationSeconds,
  tiktokLoad,
} from '../../../core/cost.ts';
import type { CostInput, OperationQuantities } from '../../../core/cost-inputs.ts';

const measured: OperationQuantities = {
  writeUnitsPerPoll: [
    { videos: 50, units: 2 },
    { videos: 200, units: 5 },
  ],
  readUnitsPerHistoryDay: { videos: 50, pollsPerDay: 4, units: 0.5 },
  readUnitsPerRollupDay: { videos: 50, units: 0.2 },
  readUnitsPerPollWrite: [
    { videos: 50, units: 0 },
    { videos: 200, units: 0 },
  ],
  bytesPerPoll: [
    { videos: 50, bytes: 1024 },
    { videos: 200, bytes: 4096 },
  ],
  bytesPerRollup: [
    { videos: 50, bytes: 2048 },
    { videos: 200, bytes: 8192 },
  ],
  rollupMonthShare: 0.25,
  credentialReadUnitsPerPoll: 1,
  readUnitsPerDigest: 2,
  writeUnitsPerDigest: 3,
  writeUnitsPerAccountNight: 1,
  historyMsPerPollVideo: 0.001,
  thinnedHistoryMsPerPollVideo: 0.0015,
  explainMsPerPollVideo: 0.0005,
  pollMsPerAccount: 20,
  pollTickMsPerJob: 0.1,
  digestTickMsPerAccount: 5,
  digestWorkerMsPerDigest: 50,
  logBytesPerAccountPoll: 0,
  logBytesPerDigest: 0,
};
const input: CostInput = {
  accounts: 1000,
  videosPerAccount: 50,
  subscribers: 1000,
  pollsPerDay: 4,
  region: 'us-east-1',
  retentionDays: 90,
  rollupDays: 365,
  historyDays: 20,
  rawHistoryDays: 20,
  pollTick: { memoryGb: 0.5, everyMinutes: 1 },
  digestTick: { memoryGb: 2 },
  pollWorker: {
    memoryGb: 0.25,
    batchSize: 10,
    concurrency: 2,
    inFlight: 8,
    tiktokRequestsPerMinute: 600,
  },
  digestWorker: { memoryGb: 1, batchSize: 10, concurrency: 2, sesSendsPerSecond: 14 },
  tiktok: { latencyMsPerRequest: 300, videosPerListPage: 20 },
  pageRequestsPerSubscriber: 3,
  stack: {
    customerKeys: 1,
    polledQueues: 2,
    alarmMetrics: 10,
    customMetrics: 2,
    dashboards: 1,
    webAcls: 1,
    webAclRules: 2,
  },
};
const cost = (lines: Array<{ service: string; monthlyUsd: number }>, service: string) =>
  lines.find((line) => line.service === service)?.monthlyUsd ?? Number.NaN;

describe('interpolate', () => {
  it('should interpolate between measured points and scale beyond them', () => {
    const points = [
      { x: 50, y: 2 },
      { x: 200, y: 5 },
    ];
    expect(interpolate(points, 125)).toBeCloseTo(3.5);
    expect(interpolate(points, 400)).toBeCloseTo(10);
    expect(interpolate(points, 25)).toBeCloseTo(1);
  });
});

describe('pollInvocationSeconds', () => {
  it('should bill the batch’s TikTok round trips and its compute, whatever the rate limit', () => {
    // 50 videos: the profile with the first of 3 list pages, the 2 others, and a token refresh: 4 round trips
    // of 0.3 s; 10 accounts 8 at a time are 2 waves: 2.4 s. Compute: 10 × 20 ms on a quarter-GB function,
    // which has 256 / 1769 of a vCPU.
    const compute = 0.2 * (1769 / 256);
    expect(pollInvocationSeconds(input, 20)).toBeCloseTo(2.4 + compute, 6);
    // The whole batch at once: one wave.
    const together = { ...input, pollWorker: { ...input.pollWorker, inFlight: 10 } };
    expect(pollInvocationSeconds(together, 20)).toBeCloseTo(1.2 + compute, 6);
    // Jobs arrive spread over the cadence, so the limit does not stretch an invocation.
    const tight = { ...input, pollWorker: { ...input.pollWorker, tiktokRequestsPerMinute: 10 } };
    expect(pollInvocationSeconds(tight, 20)).toBeCloseTo(2.4 + compute, 6);
  });
});

describe('tiktokLoad', () => {
  it('should give the list requests a minute the fleet needs and the polls a day a per-app limit allows', () => {
    // 1,000 accounts × 4 polls × 3 pages a day = 12,000 requests: 8.3 a minute, far within 600.
    expect(tiktokLoad(input)).toEqual({
      listRequestsPerMinute: 12_000 / 1440,
      limitPerMinute: 600,
      pollsPerDayAllowed: (600 * 1440) / 3000,
    });
    // 100,000 accounts need 833 a minute: at 600 per app, 2.9 polls a day.
    const big = tiktokLoad({ ...input, accounts: 100_000 });
    expect(big.listRequestsPerMinute).toBeCloseTo(833.33, 2);
    expect(big.pollsPerDayAllowed).toBeCloseTo(2.88, 2);
  });
});

describe('digestInvocationSeconds', () => {
  it('should bill the share of the SES rate when sending is slower than composing', () => {
    // 10 digests at 14 / 2 workers = 7 a second: 1.43 s; composing takes 10 × 50 ms × 1.73 = 0.86 s.
    expect(digestInvocationSeconds(input, 50)).toBeCloseTo(10 / 7, 6);
    expect(digestInvocationSeconds(input, 500)).toBeCloseTo(5 * (1769 / 1024), 6);
  });
});

describe('estimateMonthlyCost', () => {
  it('should price each service from the measured quantities', () => {
    const { lines, totalUsd, perThousandAccountsUsd } = estimateMonthlyCost(input, measured);
    // Writes: 121,600 account-polls × 2 units, a token refresh a day per account (30,400 × 1), a month's
    // record per account (30.4 days × 2 KB × a quarter: 16 units), the stored night's part per account and
    // night (30,400 × 1) and 30,400 digests × 3 units, at $0.78 per million (Standard-IA).
    expect(cost(lines, 'DynamoDB writes')).toBeCloseTo(
      ((243_200 + 30_400 + 16_000 + 30_400 + 91_200) / 1e6) * 0.78,
      6,
    );
    // Reads: 30,400 account-nights × 20 days × 0.5, the charts' 7 days × 0.5 per digest, a credentials read
    // per account-poll and 2 units per digest; the poll tick's index: 43,776 ticks × 4 due minutes × half a
    // unit, and 121,600 account items of 300 bytes at half a unit per 4 KB; a month's days read back per
    // account (30.4 × 2 KB at half a unit per 4 KB). At $0.155 per million.
    const tickReads = 43_776 * 4 * 0.5 + (121_600 * 300 * 0.5) / 4096;
    const monthReads = 1000 * ((30.4 * 2048 * 0.5) / 4096);
    const reads = 304_000 + 30_400 * 7 * 0.5 + 121_600 * 1 + 30_400 * 2 + tickReads + monthReads;
    expect(cost(lines, 'DynamoDB reads')).toBeCloseTo((reads / 1e6) * 0.155, 6);
    // A poll tick a minute and a digest tick an hour.
    expect(cost(lines, 'EventBridge Scheduler')).toBeCloseTo(((1440 + 24) * 30.4 * 1) / 1e6, 9);
    // Raw polls: 1,000 × 4 × 90 × 1 KB; roll-ups: 1,000 × 2 KB × (29.2 days one by one, this month's and
    // the last's in its grace, and 335.8 days at a quarter in month records); storage and backups at $0.30
    // per GB.
    const rollupDays = 29.2 + (365 - 29.2) * 0.25;
    const storedGb = (1000 * 4 * 90 * 1024 + 1000 * rollupDays * 2048) / 1024 ** 3;
    expect(cost(lines, 'DynamoDB storage and backups')).toBeCloseTo(storedGb * 0.3, 6);
    // 121,600 poll jobs and 30,400 digest jobs, ten to a request, three requests per ten; apart, as a fixed
    // cost, 5 idle pollers per queue receiving 3 times a minute.
    expect(cost(lines, 'SQS jobs')).toBeCloseTo(((12_160 * 3 + 3_040 * 3) / 1e6) * 0.4, 6);
    expect(cost(lines, 'SQS idle long polls')).toBeCloseTo(
      ((2 * 5 * 3 * 60 * 24 * 30.4) / 1e6) * 0.4,
      6,
    );
    // The stack's fixed parts: the customer key (the secrets are standard parameters, no fee); 2 custom
    // metrics, 10 alarm metrics and a dashboard; a web ACL of two rules, whose requests (3 per subscriber) are
    // billed with API Gateway's.
    expect(cost(lines, 'KMS customer managed key')).toBeCloseTo(1, 9);
    expect(cost(lines, 'CloudWatch metrics and alarms')).toBeCloseTo(2 * 0.3 + 10 * 0.1 + 3, 9);
    expect(cost(lines, 'WAF')).toBeCloseTo(5 + 2 * 1, 9);
    expect(cost(lines, 'API Gateway')).toBeCloseTo(((1000 * 3) / 1e6) * (3.5 + 0.6), 9);
    // 1,000 × 30.4 emails at $0.10 per thousand.
    expect(cost(lines, 'SES')).toBeCloseTo(3.04, 6);
    expect(totalUsd).toBeCloseTo(
      lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
      9,
    );
    expect(perThousandAccountsUsd).toBeCloseTo(totalUsd, 9);
  });

  it('should keep the fixed lines apart and add them up as the fixed part', () => {
    const { lines, fixedUsd } = estimateMonthlyCost(input, measured);
    const fixed = lines.filter((line) => line.fixed).map((line) => line.service);
    expect(fixed).toEqual([
      'EventBridge Scheduler',
      'SQS idle long polls',
      'KMS customer managed key',
      'CloudWatch metrics and alarms',
      'WAF',
    ]);
    expect(fixedUsd).toBeCloseTo(
      fixed.reduce((sum, service) => sum + cost(lines, service), 0),
      9,
    );
    // A stack without the optional parts costs less whatever the fleet, and the same per account.
    const bare = estimateMonthlyCost(
      { ...input, stack: { ...input.stack, dashboards: 0, webAcls: 0, webAclRules: 0 } },
      measured,
    );
    expect(fixedUsd - bare.fixedUsd).toBeCloseTo(3 + 5 + 2, 9);
    expect(cost(bare.lines, 'Lambda')).toBe(cost(lines, 'Lambda'));
  });

  it('should grow Lambda with the TikTok wait and the history explained, and storage with the deployment’s age', () => {
    const base = estimateMonthlyCost(input, measured).lines;
    const slower = estimateMonthlyCost(
      { ...input, tiktok: { ...input.tiktok, latencyMsPerRequest: 3000 } },
      measured,
    ).lines;
    const longer = estimateMonthlyCost({ ...input, historyDays: 56 }, measured).lines;
    const older = estimateMonthlyCost({ ...input, rollupDays: 730 }, measured).lines;
    expect(cost(slower, 'Lambda')).toBeGreaterThan(cost(base, 'Lambda') * 2);
    expect(cost(longer, 'Lambda')).toBeGreaterThan(cost(base, 'Lambda'));
    expect(cost(older, 'DynamoDB storage and backups')).toBeGreaterThan(
      cost(base, 'DynamoDB storage and backups'),
    );
    expect(cost(older, 'Lambda')).toBeCloseTo(cost(base, 'Lambda'), 9);
  });

  it('should read the days before the latest ones a poll a day: fewer read units and less compute', () => {
    // 20 days of history, the last 7 poll by poll: 30,400 nights × (7 × 0.5 + 13 × 0.2) read units instead
    // of 20 × 0.5.
    const thinned = { ...input, rawHistoryDays: 7 };
    const all = estimateMonthlyCost(input, measured).lines;
    const daily = estimateMonthlyCost(thinned, measured).lines;
    const saved = 30_400 * (20 * 0.5 - (7 * 0.5 + 13 * 0.2));
    expect(cost(all, 'DynamoDB reads') - cost(daily, 'DynamoDB reads')).toBeCloseTo(
      (saved / 1e6) * 0.155,
      9,
    );
    expect(cost(daily, 'Lambda')).toBeLessThan(cost(all, 'Lambda'));
  });

  it('should bill a small fleet for being explained whole in every delivery hour with subscribers', () => {
    // 500 accounts (the whole-fleet size) and 6 subscribers, each possibly due in an hour of their own: six
    // explanations an account a night, so six times the history reads and the stored nights of one.
    const small = { ...input, accounts: 500 };
    const once = estimateMonthlyCost({ ...small, subscribers: 1 }, measured).lines;
    const sixHours = estimateMonthlyCost({ ...small, subscribers: 6 }, measured).lines;
    const nights = 500 * 30.4;
    // Reads: 20 days × 0.5 of history an account-night; the digests' own reads grow by 5 × 30.4 digests.
    const extraReads = 5 * nights * 20 * 0.5 + 5 * 30.4 * (7 * 0.5 + 2);
    expect(cost(sixHours, 'DynamoDB reads') - cost(once, 'DynamoDB reads')).toBeCloseTo(
      (extraReads / 1e6) * 0.155,
      9,
    );
    // Writes: the stored night's unit per account-night, and 3 units per extra digest.
    const extraWrites = 5 * nights * 1 + 5 * 30.4 * 3;
    expect(cost(sixHours, 'DynamoDB writes') - cost(once, 'DynamoDB writes')).toBeCloseTo(
      (extraWrites / 1e6) * 0.78,
      9,
    );
    // Above the whole-fleet size, an account's night is explained once, however many subscribers.
    const large = { ...input, accounts: 501 };
    const largeOnce = estimateMonthlyCost({ ...large, subscribers: 1 }, measured).lines;
    const largeSix = estimateMonthlyCost({ ...large, subscribers: 6 }, measured).lines;
    expect(cost(largeSix, 'DynamoDB reads') - cost(largeOnce, 'DynamoDB reads')).toBeCloseTo(
      ((5 * 30.4 * (7 * 0.5 + 2)) / 1e6) * 0.155,
      9,
    );
  });

  it('should bill the digest tick for the history it reads and explains each night', () => {
    // 30,400 account-nights × (20 days × 4 polls × 50 videos × (0.0015 ms to read the thinned history +
    // 0.0005 ms to explain it), plus 5 ms of the rest), on 2 GB (more than a full vCPU: no stretch); the poll
    // tick: 43,776 ticks × 1 round of queries × 10 ms, and 121,600 jobs × 0.1 ms at 512 / 1769 of a vCPU, on
    // half a GB.
    const digestTick = ((30_400 * 4000 * 0.002 + 30_400 * 5) / 1000) * 2;
    const pollTick = (43_776 * 0.01 + ((121_600 * 0.1) / 1000) * (1769 / 512)) * 0.5;
    const { lines } = estimateMonthlyCost(input, measured);
    expect(lines.find((line) => line.service === 'Lambda')?.usage).toContain(
      `ticks ${Math.round(digestTick + pollTick).toLocaleString('en-US')}`,
    );
  });
});
