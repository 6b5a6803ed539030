import { describe, expect, it } from 'vitest';
import {
  type CostInput,
  digestInvocationSeconds,
  estimateMonthlyCost,
  interpolate,
  type OperationQuantities,
  pollInvocationSeconds,
} from '../../../core/cost.ts';

const measured: OperationQuantities = {
  writeUnitsPerPoll: [
    { videos: 50, units: 2 },
    { videos: 200, units: 5 },
  ],
  readUnitsPerHistoryDay: { videos: 50, pollsPerDay: 4, units: 0.5 },
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
  credentialReadUnitsPerPoll: 1,
  readUnitsPerDigest: 2,
  writeUnitsPerDigest: 3,
  pollMsPerAccount: 20,
  digestMsPerSubscriber: 50,
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
  pollWorker: {
    memoryGb: 0.25,
    batchSize: 10,
    concurrency: 2,
    inFlight: 8,
    tiktokRequestsPerMinute: 600,
  },
  digestWorker: { memoryGb: 1, batchSize: 10, concurrency: 2, sesSendsPerSecond: 14 },
  tiktok: { latencyMsPerRequest: 300, videosPerListPage: 20 },
  stack: { secrets: 2, alarms: 10, dashboards: 1, polledQueues: 2 },
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
  it('should bill the slower of the TikTok round trips and the worker’s share of the rate limit, plus compute', () => {
    // 50 videos: 1 profile + 3 list requests per account. Latency: 2 rounds (10 accounts, 8 at a time) × 4 ×
    // 0.3 s = 2.4 s. Rate: 30 list requests at 600 / 2 workers / 60 = 5 a second = 6 s. Compute: 10 × 20 ms on
    // a quarter-GB function, which has 256 / 1769 of a vCPU.
    const compute = 0.2 * (1769 / 256);
    expect(pollInvocationSeconds(input, 20)).toBeCloseTo(6 + compute, 6);
    // With a generous rate limit the round trips decide.
    const fast = { ...input, pollWorker: { ...input.pollWorker, tiktokRequestsPerMinute: 60_000 } };
    expect(pollInvocationSeconds(fast, 20)).toBeCloseTo(2.4 + compute, 6);
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
    // Writes: 121,600 account-polls × 2 units, a token refresh a day per account (30,400 × 1) and 30,400
    // digests × 3 units, at $0.78 per million (Standard-IA).
    expect(cost(lines, 'DynamoDB writes')).toBeCloseTo(
      ((243_200 + 30_400 + 91_200) / 1e6) * 0.78,
      6,
    );
    // Reads: 30,400 account-nights × 20 days × 0.5, the charts' 7 days × 0.5 per digest, a credentials read
    // per account-poll and 2 units per digest, at $0.155 per million.
    const reads = 304_000 + 30_400 * 7 * 0.5 + 121_600 * 1 + 30_400 * 2;
    expect(cost(lines, 'DynamoDB reads')).toBeCloseTo((reads / 1e6) * 0.155, 6);
    // Raw polls: 1,000 × 4 × 90 × 1 KB; roll-ups: 1,000 × 365 × 2 KB; storage and backups at $0.30 per GB.
    const storedGb = (1000 * 4 * 90 * 1024 + 1000 * 365 * 2048) / 1024 ** 3;
    expect(cost(lines, 'DynamoDB storage and backups')).toBeCloseTo(storedGb * 0.3, 6);
    // 121,600 poll jobs and 30,400 digest jobs, ten to a request, three requests per ten; plus 5 idle
    // pollers per queue receiving 3 times a minute.
    const sqsRequests = 12_160 * 3 + 3_040 * 3 + 2 * 5 * 3 * 60 * 24 * 30.4;
    expect(cost(lines, 'SQS')).toBeCloseTo((sqsRequests / 1e6) * 0.4, 6);
    // 1,000 × 30.4 emails at $0.10 per thousand.
    expect(cost(lines, 'SES')).toBeCloseTo(3.04, 6);
    expect(totalUsd).toBeCloseTo(
      lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
      9,
    );
    expect(perThousandAccountsUsd).toBeCloseTo(totalUsd, 9);
  });

  it('should grow Lambda with the TikTok wait and storage with the deployment’s age', () => {
    const base = estimateMonthlyCost(input, measured).lines;
    const slower = estimateMonthlyCost(
      { ...input, tiktok: { ...input.tiktok, latencyMsPerRequest: 3000 } },
      measured,
    ).lines;
    const older = estimateMonthlyCost({ ...input, rollupDays: 730 }, measured).lines;
    expect(cost(slower, 'Lambda')).toBeGreaterThan(cost(base, 'Lambda') * 2);
    expect(cost(older, 'DynamoDB storage and backups')).toBeGreaterThan(
      cost(base, 'DynamoDB storage and backups'),
    );
    expect(cost(older, 'Lambda')).toBeCloseTo(cost(base, 'Lambda'), 9);
  });
});
